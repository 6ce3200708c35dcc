import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { ourRegistrations, providerFor, registrationOfAttempt } from "../providers/manifest"
import { AttemptRow, attemptById, isUniqueViolation, RefundRow, requireLedger } from "./store"

/**
 * What the merchant sees in the admin (order widget, payments page) and may do there, from the ledger: an
 * order's gateway payments with their refunds and disputes, and marking a refund the merchant owed as paid
 * back. Every action is recorded in the ledger (who, when, a reference).
 */

/** A refund as the merchant reads it: what actually happened to the money. */
export const REFUND_STATE_LABELS: Record<string, string> = {
  succeeded: "sent and confirmed by the gateway",
  processing: "processing at the gateway",
  manual_pending: "owed by the merchant: pay it back yourself, then mark it paid back",
  paid_back: "paid back by the merchant",
  unknown: "outcome unknown: check the gateway's portal before refunding again",
  unrecorded: "made at the gateway, but not recorded on the order by Medusa",
}

export type RefundView = RefundRow & { state: string; paid_back_at: string | null; created_at: string }

export type AttemptView = {
  id: string
  provider_id: string | null
  gateway: string
  gateway_name: string
  merchant_order_id: string
  attempt: number
  gateway_reference: string | null
  portal_url: string | null
  method: string | null
  amount: string
  paid_amount: string | null
  currency: string
  status: AttemptRow["status"]
  /** Where Medusa has it: captured, authorized or canceled (its payment), or the session's status; deleted when gone. */
  medusa_status: string
  medusa_payment_id: string | null
  current: boolean
  detached: AttemptRow["detached"]
  attention: string | null
  resolution: string | null
  note: string | null
  paid_at: string | null
  expires_at: string | null
  last_checked_at: string | null
  checks: number
  created_at: string
  dispute: { status: "open" | "won" | "lost"; opened_at: string | null; closed_at: string | null } | null
  refunds: RefundView[]
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null)

type OrderPayments = {
  id: string
  payment_collections?: Array<{
    id: string
    payment_sessions?: Array<{ id: string; status: string; provider_id: string }>
    payments?: Array<{ id: string; payment_session_id: string | null; captured_at: unknown; canceled_at: unknown }>
  }>
}

/** The order's payments at our gateways, newest attempt first; an empty list for an order paid another way. */
export async function orderPaymentDetails(container: MedusaContainer, orderId: string): Promise<{ order_id: string; attempts: AttemptView[] }> {
  const ledger = requireLedger(container)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "payment_collections.id",
      "payment_collections.payment_sessions.id",
      "payment_collections.payment_sessions.status",
      "payment_collections.payment_sessions.provider_id",
      "payment_collections.payments.id",
      "payment_collections.payments.payment_session_id",
      "payment_collections.payments.captured_at",
      "payment_collections.payments.canceled_at",
    ],
    filters: { id: orderId },
  })
  const order = data[0] as OrderPayments | undefined
  if (!order) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Order with id ${orderId} was not found.`)
  const collections = order.payment_collections ?? []
  const sessions = collections.flatMap((c) => c.payment_sessions ?? [])
  const payments = collections.flatMap((c) => c.payments ?? [])
  const collectionIds = collections.map((c) => c.id)
  const filters = [...(collectionIds.length ? [{ payment_collection_id: collectionIds }] : []), ...(sessions.length ? [{ session_id: sessions.map((s) => s.id) }] : [])]
  if (!filters.length) return { order_id: order.id, attempts: [] }
  const attempts = (await ledger.listPaymentAttempts({ $or: filters } as never, { order: { created_at: "DESC" }, take: 100 })) as unknown as AttemptRow[]
  const refunds = attempts.length ? ((await ledger.listLedgerRefunds({ attempt_id: attempts.map((a) => a.id) }, { order: { created_at: "ASC" } })) as unknown as RefundRow[]) : []
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const registrations = await ourRegistrations(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE), logger)
  return {
    order_id: order.id,
    attempts: attempts.map((a) => {
      const registration = registrationOfAttempt(registrations, a)
      const provider = registration ? providerFor(registration, logger) : undefined
      const parsed = provider?.readSessionData(a.data)
      const view = provider && parsed ? provider.merchantView(parsed as never) : { method: null, portalUrl: null }
      const session = sessions.find((s) => s.id === a.session_id)
      const payment = payments.find((p) => p.payment_session_id === a.session_id)
      return {
        id: a.id,
        provider_id: a.provider_id,
        gateway: a.gateway,
        gateway_name: provider?.gatewayName() ?? a.gateway,
        merchant_order_id: a.merchant_order_id,
        attempt: a.attempt,
        gateway_reference: a.gateway_reference,
        portal_url: view.portalUrl,
        method: view.method,
        amount: a.amount,
        paid_amount: a.paid_amount,
        currency: a.currency,
        status: a.status,
        medusa_status: payment ? (payment.canceled_at ? "canceled" : payment.captured_at ? "captured" : "authorized") : session?.status ?? "deleted",
        medusa_payment_id: payment?.id ?? null,
        current: !!session && !a.detached,
        detached: a.detached,
        attention: a.attention,
        resolution: a.resolution,
        note: a.note,
        paid_at: iso(a.paid_at),
        expires_at: iso(a.expires_at),
        last_checked_at: iso(a.last_checked_at),
        checks: a.checks,
        created_at: iso(a.created_at)!,
        dispute: a.dispute_status ? { status: a.dispute_status, opened_at: iso(a.disputed_at), closed_at: iso(a.dispute_closed_at) } : null,
        refunds: refunds.filter((r) => r.attempt_id === a.id).map(refundView),
      }
    }),
  }
}

export function refundView(r: RefundRow): RefundView {
  return { ...r, state: REFUND_STATE_LABELS[r.status] ?? r.status, paid_back_at: iso(r.paid_back_at), created_at: iso(r.created_at)! }
}

export type PaidBack = { by: string; reference: string; note?: string; at?: Date }

/** Who is acting in the admin, as recorded: the user's email and id. */
export async function actorName(container: MedusaContainer, actorId: string | undefined): Promise<string> {
  if (!actorId) return "an admin"
  try {
    const users = container.resolve(Modules.USER) as unknown as { retrieveUser(id: string): Promise<{ email?: string }> }
    const user = await users.retrieveUser(actorId)
    return user.email ? `${user.email} (${actorId})` : actorId
  } catch {
    return actorId
  }
}

/**
 * A refund the merchant owed (QuantaPay or Qbit Pay: no money moved when it was made in Medusa) is marked
 * paid back: by whom, when, and a reference such as the transaction hash. Only an owed refund can be; a
 * second mark is refused, so the record says who really paid it.
 */
export async function markRefundPaidBack(container: MedusaContainer, refundId: string, paidBack: PaidBack): Promise<RefundView> {
  const ledger = requireLedger(container)
  const [row] = (await ledger.listLedgerRefunds({ id: refundId }, { take: 1 })) as unknown as RefundRow[]
  if (!row) throw new MedusaError(MedusaError.Types.NOT_FOUND, `No refund ${refundId} in the payment ledger.`)
  if (row.status !== "manual_pending") {
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      row.status === "paid_back"
        ? `Refund ${refundId} was already marked paid back by ${row.paid_back_by} on ${iso(row.paid_back_at)}.`
        : `Refund ${refundId} is ${REFUND_STATE_LABELS[row.status] ?? row.status}; only a refund owed by the merchant can be marked paid back.`
    )
  }
  await ledger.updateLedgerRefunds({
    id: row.id,
    status: "paid_back",
    paid_back_at: paidBack.at ?? new Date(),
    paid_back_by: paidBack.by,
    paid_back_reference: paidBack.reference,
    note: paidBack.note ? `${row.note ?? ""} Paid back: ${paidBack.note}`.trim().slice(0, 500) : row.note,
  } as never)
  const [after] = (await ledger.listLedgerRefunds({ id: refundId }, { take: 1 })) as unknown as RefundRow[]
  return refundView(after)
}

/**
 * An orphaned payment the merchant sent back by hand (flagged, or its automatic refund failed): recorded as
 * a refund of the orphan, paid back, and the attempt resolved.
 */
export async function markOrphanPaidBack(container: MedusaContainer, attemptId: string, paidBack: PaidBack): Promise<RefundView> {
  const ledger = requireLedger(container)
  const attempt = await attemptById(ledger, attemptId)
  if (!attempt) throw new MedusaError(MedusaError.Types.NOT_FOUND, `No payment attempt ${attemptId} in the payment ledger.`)
  if (attempt.attention !== "orphaned" || !["flagged", "refund_failed"].includes(attempt.resolution ?? "")) {
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      `Payment attempt ${attemptId} is not an orphaned payment waiting to be paid back by hand (it is ${attempt.resolution ?? attempt.status}).`
    )
  }
  let row: RefundRow
  try {
    row = (await ledger.createLedgerRefunds({
      attempt_id: attempt.id,
      refund_id: `orphan_${attempt.id}`,
      amount: attempt.paid_amount ?? attempt.amount,
      currency: attempt.currency,
      status: "paid_back",
      origin: "orphan",
      gateway_reference: null,
      note: paidBack.note ? `Orphaned payment paid back by hand: ${paidBack.note}`.slice(0, 500) : "Orphaned payment paid back by hand.",
      paid_back_at: paidBack.at ?? new Date(),
      paid_back_by: paidBack.by,
      paid_back_reference: paidBack.reference,
    } as never)) as unknown as RefundRow
  } catch (error) {
    if (isUniqueViolation(error)) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `The orphaned payment ${attemptId} already has a refund recorded.`)
    throw error
  }
  await ledger.updatePaymentAttempts({ id: attempt.id, resolution: "paid_back", status: "refunded", next_check_at: null } as never)
  return refundView(row)
}
