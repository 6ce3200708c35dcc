import { container as appContainer } from "@medusajs/framework"
import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import type { BaseSessionData, RecordedRefund } from "../lib/session-data"
import { AttemptRow, attemptByOrderId, cartIdOfCollection, isUniqueViolation, Ledger, ledgerIn, paymentSession } from "./store"

/**
 * What the providers write into the ledger, from inside Medusa's payment module: an attempt before the
 * gateway is called, the attempt once the gateway answered, what a status check found, and the attempt
 * leaving its session (superseded by a new attempt, or the session deleted). Without the ledger module
 * (the plugin is not loaded, or a provider runs outside Medusa in a unit test) the journal does nothing
 * and says so once.
 */
export type AttemptJournal = {
  starting(start: { gateway: string; merchantOrderId: string; attempt: number; sessionId: string; amount: string; currency: string }): Promise<void>
  started(gateway: string, data: BaseSessionData, attention: string | null): Promise<void>
  failedToStart(gateway: string, merchantOrderId: string, reason: string): Promise<void>
  observed(gateway: string, before: BaseSessionData, after: BaseSessionData, attention: string | null): Promise<void>
  detached(gateway: string, merchantOrderId: string, how: "superseded" | "deleted"): Promise<void>
  refunded(gateway: string, merchantOrderId: string, refund: RecordedRefund): Promise<void>
}

/** The ledger status an attempt has when its data says `status` (each gateway's plain statuses). */
export function attemptStatusOf(status: string): AttemptRow["status"] {
  switch (status) {
    case "paid":
    case "disputed":
      return "paid"
    case "mismatch":
      return "mismatch"
    case "expired":
      return "expired"
    case "failed":
    case "underpaid":
      return "failed"
    case "canceled":
      return "canceled"
    case "refunded":
      return "refunded"
    default:
      return "open"
  }
}

/** Changes of the ledger row that follow from new session data (and what the provider says needs a look). */
export function attemptUpdateFrom(data: BaseSessionData, now: Date, attention: string | null): Partial<AttemptRow> {
  const status = attemptStatusOf(data.status)
  return {
    status,
    data: data as unknown as Record<string, unknown>,
    gateway_reference: data.gateway_reference,
    expires_at: data.expires_at,
    ...(status === "paid" ? { paid_at: now, paid_amount: data.amount_received ?? data.amount } : {}),
    ...(attention ? { attention } : {}),
  }
}

let warnedMissing = false

export function ledgerJournal(logger: LoggerLike, container: MedusaContainer = appContainer): AttemptJournal {
  const ledger = (): Ledger | undefined => {
    const found = ledgerIn(container)
    // Only inside a Medusa app (a provider in a unit test has no app around it).
    if (!found && !warnedMissing && container.hasRegistration(Modules.PAYMENT)) {
      warnedMissing = true
      logger.warn(
        'medusa-payments-hk-crypto: the payment ledger module is not loaded, so payment attempts are not recorded and a payment for a deleted session cannot be found. Add { resolve: "medusa-payments-hk-crypto" } to `plugins` and run `medusa db:migrate`.'
      )
    }
    return found
  }
  const update = async (gateway: string, merchantOrderId: string, changes: Partial<AttemptRow>, what: string) => {
    const l = ledger()
    if (!l) return
    try {
      const row = await attemptByOrderId(l, gateway, merchantOrderId)
      if (row) await l.updatePaymentAttempts({ id: row.id, ...changes } as never)
    } catch (error) {
      // The reconciliation job re-reads the gateway for open attempts; a missed update is caught up there.
      logger.warn(`Payment ledger: could not record ${what} of ${merchantOrderId}: ${(error as Error).message}`)
    }
  }

  return {
    async starting(start) {
      const l = ledger()
      if (!l) return
      try {
        const session = await paymentSession(container, start.sessionId).catch(() => undefined)
        const cartId = session ? await cartIdOfCollection(container, session.payment_collection_id).catch(() => undefined) : undefined
        const row = {
          gateway: start.gateway,
          merchant_order_id: start.merchantOrderId,
          attempt: start.attempt,
          session_id: start.sessionId,
          provider_id: session?.provider_id ?? null,
          payment_collection_id: session?.payment_collection_id ?? null,
          cart_id: cartId ?? null,
          amount: start.amount,
          currency: start.currency,
          status: "starting" as const,
        }
        try {
          await l.createPaymentAttempts(row as never)
        } catch (error) {
          if (!isUniqueViolation(error)) throw error
          // The same attempt started again (a retried create): keep one row.
          const existing = await attemptByOrderId(l, start.gateway, start.merchantOrderId)
          if (existing) await l.updatePaymentAttempts({ id: existing.id, ...row } as never)
        }
      } catch (error) {
        // Without a record, a payment for this attempt could be lost if its session goes: refuse to start it.
        throw new MedusaError(
          MedusaError.Types.UNEXPECTED_STATE,
          `The payment could not be recorded before starting it (${(error as Error).message}); nothing was charged. Please try again.`
        )
      }
    },
    started: (gateway, data, attention) => update(gateway, data.merchant_order_id, { ...attemptUpdateFrom(data, new Date(), attention), status: "open" }, "the start"),
    failedToStart: (gateway, merchantOrderId, reason) => update(gateway, merchantOrderId, { status: "failed", note: reason.slice(0, 500) }, "a failed start"),
    async observed(gateway, before, after, attention) {
      if (before.status === after.status && before.gateway_reference === after.gateway_reference && !attention) return
      await update(gateway, after.merchant_order_id, { ...attemptUpdateFrom(after, new Date(), attention), last_checked_at: new Date() }, "a status change")
    },
    detached: (gateway, merchantOrderId, how) => update(gateway, merchantOrderId, { detached: how }, `its ${how} session`),
    async refunded(gateway, merchantOrderId, refund) {
      const l = ledger()
      if (!l) return
      try {
        const attempt = await attemptByOrderId(l, gateway, merchantOrderId)
        if (!attempt) return
        await l.createLedgerRefunds({
          attempt_id: attempt.id,
          refund_id: refund.id,
          amount: refund.amount,
          currency: refund.currency,
          status: refund.status,
          origin: "medusa",
          gateway_reference: refund.gateway_reference,
          note: refund.note ?? null,
        } as never)
      } catch (error) {
        if (!isUniqueViolation(error)) logger.warn(`Payment ledger: could not record refund ${refund.id} of ${merchantOrderId}: ${(error as Error).message}`)
      }
    },
  }
}
