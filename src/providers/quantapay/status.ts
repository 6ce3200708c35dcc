import { PaymentSessionStatus } from "@medusajs/framework/utils"
import type { GatewayErrorKind } from "../../lib/errors"
import { fromMinorUnits, parseMajorToMinor, toMinorUnits } from "../../lib/money"
import { AmountRule, judgeAmount } from "../../lib/payment-event"
import { NO_ACTION } from "../../lib/session-data"
import type { QuantapayTransaction } from "./client"
import type { QuantapaySessionData } from "./data"

/**
 * QuantaPay's codes in one place. Transaction statuses (reference §7): P pending, C completed (the only
 * paid state), X underpaid, R refunded. There is no expired status: an unpaid session just has no
 * transaction, or a P one that is purged after 48 h.
 */
export type QuantapayPaymentStatus = "pending" | "paid" | "underpaid" | "underpaid_review" | "refunded" | "expired" | "canceled" | "mismatch"

export const SESSION_STATUS_BY_PAYMENT_STATUS: Record<QuantapayPaymentStatus, PaymentSessionStatus> = {
  pending: PaymentSessionStatus.PENDING,
  paid: PaymentSessionStatus.CAPTURED,
  underpaid: PaymentSessionStatus.ERROR,
  underpaid_review: PaymentSessionStatus.PENDING,
  refunded: PaymentSessionStatus.CANCELED,
  expired: PaymentSessionStatus.CANCELED,
  canceled: PaymentSessionStatus.CANCELED,
  mismatch: PaymentSessionStatus.ERROR,
}

/** Dispatcher and signing errors (`{success:false, error_code}`), by what the caller should do. */
export const API_ERRORS: Record<string, { kind: GatewayErrorKind; message: string }> = {
  "missing-function-name": { kind: "config", message: "the endpoint did not receive a function name; check baseUrl" },
  "function-not-found": { kind: "config", message: "this QuantaPay endpoint does not offer the function; check baseUrl" },
  "api-key-not-found": { kind: "config", message: "no API key was sent; set apiKey" },
  "invalid-api-key": { kind: "config", message: "the API key was refused; check apiKey" },
  "missing-argument": { kind: "invalid_request", message: "a required argument was missing" },
  "invalid-signature": { kind: "config", message: "the checkout signature was refused; check webhookSecret" },
  "request-expired": {
    kind: "config",
    message: "the signed request was refused as expired (Request expired): this server's clock is more than 5 minutes off; fix the clock (NTP)",
  },
}

/** Results of the `refund` function (reference §11): `status: true` or one of these codes. */
export const REFUND_RESULTS: Record<string, { kind: GatewayErrorKind; message: string }> = {
  "refunds-not-enabled": {
    kind: "config",
    message: "refunds are not enabled at QuantaPay (no wallet signing source); use refundMode \"manual\"",
  },
  "transaction-not-found": { kind: "declined", message: "QuantaPay does not know this transaction" },
  "wrong-transaction-status": { kind: "declined", message: "the transaction cannot be refunded in its current status" },
  "hash-not-found": { kind: "declined", message: "the payment's blockchain hash is unknown" },
  "sender-address-not-found": { kind: "declined", message: "the customer's sending address is unknown" },
  "invalid-amount": { kind: "declined", message: "the refund amount is invalid" },
  "unsupported-cryptocurrency": { kind: "declined", message: "refunds are not supported for this coin" },
  "bitcoin-error": { kind: "indeterminate", message: "the Bitcoin node reported an error" },
  "ethereum-error": { kind: "indeterminate", message: "the Ethereum node reported an error" },
  "coinbase-error": { kind: "indeterminate", message: "Coinbase reported an error" },
}

/**
 * QuantaPay's status decision, pure: its transactions for our order + now + options -> our status and data
 * (reference §7, §9). Only a completed (C) transaction that passes the amount rule (lib/payment-event; the
 * shopper picks what to send, so more than asked is accepted) is a payment. An underpaid (X) one is never a
 * payment; the underpayment policy decides whether the session fails or waits for the merchant.
 */
export function quantapayStatusFrom(
  transactions: QuantapayTransaction[],
  data: QuantapaySessionData,
  now: Date,
  options: { underpaymentPolicy: "reject" | "review"; expiryGraceMinutes: number },
  rule: AmountRule
): { data: QuantapaySessionData; alerts: string[] } {
  const expected = { chargedMinor: toMinorUnits(data.amount, data.currency), currency: data.currency }
  const verdictOf = (t: QuantapayTransaction) =>
    judgeAmount(
      { amountMinor: parseMajorToMinor(t.amount_fiat, data.currency) ?? null, currency: typeof t.currency === "string" ? t.currency.toUpperCase() : null },
      expected,
      rule
    )
  const completed = transactions.filter((t) => t.status === "C")
  const paid = completed.find((t) => verdictOf(t).verdict !== "mismatch")
  if (paid) {
    const verdict = verdictOf(paid)
    const received = parseMajorToMinor(paid.amount_fiat, data.currency)
    const next = {
      ...data,
      status: "paid" as const,
      gateway_reference: String(paid.id),
      cryptocurrency: typeof paid.cryptocurrency === "string" ? paid.cryptocurrency : null,
      amount_received: received !== undefined ? fromMinorUnits(received, data.currency) : null,
      next_action: NO_ACTION,
      underpayment: null,
      last_error: null,
    }
    const alerts =
      verdict.verdict === "overpaid"
        ? [`transaction ${paid.id} for ${data.merchant_order_id} paid ${next.amount_received} ${data.currency}, more than the ${data.amount} charged; the surplus is the shopper's`]
        : verdict.verdict === "within_tolerance"
          ? [`transaction ${paid.id} for ${data.merchant_order_id} paid ${next.amount_received} ${data.currency}, less than the ${data.amount} charged but within the underpayment tolerance`]
          : []
    return { data: next, alerts }
  }
  if (completed.length) {
    const t = completed[0]
    const verdict = verdictOf(t)
    return {
      data: { ...data, status: "mismatch", gateway_reference: String(t.id), next_action: NO_ACTION, last_error: "QuantaPay reported a payment with a different amount or currency" },
      alerts: [`transaction ${t.id} for ${data.merchant_order_id} is not treated as paid: ${verdict.verdict === "mismatch" ? verdict.reason : "unexpected amount"}`],
    }
  }
  const underpaid = transactions.find((t) => t.status === "X")
  if (underpaid) {
    const review = options.underpaymentPolicy === "review"
    return {
      data: {
        ...data,
        status: review ? "underpaid_review" : "underpaid",
        gateway_reference: String(underpaid.id),
        next_action: review ? data.next_action : NO_ACTION,
        underpayment: {
          transaction_id: String(underpaid.id),
          expected: data.amount,
          received_fiat: typeof underpaid.amount_fiat === "string" ? underpaid.amount_fiat : null,
          cryptocurrency: typeof underpaid.cryptocurrency === "string" ? underpaid.cryptocurrency : null,
        },
        last_error: review
          ? "the payment was less than the order total; the store will review it"
          : "the payment was less than the order total and was not accepted",
      },
      alerts: [],
    }
  }
  if (transactions.some((t) => t.status === "R")) {
    return { data: { ...data, status: "refunded", next_action: NO_ACTION, last_error: "the payment was refunded" }, alerts: [] }
  }
  const pending = transactions.find((t) => t.status === "P")
  // The shopper picked a coin; the chain may confirm long after the page closes.
  if (pending) return { data: { ...data, status: "pending", gateway_reference: String(pending.id) }, alerts: [] }
  const pastExpiry = now.getTime() > Date.parse(data.expires_at) + options.expiryGraceMinutes * 60_000
  if (pastExpiry) {
    return { data: { ...data, status: "expired", next_action: NO_ACTION, last_error: "the payment window closed before a payment arrived" }, alerts: [] }
  }
  return { data: { ...data, status: "pending" }, alerts: [] }
}
