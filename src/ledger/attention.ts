import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { AttemptRow, Ledger, RefundRow, requireLedger } from "./store"

/** What a merchant must look at, as the admin API and dashboard list it. */
export const ATTENTION_KINDS = [
  "orphaned",
  "refund_owed",
  "refund_unknown",
  "refund_unrecorded",
  "refund_failed",
  "duplicate_payment",
  "amount_mismatch",
  "underpayment",
  "overpaid",
  "underpaid_accepted",
  "dispute",
  "unpaid_order",
  "unpaid_order_canceled",
  "stuck",
] as const
export type AttentionKind = (typeof ATTENTION_KINDS)[number]

/** What each kind means for the merchant, for the dashboard. */
export const ATTENTION_LABELS: Record<AttentionKind, string> = {
  orphaned: "Paid, but the cart had moved on: refund or pay back",
  refund_owed: "Refund owed by the merchant",
  refund_unknown: "Refund outcome unknown",
  refund_unrecorded: "Refund made at the gateway, not recorded on the order",
  refund_failed: "Automatic refund of an orphaned payment failed",
  duplicate_payment: "Paid twice: refund the extra payment",
  amount_mismatch: "Paid amount does not match",
  underpayment: "Underpaid",
  overpaid: "Overpaid: the surplus is the shopper's",
  underpaid_accepted: "Underpaid within the tolerance (accepted)",
  dispute: "Dispute",
  unpaid_order: "Order placed first, payment never came: kept for you",
  unpaid_order_canceled: "Order placed first, payment never came: canceled",
  stuck: "Open past its expiry: the gateway could not be asked",
}

export type AttentionItem = {
  kind: AttentionKind
  label: string
  /** Whether the merchant still has to do something (an orphan refunded automatically is listed, but done). */
  needs_action: boolean
  attempt_id: string
  provider_id: string | null
  merchant_order_id: string
  gateway_reference: string | null
  /** The payment's amount (what was charged), or the refund's for refund items. */
  amount: string
  /** What the gateway says arrived, when it differs or is known. */
  paid_amount: string | null
  currency: string
  status: string
  resolution: string | null
  customer_email: string | null
  session_id: string | null
  cart_id: string | null
  order_id: string | null
  order_display_id: number | null
  refund_id?: string
  /** The ledger's id of the refund (for "mark paid back"). */
  ledger_refund_id?: string
  note: string | null
  at: string
}

export type AttentionFilter = {
  kinds?: AttentionKind[]
  providerIds?: string[]
  /** Our order id, the gateway's reference or the customer's email (part of it, any case). */
  q?: string
  /** `open`: only what still needs the merchant; `all` (default): also what was settled. */
  state?: "open" | "all"
  limit?: number
  offset?: number
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : "")
/** Open attempts this long past their expiry were not settled by reconciliation. */
const STUCK_AFTER_MS = 60 * 60_000

function needsAction(kind: AttentionKind, a: AttemptRow, refund?: RefundRow): boolean {
  switch (kind) {
    case "orphaned":
      return a.resolution === "flagged" || a.resolution === "refund_failed"
    case "dispute":
      return a.dispute_status === "open" || a.dispute_status === null
    case "underpaid_accepted":
    case "unpaid_order_canceled":
      return false
    case "refund_owed":
    case "refund_unknown":
    case "refund_unrecorded":
      return !!refund
    default:
      return true
  }
}

function attemptItem(kind: AttentionKind, a: AttemptRow, refund?: RefundRow): AttentionItem {
  return {
    kind,
    label: ATTENTION_LABELS[kind],
    needs_action: needsAction(kind, a, refund),
    attempt_id: a.id,
    provider_id: a.provider_id,
    merchant_order_id: a.merchant_order_id,
    gateway_reference: a.gateway_reference,
    amount: refund?.amount ?? a.amount,
    paid_amount: a.paid_amount,
    currency: refund?.currency ?? a.currency,
    status: refund?.status ?? a.status,
    resolution: a.resolution,
    customer_email: a.customer_email,
    session_id: a.session_id,
    cart_id: a.cart_id,
    order_id: null,
    order_display_id: null,
    ...(refund ? { refund_id: refund.refund_id, ledger_refund_id: refund.id } : {}),
    note: refund ? refund.note : a.note,
    at: iso(refund ? refund.created_at : a.paid_at ?? a.updated_at),
  }
}

const REFUND_KIND_BY_STATUS: Record<string, AttentionKind> = { manual_pending: "refund_owed", unknown: "refund_unknown", unrecorded: "refund_unrecorded" }
const ATTEMPT_ATTENTION_KINDS = ATTENTION_KINDS.filter((k) => !["refund_owed", "refund_unknown", "refund_unrecorded", "refund_failed", "stuck"].includes(k))

/**
 * Payments needing attention, from the ledger: orphaned payments (refunded, to refund or flagged), refunds
 * the merchant owes (manual), whose outcome is unknown, or that Medusa would not record; duplicates to refund,
 * amount mismatches, under- and overpayments, disputes, orders placed before a payment that never came, and
 * attempts open past their expiry. Newest first, with the order each belongs to.
 */
export async function paymentsNeedingAttention(container: MedusaContainer, filter: AttentionFilter = {}, now = new Date()): Promise<{ items: AttentionItem[]; count: number }> {
  const ledger: Ledger = requireLedger(container)
  const wanted = new Set<AttentionKind>(filter.kinds?.length ? filter.kinds : ATTENTION_KINDS)
  const scope = filter.providerIds?.length ? { provider_id: filter.providerIds } : {}
  const items: AttentionItem[] = []
  const list = (where: Record<string, unknown>) =>
    ledger.listPaymentAttempts({ ...where, ...scope } as never, { order: { updated_at: "DESC" }, take: 500 }) as unknown as Promise<AttemptRow[]>

  const attemptKinds = ATTEMPT_ATTENTION_KINDS.filter((k) => wanted.has(k))
  if (attemptKinds.length) for (const a of await list({ attention: attemptKinds })) items.push(attemptItem(a.attention as AttentionKind, a))
  if (wanted.has("refund_failed")) for (const a of await list({ resolution: "refund_failed" })) items.push(attemptItem("refund_failed", a))
  if (wanted.has("stuck")) {
    for (const a of await list({ status: ["starting", "open"], expires_at: { $lt: new Date(now.getTime() - STUCK_AFTER_MS) } })) items.push(attemptItem("stuck", a))
  }
  const refundStatuses = Object.entries(REFUND_KIND_BY_STATUS).filter(([, kind]) => wanted.has(kind)).map(([status]) => status)
  if (refundStatuses.length) {
    const refunds = (await ledger.listLedgerRefunds({ status: refundStatuses }, { order: { created_at: "DESC" }, take: 500 })) as unknown as RefundRow[]
    const attempts = refunds.length ? await list({ id: [...new Set(refunds.map((r) => r.attempt_id))] }) : []
    for (const r of refunds) {
      const a = attempts.find((x) => x.id === r.attempt_id)
      if (a) items.push(attemptItem(REFUND_KIND_BY_STATUS[r.status], a, r))
    }
  }

  const q = filter.q?.trim().toLowerCase()
  const shown = items
    .filter((i) => filter.state !== "open" || i.needs_action)
    .filter((i) => !q || [i.merchant_order_id, i.gateway_reference, i.customer_email, i.refund_id].some((v) => v?.toLowerCase().includes(q)))
    .sort((x, y) => y.at.localeCompare(x.at))
  const offset = filter.offset ?? 0
  const page = shown.slice(offset, offset + (filter.limit ?? 50))
  await addOrders(container, page)
  return { items: page, count: shown.length }
}

/** The order each item's cart became, if any (one query for the page). */
async function addOrders(container: MedusaContainer, items: AttentionItem[]): Promise<void> {
  const cartIds = [...new Set(items.map((i) => i.cart_id).filter((id): id is string => !!id))]
  if (!cartIds.length) return
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart", fields: ["id", "order.id", "order.display_id"], filters: { id: cartIds } })
  const byCart = new Map((data as Array<{ id: string; order?: { id: string; display_id: number } | null }>).map((c) => [c.id, c.order]))
  for (const item of items) {
    const order = item.cart_id ? byCart.get(item.cart_id) : undefined
    if (order?.id) {
      item.order_id = order.id
      item.order_display_id = order.display_id ?? null
    }
  }
}
