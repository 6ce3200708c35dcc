import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { GatewayErrorKind } from "../../lib/errors"

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
