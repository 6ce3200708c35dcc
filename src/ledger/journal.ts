import { container as appContainer } from "@medusajs/framework"
import type { MedusaContainer } from "@medusajs/framework/types"
import { MedusaError, Modules } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import type { BaseSessionData, RecordedRefund } from "../lib/session-data"
import { AttemptRow, attemptByOrderId, cartIdOfCollection, isUniqueViolation, Ledger, ledgerIn, paymentSession, RefundRow } from "./store"

/** Our refund ids at gateways are Medusa's refund ids where those fit (lib/merchant-order-id), else a digest. */
function medusaRefundIdOf(refundId: string): string | null {
  return /^ref_[A-Za-z0-9]+$/.test(refundId) ? refundId : null
}

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
  /**
   * A refund made at the gateway (its portal) that Medusa is now recording on the order: the Medusa refund
   * `medusaRefundId` carries the ledger refund's id in its metadata. Returns that refund (claimed for this
   * Medusa refund, once) so nothing is sent again, or undefined for an ordinary refund.
   */
  claimGatewayRefund(gateway: string, merchantOrderId: string, medusaRefundId: string | undefined): Promise<RecordedRefund | undefined>
}

/** Metadata key on a Medusa refund that records a refund made at the gateway (see claimGatewayRefund). */
export const GATEWAY_REFUND_METADATA_KEY = "payment_ledger_refund_id"

/** The ledger status an attempt has when its data says `status` (each gateway's plain statuses). */
export function attemptStatusOf(status: string): AttemptRow["status"] {
  switch (status) {
    case "paid":
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

/**
 * A dispute (arbitration) opening or closing, from the gateway's status against what the ledger knew: open
 * while the gateway says disputed; won when it ends paid, lost otherwise. The payment itself follows its
 * status as usual (captured when won; an order placed first is settled as unpaid when lost).
 */
export function disputeChangeFrom(status: string, known: AttemptRow["dispute_status"], now: Date, attention: string | null): Partial<AttemptRow> {
  if (status === "disputed") return known === "open" ? {} : { dispute_status: "open", disputed_at: now, dispute_closed_at: null, attention: "dispute" }
  if (known !== "open" || attemptStatusOf(status) === "open") return {}
  return { dispute_status: status === "paid" ? "won" : "lost", dispute_closed_at: now, attention }
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
  const update = async (gateway: string, merchantOrderId: string, changes: Partial<AttemptRow> | ((row: AttemptRow) => Partial<AttemptRow>), what: string) => {
    const l = ledger()
    if (!l) return
    try {
      const row = await attemptByOrderId(l, gateway, merchantOrderId)
      if (row) await l.patchAttempt(row.id, typeof changes === "function" ? changes(row) : changes)
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
      const unchanged = before.status === after.status && before.gateway_reference === after.gateway_reference && !attention
      if (unchanged && after.status !== "disputed") return
      const now = new Date()
      await update(
        gateway,
        after.merchant_order_id,
        (row) => ({ ...attemptUpdateFrom(after, now, attention), ...disputeChangeFrom(after.status, row.dispute_status, now, attention), last_checked_at: now }),
        "a status change"
      )
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
          medusa_refund_id: refund.status === ("unknown" as never) ? null : medusaRefundIdOf(refund.id),
        } as never)
      } catch (error) {
        if (!isUniqueViolation(error)) logger.warn(`Payment ledger: could not record refund ${refund.id} of ${merchantOrderId}: ${(error as Error).message}`)
      }
    },
    async claimGatewayRefund(gateway, merchantOrderId, medusaRefundId) {
      const l = ledger()
      if (!l || !medusaRefundId) return undefined
      const payments = container.resolve(Modules.PAYMENT) as unknown as {
        listRefunds(f: Record<string, unknown>, c?: Record<string, unknown>): Promise<Array<{ id: string; metadata?: Record<string, unknown> | null }>>
      }
      const [medusaRefund] = await payments.listRefunds({ id: medusaRefundId }, { select: ["id", "metadata"], take: 1 })
      const ledgerRefundId = medusaRefund?.metadata?.[GATEWAY_REFUND_METADATA_KEY]
      if (typeof ledgerRefundId !== "string") return undefined
      const [row] = (await l.listLedgerRefunds({ id: ledgerRefundId }, { take: 1 })) as unknown as RefundRow[]
      const attempt = row ? await attemptByOrderId(l, gateway, merchantOrderId) : undefined
      if (!row || row.origin !== "gateway" || !attempt || row.attempt_id !== attempt.id || (row.medusa_refund_id && row.medusa_refund_id !== medusaRefundId)) {
        throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Refund ${medusaRefundId} names gateway refund ${ledgerRefundId}, which is not an unrecorded refund of this payment.`)
      }
      await l.updateLedgerRefunds({ id: row.id, medusa_refund_id: medusaRefundId, status: "succeeded" } as never)
      return {
        id: row.refund_id,
        amount: row.amount,
        currency: row.currency,
        status: "succeeded",
        gateway_reference: row.gateway_reference,
        created_at: new Date(row.created_at).toISOString(),
        note: row.note ?? undefined,
      }
    },
  }
}
