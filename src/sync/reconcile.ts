import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import { processDelivery, webhookDelayMs } from "../ledger/deliveries"
import { settleUnpaidOrder } from "../ledger/orders"
import { SETTLED, settlePaidAttempt } from "../ledger/settle"
import { recordGatewayRefund } from "../ledger/gateway-refunds"
import { AttemptRow, attemptById, attemptsOfSession, DeliveryRow, isUniqueViolation, Ledger, ledgerIn, paymentSession, requireLedger } from "../ledger/store"
import type { LoggerLike } from "../lib/http"
import { providerFor, Registration, registrationOfAttempt } from "../providers/manifest"
import { registrationsOf, syncSessionWithGateway } from "./session-sync"

export type ReconcileSettings = {
  /** Cron expression for the scheduled job, or an interval in milliseconds. */
  schedule: string | { interval: number }
  /** Attempts younger than this are left to the shopper and the webhook. */
  graceMinutes: number
  /** At most this many attempts (and as many deliveries) per run. */
  batchSize: number
}

/** From the environment, with defaults: every 5 minutes, attempts older than 10 minutes, 50 per run. */
export function reconcileSettings(env: NodeJS.ProcessEnv = process.env): ReconcileSettings {
  const int = (v: string | undefined, fallback: number, min: number, max: number) => {
    const n = v === undefined || v === "" ? NaN : Number(v)
    return Number.isInteger(n) && n >= min && n <= max ? n : fallback
  }
  const interval = int(env.PAYMENT_RECONCILE_INTERVAL_MS, 0, 1000, 24 * 3600_000)
  return {
    schedule: interval ? { interval } : env.PAYMENT_RECONCILE_SCHEDULE || "*/5 * * * *",
    graceMinutes: int(env.PAYMENT_RECONCILE_GRACE_MINUTES, 10, 0, 7 * 24 * 60),
    batchSize: int(env.PAYMENT_RECONCILE_BATCH_SIZE, 50, 1, 1000),
  }
}

export type ReconcileReport = {
  /** Attempts whose gateway was asked. */
  checked: number
  /** Sessions whose payment was completed as a webhook would have. */
  completed: string[]
  /** Sessions whose status was brought in line with the gateway (expired, failed, ...). */
  updated: string[]
  unchanged: number
  failed: number
  /** Attempts found paid for a session that is gone or moved on. */
  orphaned: string[]
  /** Orphaned payments sent back. */
  refunded: string[]
  /** Recorded webhook deliveries processed again (lost or failed earlier). */
  deliveries: number
  /** Live sessions that had no ledger attempt (created before the ledger existed). */
  backfilled: number
  /** Paid attempts whose gateway was asked about refunds made outside Medusa, and what was found. */
  watched: number
  gatewayRefunds: string[]
  skippedRun?: boolean
}

const RUN_LOCK = "medusa-payments-hk-crypto:reconcile"

export function emptyReport(): ReconcileReport {
  return { checked: 0, completed: [], updated: [], unchanged: 0, failed: 0, orphaned: [], refunded: [], deliveries: 0, backfilled: 0, watched: 0, gatewayRefunds: [] }
}

/** How long after payment refunds made in a gateway's portal are looked for, and how often (PAID_WATCH_*). */
const PAID_WATCH_DAYS = 30
const PAID_WATCH_EVERY_MS = 6 * 3600_000

/** How long a recorded delivery may wait for its processing before the job takes it (PAYMENT_DELIVERY_LOST_AFTER_MS; default: the webhook delay + 1 minute). */
function lostDeliveryAfterMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.PAYMENT_DELIVERY_LOST_AFTER_MS)
  return Number.isInteger(n) && n >= 0 ? n : webhookDelayMs(env) + 60_000
}
const TERMINAL = new Set(["paid", "mismatch", "failed", "expired", "canceled", "refunded"])

/** Spacing of checks of an attempt that stays open: 1, 2, 4 ... minutes, at most 30. */
function nextCheckDelayMs(checks: number): number {
  return Math.min(30, 2 ** Math.min(checks, 5)) * 60_000
}

/**
 * One reconciliation pass over the payment ledger. Runs never overlap (a lock in Medusa's locking module,
 * so with the Redis provider not across instances either; a run that finds it taken does nothing). In
 * order: webhook deliveries that were recorded but never processed (a crash after acknowledging) or failed;
 * live sessions with no ledger attempt; open attempts due for a check, least recently checked first, so a
 * crypto payment waiting for confirmations does not starve the others; orphaned payments whose refund is due.
 * A paid attempt goes through the same settlement as a webhook: Medusa's payment workflow (which locks the
 * cart and is idempotent) for a live session, the orphan policy otherwise.
 */
export async function reconcilePendingPayments(
  container: MedusaContainer,
  overrides: Partial<Omit<ReconcileSettings, "schedule">> & { now?: Date } = {}
): Promise<ReconcileReport> {
  const settings = { ...reconcileSettings(), ...overrides }
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const report = emptyReport()
  const registrations = await registrationsOf(container)
  const ledger = ledgerIn(container)
  if (!registrations.length || !ledger) return report

  try {
    await container.resolve(Modules.LOCKING).execute(
      RUN_LOCK,
      async () => {
        const run: Run = { container, ledger, registrations, now: overrides.now ?? new Date(), settings, report, logger }
        await retryDeliveries(run)
        await backfillAttempts(run)
        await checkAttempts(run)
        await refundOrphans(run)
        await watchPaidAttempts(run)
      },
      { timeout: 1, expire: 60 }
    )
  } catch (error) {
    // The lock is held by a run still going: this one does nothing.
    report.skippedRun = true
    logger.info(`Payment reconciliation skipped: ${(error as Error).message}`)
    return report
  }
  if (report.checked || report.deliveries || report.refunded.length || report.backfilled || report.gatewayRefunds.length) {
    logger.info(
      `Payment reconciliation: checked ${report.checked}, completed ${report.completed.length}, updated ${report.updated.length}, unchanged ${report.unchanged}, failed ${report.failed}, orphaned ${report.orphaned.length}, refunded ${report.refunded.length}, deliveries ${report.deliveries}, backfilled ${report.backfilled}, refunds found at gateways ${report.gatewayRefunds.length}`
    )
  }
  return report
}

/** What every step of one reconciliation run works with. */
type Run = {
  container: MedusaContainer
  ledger: Ledger
  registrations: Registration[]
  now: Date
  settings: { graceMinutes: number; batchSize: number }
  report: ReconcileReport
  logger: LoggerLike
}

async function retryDeliveries({ container, ledger, now, settings, report, logger }: Run) {
  const take = settings.batchSize
  // A delivery still "received" this long after arrival lost its processing event (e.g. a crash right after the answer).
  const lost = new Date(now.getTime() - lostDeliveryAfterMs())
  const due = (await ledger.listWebhookDeliveries(
    { $or: [{ status: "failed", next_attempt_at: { $lte: now } }, { status: ["received", "processing"], received_at: { $lte: lost } }] } as never,
    { take, order: { received_at: "ASC" } }
  )) as unknown as DeliveryRow[]
  for (const delivery of due) {
    try {
      await processDelivery(container, delivery.id)
      report.deliveries++
    } catch (error) {
      logger.warn(`Reconciling webhook delivery ${delivery.id} failed: ${(error as Error).message}`)
    }
  }
}

/** Live sessions of ours with no attempt in the ledger (made before the ledger existed) get one from their data. */
async function backfillAttempts({ container, ledger, registrations, now, settings, report, logger }: Run) {
  const payments = container.resolve(Modules.PAYMENT) as unknown as {
    listPaymentSessions(f: Record<string, unknown>, c?: Record<string, unknown>): Promise<Array<{ id: string; provider_id: string; data: unknown; payment_collection_id: string }>>
  }
  const cutoff = new Date(now.getTime() - settings.graceMinutes * 60_000)
  const sessions = await payments.listPaymentSessions(
    {
      provider_id: registrations.map((r) => r.providerId),
      status: [PaymentSessionStatus.PENDING, PaymentSessionStatus.REQUIRES_MORE, PaymentSessionStatus.PENDING_AUTHORIZATION],
      created_at: { $lte: cutoff },
    },
    { take: settings.batchSize, order: { updated_at: "ASC" }, select: ["id", "provider_id", "data", "payment_collection_id"] }
  )
  for (const session of sessions) {
    const registration = registrations.find((r) => r.providerId === session.provider_id)!
    const data = providerFor(registration, logger).readSessionData(session.data)
    if (!data || (await attemptsOfSession(ledger, session.id)).some((a) => a.merchant_order_id === data.merchant_order_id)) continue
    try {
      await ledger.createPaymentAttempts({
        provider_id: registration.providerId,
        gateway: registration.identifier,
        merchant_order_id: data.merchant_order_id,
        attempt: data.attempt,
        session_id: session.id,
        payment_collection_id: session.payment_collection_id,
        amount: data.amount,
        currency: data.currency,
        gateway_reference: data.gateway_reference,
        status: "open",
        data: data as unknown as Record<string, unknown>,
        expires_at: data.expires_at,
      } as never)
      report.backfilled++
    } catch (error) {
      if (!isUniqueViolation(error)) logger.warn(`Could not backfill the ledger attempt of session ${session.id}: ${(error as Error).message}`)
    }
  }
}

async function checkAttempts({ container, ledger, registrations, now, settings, report, logger }: Run) {
  const cutoff = new Date(now.getTime() - settings.graceMinutes * 60_000)
  const due = (await ledger.listPaymentAttempts(
    { status: ["starting", "open"], created_at: { $lte: cutoff }, $or: [{ next_check_at: null }, { next_check_at: { $lte: now } }] } as never,
    { take: settings.batchSize, order: { last_checked_at: "ASC", created_at: "ASC" } }
  )) as unknown as AttemptRow[]
  for (const attempt of due) {
    const registration = registrationOfAttempt(registrations, attempt)
    if (!registration) continue
    report.checked++
    let status: string | undefined
    try {
      status = await checkAttempt(container, registration, attempt, report, logger)
    } catch (error) {
      report.failed++
      logger.warn(`Reconciling payment attempt ${attempt.merchant_order_id} failed: ${(error as Error).message}`)
    }
    await ledger.updatePaymentAttempts({
      id: attempt.id,
      checks: attempt.checks + 1,
      last_checked_at: now,
      next_check_at: status && TERMINAL.has(status) ? null : new Date(now.getTime() + nextCheckDelayMs(attempt.checks)),
    } as never)
  }
}

/** Asks the gateway about one attempt and acts on the answer; returns the attempt's ledger status after. */
async function checkAttempt(container: MedusaContainer, registration: Registration, attempt: AttemptRow, report: ReconcileReport, logger: LoggerLike): Promise<string | undefined> {
  const provider = providerFor(registration, logger)
  const session = attempt.session_id ? await paymentSession(container, attempt.session_id) : undefined
  const live = !!session && provider.readSessionData(session.data)?.merchant_order_id === attempt.merchant_order_id
  if (live && SETTLED.has(session!.status)) {
    // Paid in Medusa; if a crash left its cart without the order, settling completes it.
    const settled = await settlePaidAttempt(container, registration, { ...attempt, status: "paid" })
    if (settled.outcome === "captured") report.completed.push(session!.id)
    else report.unchanged++
    return "paid"
  }
  if (live) {
    const synced = await syncSessionWithGateway(container, session!.id)
    if (synced.outcome === "paid") {
      const settled = await settlePaidAttempt(container, registration, { ...attempt, status: "paid" })
      if (settled.outcome === "captured") report.completed.push(session!.id)
      if (settled.outcome === "orphaned") report.orphaned.push(attempt.id)
      return "paid"
    }
    if (synced.outcome === "updated") report.updated.push(session!.id)
    else report.unchanged++
    await settleUnpaidOrder(container, registration, attempt.id)
    return (await ledgerStatus(container, attempt.id)) ?? undefined
  }
  if (!attempt.data) {
    // Started but never answered by the gateway, and the session has nothing of it: it was never shown to anyone.
    report.unchanged++
    return attempt.status === "starting" ? "failed" : undefined
  }
  const gateway = await provider.getPaymentStatus({ data: attempt.data })
  if (SETTLED.has(gateway.status)) {
    const settled = await settlePaidAttempt(container, registration, { ...attempt, status: "paid", data: gateway.data ?? attempt.data })
    if (settled.outcome === "orphaned") report.orphaned.push(attempt.id)
    return "paid"
  }
  report.unchanged++
  return (await ledgerStatus(container, attempt.id)) ?? undefined
}

async function ledgerStatus(container: MedusaContainer, attemptId: string): Promise<string | undefined> {
  const ledger = ledgerIn(container)
  const [row] = ledger ? ((await ledger.listPaymentAttempts({ id: attemptId }, { take: 1, select: ["status"] })) as unknown as AttemptRow[]) : []
  return row?.status
}

/** Orphaned payments whose grace period is over are sent back in full, once (the refund id is the attempt's). */
async function refundOrphans({ ledger, registrations, now, settings, report, logger }: Run) {
  const take = settings.batchSize
  const due = (await ledger.listPaymentAttempts(
    { attention: "orphaned", resolution: "refund_scheduled", next_check_at: { $lte: now } } as never,
    { take, order: { next_check_at: "ASC" } }
  )) as unknown as AttemptRow[]
  for (const attempt of due) {
    const registration = registrationOfAttempt(registrations, attempt)
    if (!registration) continue
    const provider = providerFor(registration, logger)
    const data = provider.readSessionData(attempt.data)
    try {
      if (!data || !data.gateway_reference) throw new Error("the ledger has no paid gateway payment for it")
      const refund = await provider.refundOrphan(data as never, `orphan_${attempt.id}`)
      await ledger
        .createLedgerRefunds({
          attempt_id: attempt.id,
          refund_id: refund.id,
          amount: refund.amount,
          currency: refund.currency,
          status: refund.status,
          origin: "orphan",
          gateway_reference: refund.gateway_reference,
          note: "orphaned payment sent back automatically",
        } as never)
        .catch((error: unknown) => {
          if (!isUniqueViolation(error)) throw error
        })
      await ledger.updatePaymentAttempts({ id: attempt.id, resolution: "refunded", status: "refunded", next_check_at: null } as never)
      report.refunded.push(attempt.id)
      logger.warn(`${registration.providerId}: orphaned payment ${attempt.gateway_reference} of ${attempt.amount} ${attempt.currency} (order ${attempt.merchant_order_id}) was refunded`)
    } catch (error) {
      // Refused or unclear: the merchant must look (the refund id is stable, so a later retry cannot refund twice).
      await ledger.updatePaymentAttempts({ id: attempt.id, resolution: "refund_failed", note: `Automatic refund failed: ${(error as Error).message}`.slice(0, 500) } as never)
      logger.error(`${registration.providerId}: refunding orphaned payment ${attempt.gateway_reference} failed: ${(error as Error).message}`)
    }
  }
}

/**
 * Paid attempts at gateways that report refunds only when asked (QuantaPay's status R): asked every 6 hours
 * for 30 days after payment, so a refund made in the gateway's portal reaches the order (ledger
 * gateway-refunds). Orphaned payments are left to their own settlement.
 */
async function watchPaidAttempts({ container, ledger, registrations, now, settings, report, logger }: Run) {
  const take = settings.batchSize
  const watching = registrations.filter((r) => providerFor(r, logger).looksUpRefundsAfterPayment())
  if (!watching.length) return
  const due = (await ledger.listPaymentAttempts(
    {
      gateway: [...new Set(watching.map((r) => r.identifier))],
      status: "paid",
      paid_at: { $gte: new Date(now.getTime() - PAID_WATCH_DAYS * 24 * 3600_000) },
      $and: [
        { $or: [{ attention: null }, { attention: { $ne: "orphaned" } }] },
        { $or: [{ next_check_at: null }, { next_check_at: { $lte: now } }] },
      ],
    } as never,
    { take, order: { next_check_at: "ASC" } }
  )) as unknown as AttemptRow[]
  for (const attempt of due) {
    const registration = registrationOfAttempt(watching, attempt)
    if (!registration) continue
    report.watched++
    try {
      report.gatewayRefunds.push(...(await lookUpGatewayRefunds(container, registration, attempt, logger)))
    } catch (error) {
      report.failed++
      logger.warn(`Looking up refunds of payment ${attempt.gateway_reference} (order ${attempt.merchant_order_id}) failed: ${(error as Error).message}`)
    }
    await ledger.updatePaymentAttempts({ id: attempt.id, last_checked_at: now, checks: attempt.checks + 1, next_check_at: new Date(now.getTime() + PAID_WATCH_EVERY_MS) } as never)
  }
}

/** Asks the gateway for refunds of one paid attempt and records those made outside Medusa. */
async function lookUpGatewayRefunds(container: MedusaContainer, registration: Registration, attempt: AttemptRow, logger: LoggerLike): Promise<string[]> {
  const provider = providerFor(registration, logger)
  const data = provider.readSessionData(attempt.data)
  if (!data) return []
  const found: string[] = []
  for (const seen of await provider.refundsAtGateway(data as never)) {
    found.push(await recordGatewayRefund(container, registration, attempt, seen))
  }
  return found
}

export type AttemptCheck = { attempt_id: string; status_before: string; status_after: string; outcome: string; report: ReconcileReport }

/**
 * "Check with gateway" from the admin: one attempt, now, through the same code the job runs (an open attempt
 * is read and settled like `checkAttempts`; a paid one is asked for refunds made outside Medusa where the
 * gateway can tell), whatever its schedule.
 */
export async function checkAttemptNow(container: MedusaContainer, attemptId: string): Promise<AttemptCheck> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const ledger = requireLedger(container)
  const attempt = await attemptById(ledger, attemptId)
  if (!attempt) throw new MedusaError(MedusaError.Types.NOT_FOUND, `No payment attempt ${attemptId} in the payment ledger.`)
  const registration = registrationOfAttempt(await registrationsOf(container), attempt)
  if (!registration) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${attempt.provider_id ?? attempt.gateway} is not configured in this store, so its gateway cannot be asked.`)
  const report = emptyReport()
  const now = new Date()
  let outcome: string
  if (attempt.status === "starting" || attempt.status === "open") {
    report.checked++
    await checkAttempt(container, registration, attempt, report, logger)
    outcome = report.completed.length ? "paid: the order's payment is captured" : report.orphaned.length ? "paid, but orphaned (see payments needing attention)" : report.updated.length ? "updated from the gateway" : "no change at the gateway"
  } else if (attempt.status === "paid" && providerFor(registration, logger).looksUpRefundsAfterPayment()) {
    report.watched++
    report.gatewayRefunds.push(...(await lookUpGatewayRefunds(container, registration, attempt, logger)))
    outcome = report.gatewayRefunds.length ? report.gatewayRefunds.join("; ") : "paid; no refund made outside Medusa"
  } else if (attempt.status === "paid") {
    outcome = `paid; ${providerFor(registration, logger).gatewayName()} reports refunds by notification, nothing to ask`
  } else {
    outcome = `${attempt.status}; nothing more will come from the gateway for this attempt`
  }
  await ledger.updatePaymentAttempts({ id: attempt.id, last_checked_at: now, checks: attempt.checks + 1 } as never)
  const after = await attemptById(ledger, attemptId)
  return { attempt_id: attemptId, status_before: attempt.status, status_after: after?.status ?? attempt.status, outcome, report }
}
