import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { GatewayErrorKind } from "../../lib/errors"
import { parseMajorToMinor, toMinorUnits } from "../../lib/money"
import { EXACT_AMOUNT, GatewayEventKind, judgeAmount } from "../../lib/payment-event"
import { NO_ACTION } from "../../lib/session-data"
import type { QbitCharge } from "./client"
import type { QbitpaySessionData } from "./data"

/**
 * Qbit Pay's states in one place (reference §7.6, §8.3). A charge is paid only when it is `closed` with
 * `paid: true`; `sellerConfirmed` closes at once, so it is still pending here.
 */
export type QbitpayPaymentStatus = "pending" | "paid" | "canceled" | "expired" | "disputed" | "mismatch"

export const PAYMENT_STATUS_BY_CHARGE_STATUS: Record<string, QbitpayPaymentStatus> = {
  pending: "pending",
  buyerPaid: "pending",
  sellerConfirmed: "pending",
  closed: "paid", // only with paid === true and matching amount/currency; checked by the service
  cancelled: "canceled",
  dispute: "disputed",
}

export const SESSION_STATUS_BY_PAYMENT_STATUS: Record<QbitpayPaymentStatus, PaymentSessionStatus> = {
  pending: PaymentSessionStatus.PENDING,
  paid: PaymentSessionStatus.CAPTURED,
  canceled: PaymentSessionStatus.CANCELED,
  expired: PaymentSessionStatus.CANCELED,
  disputed: PaymentSessionStatus.REQUIRES_MORE,
  mismatch: PaymentSessionStatus.ERROR,
}

/** Event types as one kind of event each (lib/payment-event). */
export const KIND_BY_EVENT: Record<string, GatewayEventKind> = {
  "charge.succeeded": "paid",
  "charge.failed": "failed",
  "charge.expired": "expired",
  "charge.dispute.created": "disputed",
  "charge.dispute.closed": "dispute_closed",
}

/** Event types and the webhook action each becomes (the subscriber acts on the ones core ignores). */
export const ACTION_BY_EVENT: Record<string, PaymentActions> = {
  "charge.succeeded": PaymentActions.SUCCESSFUL,
  "charge.failed": PaymentActions.FAILED,
  "charge.expired": PaymentActions.CANCELED,
  "charge.dispute.created": PaymentActions.REQUIRES_MORE,
  "charge.dispute.closed": PaymentActions.PENDING,
}

/** HTTP status + `type` of an error answer, by what the caller should do (reference §4). */
export function errorKindFor(status: number, type: unknown): { kind: GatewayErrorKind; message: string } {
  if (status === 401) return { kind: "config", message: "the API key was refused; check apiKey" }
  if (status === 403 && type === "rate_limit_error") return { kind: "rate_limited", message: "Qbit Pay is rate limiting requests" }
  if (status === 403) return { kind: "config", message: "the API key has no permission for this request" }
  if (status === 400 || status === 422) return { kind: "invalid_request", message: "the request was refused as invalid" }
  if (status === 402) return { kind: "declined", message: "Qbit Pay refused the request" }
  if (status === 404) return { kind: "declined", message: "Qbit Pay does not know this charge" }
  return { kind: "indeterminate", message: `unexpected HTTP ${status}` }
}

/** Qbit Pay takes USDT with up to 6 decimals (reference §7); USD has ISO's 2. */
export const QBITPAY_MINOR_UNITS = { USDT: 6 }

/** A charge's amount (major units, a JSON number or string) and currency against the attempt's, strictly. */
export function chargeAmountVerdict(charge: QbitCharge, data: { amount: string; currency: string }) {
  return judgeAmount(
    { amountMinor: parseMajorToMinor(charge.amount, data.currency, QBITPAY_MINOR_UNITS) ?? null, currency: typeof charge.currency === "string" ? charge.currency : null },
    { chargedMinor: toMinorUnits(data.amount, data.currency, QBITPAY_MINOR_UNITS), currency: data.currency, minorUnitOverrides: QBITPAY_MINOR_UNITS },
    EXACT_AMOUNT
  )
}

/**
 * Qbit Pay's status decision, pure: the charge + now + options -> our status and data (table above). A
 * charge for another id changes nothing; `closed` counts only with `paid: true` and the attempt's amount and
 * currency; a pending charge past its expiry plus the grace is expired.
 */
export function qbitpayStatusFrom(
  charge: QbitCharge | undefined,
  data: QbitpaySessionData,
  now: Date,
  options: { expiryGraceMinutes: number }
): { data: QbitpaySessionData; alerts: string[] } {
  if (!charge || charge.id !== data.gateway_reference) return { data, alerts: [] }
  const alerts: string[] = []
  let status: QbitpayPaymentStatus = PAYMENT_STATUS_BY_CHARGE_STATUS[charge.status] ?? "pending"
  let lastError: string | null = null
  if (status === "paid") {
    const verdict = chargeAmountVerdict(charge, data)
    if (charge.paid !== true) status = "pending"
    else if (verdict.verdict === "mismatch") {
      alerts.push(`charge ${charge.id} closed but is not treated as paid: ${verdict.reason}`)
      status = "mismatch"
      lastError = "Qbit Pay reported a payment with a different amount or currency"
    }
  }
  const expiresAt = typeof charge.expiresAt === "string" ? charge.expiresAt : data.expires_at
  if (status === "pending" && charge.status === "pending" && expiresAt) {
    if (now.getTime() > Date.parse(expiresAt) + options.expiryGraceMinutes * 60_000) status = "expired"
  }
  if (status === "canceled") lastError = "the payment was cancelled, failed or expired at Qbit Pay"
  if (status === "expired") lastError = "the payment expired before it was paid"
  if (status === "disputed") lastError = "the payment is in dispute at Qbit Pay"
  return {
    data: {
      ...data,
      charge_status: charge.status,
      expires_at: expiresAt,
      status,
      next_action: status === "pending" ? data.next_action : NO_ACTION,
      last_error: lastError,
    },
    alerts,
  }
}
