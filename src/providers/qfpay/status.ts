import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { parseMinor } from "../../lib/money"
import { EXACT_AMOUNT, judgeAmount } from "../../lib/payment-event"
import { NO_ACTION } from "../../lib/session-data"
import type { QfpayRecord } from "./client"
import { transactionStateFrom } from "./codes"
import type { QfpaySessionData } from "./data"

/**
 * Our plain payment status, kept in session data for the storefront, and the Medusa session status it
 * maps to. `mismatch` = QFPay reports a success whose amount or currency differs from the session: it
 * is never treated as paid.
 */
export type QfpayPaymentStatus = "pending" | "paid" | "failed" | "expired" | "canceled" | "mismatch"

export const SESSION_STATUS_BY_PAYMENT_STATUS: Record<QfpayPaymentStatus, PaymentSessionStatus> = {
  pending: PaymentSessionStatus.PENDING,
  paid: PaymentSessionStatus.CAPTURED,
  failed: PaymentSessionStatus.ERROR,
  expired: PaymentSessionStatus.CANCELED,
  canceled: PaymentSessionStatus.CANCELED,
  mismatch: PaymentSessionStatus.ERROR,
}


/**
 * QFPay's status decision, pure: the records QFPay holds for our order (a query answer) + now + the grace
 * after expiry -> our status and data (reference §7, §8, §18). The earliest success whose amount and
 * currency pass the amount rule is the payment; further successes are duplicates to refund; a success
 * with another amount or currency is never "paid". `alerts` are what a person must know (logged by the
 * service).
 */
export function qfpayStatusFrom(
  records: QfpayRecord[],
  data: QfpaySessionData,
  now: Date,
  options: { expiryGraceMinutes: number }
): { data: QfpaySessionData; alerts: string[] } {
  const ours = records.filter((r) => String(r.order_type ?? "payment") === "payment" && r.out_trade_no === data.merchant_order_id)
  const bySyssn = (a: QfpayRecord, b: QfpayRecord) => String(a.syssn ?? "").localeCompare(String(b.syssn ?? ""))
  const successes = ours.filter((r) => transactionStateFrom(r.respcd) === "succeeded").sort(bySyssn)
  const expected = { chargedMinor: BigInt(data.amount_minor), currency: data.currency }
  const verdictOf = (r: QfpayRecord) =>
    judgeAmount({ amountMinor: parseMinor(r.txamt) ?? null, currency: typeof r.txcurrcd === "string" ? r.txcurrcd : null }, expected, EXACT_AMOUNT)
  const paid = successes.find((r) => verdictOf(r).verdict === "exact")
  if (paid) {
    const duplicates = successes.filter((r) => r !== paid).map((r) => String(r.syssn))
    const alerts = duplicates.length
      ? [`order ${data.merchant_order_id} was paid ${successes.length} times; keep ${paid.syssn}, refund ${duplicates.join(", ")}`]
      : []
    return {
      data: {
        ...data,
        status: "paid",
        gateway_reference: String(paid.syssn),
        pay_type: typeof paid.pay_type === "string" ? paid.pay_type : data.pay_type,
        txdtm: typeof paid.txdtm === "string" ? paid.txdtm : data.txdtm,
        next_action: NO_ACTION,
        duplicate_references: duplicates,
        last_error: null,
      },
      alerts,
    }
  }
  if (successes.length) {
    const s = successes[0]
    return {
      data: { ...data, status: "mismatch", next_action: NO_ACTION, last_error: "QFPay reported a payment with a different amount or currency" },
      alerts: [
        `order ${data.merchant_order_id} reports a payment of ${s.txamt} ${s.txcurrcd} but the session expects ${data.amount_minor} ${data.currency}; not treated as paid`,
      ],
    }
  }
  const states = ours.map((r) => transactionStateFrom(r.respcd))
  const pastExpiry = now.getTime() > Date.parse(data.expires_at ?? "") + options.expiryGraceMinutes * 60_000
  const expired = { ...data, status: "expired" as const, next_action: NO_ACTION, last_error: "the payment expired before it was paid" }
  if (states.includes("processing") && !pastExpiry) return { data: { ...data, status: "pending" }, alerts: [] }
  if (states.includes("expired") || (states.includes("processing") && pastExpiry)) return { data: expired, alerts: [] }
  if (states.includes("closed")) {
    return { data: { ...data, status: "canceled", next_action: NO_ACTION, last_error: "the payment was closed" }, alerts: [] }
  }
  if (states.includes("failed")) {
    // On the hosted page the shopper can go back and try another method until the page expires.
    if (data.mode === "checkout" && !pastExpiry) return { data: { ...data, status: "pending", last_error: "a payment attempt failed" }, alerts: [] }
    return { data: { ...data, status: "failed", next_action: NO_ACTION, last_error: "the payment failed" }, alerts: [] }
  }
  if (pastExpiry) return { data: expired, alerts: [] }
  return { data: { ...data, status: "pending" }, alerts: [] }
}
