import type { MedusaContainer } from "@medusajs/framework/types"
import { AttemptRow, Ledger, RefundRow, requireLedger } from "./store"

/** What a merchant must look at, as the admin API and dashboard list it. */
export const ATTENTION_KINDS = [
  "orphaned",
  "refund_owed",
  "refund_unknown",
  "duplicate_payment",
  "amount_mismatch",
  "underpayment",
  "overpaid",
  "underpaid_accepted",
  "dispute",
  "refund_failed",
] as const
export type AttentionKind = (typeof ATTENTION_KINDS)[number]

export type AttentionItem = {
  kind: AttentionKind
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
  refund_id?: string
  note: string | null
  at: string
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : "")

function attemptItem(kind: AttentionKind, a: AttemptRow): AttentionItem {
  return {
    kind,
    attempt_id: a.id,
    provider_id: a.provider_id,
    merchant_order_id: a.merchant_order_id,
    gateway_reference: a.gateway_reference,
    amount: a.amount,
    paid_amount: a.paid_amount,
    currency: a.currency,
    status: a.status,
    resolution: a.resolution,
    customer_email: a.customer_email,
    session_id: a.session_id,
    cart_id: a.cart_id,
    note: a.note,
    at: iso(a.paid_at ?? a.updated_at),
  }
}

/**
 * Payments needing attention, from the ledger: orphaned payments (refunded, to refund or flagged), refunds
 * the merchant owes (manual) or whose outcome is unknown, duplicates to refund, amount mismatches,
 * under- and overpayments, disputes. Newest first.
 */
export async function paymentsNeedingAttention(
  container: MedusaContainer,
  filter: { kinds?: AttentionKind[]; limit?: number; offset?: number } = {}
): Promise<{ items: AttentionItem[]; count: number }> {
  const ledger: Ledger = requireLedger(container)
  const wanted = new Set(filter.kinds?.length ? filter.kinds : ATTENTION_KINDS)
  const items: AttentionItem[] = []
  const attemptKinds = [...wanted].filter((k) => k !== "refund_owed" && k !== "refund_unknown" && k !== "refund_failed")
  if (attemptKinds.length) {
    const attempts = (await ledger.listPaymentAttempts({ attention: attemptKinds }, { order: { updated_at: "DESC" }, take: 500 })) as unknown as AttemptRow[]
    for (const a of attempts) items.push(attemptItem(a.attention as AttentionKind, a))
  }
  if (wanted.has("refund_failed")) {
    const failed = (await ledger.listPaymentAttempts({ resolution: "refund_failed" }, { order: { updated_at: "DESC" }, take: 500 })) as unknown as AttemptRow[]
    for (const a of failed) items.push(attemptItem("refund_failed", a))
  }
  const refundStatuses = [...(wanted.has("refund_owed") ? ["manual_pending"] : []), ...(wanted.has("refund_unknown") ? ["unknown"] : [])]
  if (refundStatuses.length) {
    const refunds = (await ledger.listLedgerRefunds({ status: refundStatuses }, { order: { created_at: "DESC" }, take: 500 })) as unknown as RefundRow[]
    const attempts = refunds.length
      ? ((await ledger.listPaymentAttempts({ id: [...new Set(refunds.map((r) => r.attempt_id))] })) as unknown as AttemptRow[])
      : []
    for (const r of refunds) {
      const a = attempts.find((x) => x.id === r.attempt_id)
      if (!a) continue
      items.push({ ...attemptItem(r.status === "unknown" ? "refund_unknown" : "refund_owed", a), amount: r.amount, currency: r.currency, refund_id: r.refund_id, status: r.status, note: r.note, at: iso(r.created_at) })
    }
  }
  items.sort((x, y) => y.at.localeCompare(x.at))
  const offset = filter.offset ?? 0
  const limit = filter.limit ?? 50
  return { items: items.slice(offset, offset + limit), count: items.length }
}
