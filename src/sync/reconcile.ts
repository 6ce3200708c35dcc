import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import { completeAsWebhookWould, paymentModuleOf, registrationsOf, syncSessionWithGateway } from "./session-sync"

export type ReconcileSettings = {
  /** Cron expression for the scheduled job. */
  schedule: string
  /** Sessions younger than this are left to the shopper and the webhook. */
  graceMinutes: number
  /** At most this many sessions per run. */
  batchSize: number
}

/** From the environment, with defaults: every 5 minutes, sessions older than 10 minutes, 50 per run. */
export function reconcileSettings(env: NodeJS.ProcessEnv = process.env): ReconcileSettings {
  const int = (v: string | undefined, fallback: number, min: number, max: number) => {
    const n = v === undefined || v === "" ? NaN : Number(v)
    return Number.isInteger(n) && n >= min && n <= max ? n : fallback
  }
  return {
    schedule: env.PAYMENT_RECONCILE_SCHEDULE || "*/5 * * * *",
    graceMinutes: int(env.PAYMENT_RECONCILE_GRACE_MINUTES, 10, 0, 7 * 24 * 60),
    batchSize: int(env.PAYMENT_RECONCILE_BATCH_SIZE, 50, 1, 1000),
  }
}

export type ReconcileReport = { checked: number; completed: string[]; updated: string[]; unchanged: number; failed: number; skippedRun?: boolean }

const RUN_LOCK = "medusa-payments-hk-crypto:reconcile"

/**
 * One reconciliation pass. Runs never overlap (a lock; a run that finds it taken does nothing). Sessions
 * are taken oldest-touched first, so sessions that stay pending for long (a crypto payment waiting for
 * confirmations) do not starve the others. A paid session goes through Medusa's own payment processing
 * (the workflow a `captured` webhook runs), which locks the cart and is idempotent, so a webhook arriving
 * at the same moment still yields one order and one capture.
 */
export async function reconcilePendingPayments(
  container: MedusaContainer,
  overrides: Partial<ReconcileSettings> & { now?: Date } = {}
): Promise<ReconcileReport> {
  const settings = { ...reconcileSettings(), ...overrides }
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const locking = container.resolve(Modules.LOCKING)
  const report: ReconcileReport = { checked: 0, completed: [], updated: [], unchanged: 0, failed: 0 }
  const providerIds = (await registrationsOf(container)).map((r) => r.providerId)
  if (!providerIds.length) return report

  try {
    await locking.execute(
      RUN_LOCK,
      async () => {
        const cutoff = new Date((overrides.now ?? new Date()).getTime() - settings.graceMinutes * 60_000)
        const sessions = await paymentModuleOf(container).listPaymentSessions(
          { provider_id: providerIds, status: [PaymentSessionStatus.PENDING, PaymentSessionStatus.REQUIRES_MORE], created_at: { $lte: cutoff } },
          { take: settings.batchSize, order: { updated_at: "ASC" }, select: ["id", "provider_id", "status"] }
        )
        for (const session of sessions) {
          report.checked++
          try {
            const synced = await syncSessionWithGateway(container, session.id)
            if (synced.outcome === "paid") {
              await completeAsWebhookWould(container, session.id)
              report.completed.push(session.id)
            } else if (synced.outcome === "updated") {
              report.updated.push(session.id)
            } else {
              report.unchanged++
            }
          } catch (error) {
            report.failed++
            logger.warn(`Reconciling payment session ${session.id} failed: ${(error as Error).message}`)
          }
        }
      },
      { timeout: 1, expire: 15 * 60 }
    )
  } catch (error) {
    // The lock is held by a run still going: this one does nothing.
    report.skippedRun = true
    logger.info(`Payment reconciliation skipped: ${(error as Error).message}`)
    return report
  }
  if (report.checked) {
    logger.info(
      `Payment reconciliation: checked ${report.checked}, completed ${report.completed.length}, updated ${report.updated.length}, unchanged ${report.unchanged}, failed ${report.failed}`
    )
  }
  return report
}
