import { PaymentSessionStatus } from "@medusajs/framework/utils"
import type { GatewayErrorKind } from "../../lib/errors"

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
