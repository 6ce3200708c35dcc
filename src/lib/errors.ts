import { MedusaError } from "@medusajs/framework/utils"

/**
 * What went wrong talking to a gateway, keyed on what the caller may do next, not on the message.
 *
 * - `config`: our options are wrong (bad credentials, signature rejected, merchant not set up). Fix config.
 * - `invalid_request`: the gateway refused the request as malformed. A bug or bad input; do not retry.
 * - `declined`: the gateway processed the request and said no (over-refund, refund window, ...). Final.
 * - `retry_later`: the gateway says try again later (maintenance, today's balance, night window). Not sent.
 * - `rate_limited`: HTTP 429 or the gateway's own rate-limit error. Not processed.
 * - `not_sent`: the request provably never reached the gateway (connection refused, DNS). Safe to repeat.
 * - `indeterminate`: the request may or may not have been processed (timeout, reset, 5xx, garbled body).
 *   Never repeat a money-moving write blindly: look the operation up by our own id first.
 * - `malformed_response`: the gateway answered 2xx with something we cannot parse. Treated as indeterminate
 *   for writes.
 */
export type GatewayErrorKind =
  | "config"
  | "invalid_request"
  | "declined"
  | "retry_later"
  | "rate_limited"
  | "not_sent"
  | "indeterminate"
  | "malformed_response"

export class GatewayError extends Error {
  readonly kind: GatewayErrorKind
  readonly gateway: string
  /** The gateway's own error code when it gave one (a response code or error type). */
  readonly code?: string
  readonly httpStatus?: number

  constructor(
    kind: GatewayErrorKind,
    gateway: string,
    message: string,
    extra: { code?: string; httpStatus?: number } = {}
  ) {
    super(message)
    this.name = "GatewayError"
    this.kind = kind
    this.gateway = gateway
    this.code = extra.code
    this.httpStatus = extra.httpStatus
  }

  /** True when the operation may have happened at the gateway although we saw no clean answer. */
  get maybeProcessed(): boolean {
    return this.kind === "indeterminate" || this.kind === "malformed_response"
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError
}

const MEDUSA_TYPE_BY_KIND: Record<GatewayErrorKind, string> = {
  config: MedusaError.Types.INVALID_DATA,
  invalid_request: MedusaError.Types.INVALID_DATA,
  declined: MedusaError.Types.NOT_ALLOWED,
  retry_later: MedusaError.Types.UNEXPECTED_STATE,
  rate_limited: MedusaError.Types.UNEXPECTED_STATE,
  not_sent: MedusaError.Types.UNEXPECTED_STATE,
  indeterminate: MedusaError.Types.UNEXPECTED_STATE,
  malformed_response: MedusaError.Types.UNEXPECTED_STATE,
}

const ADVICE_BY_KIND: Record<GatewayErrorKind, string> = {
  config: "Check the provider options (credentials, merchant id, signing type).",
  invalid_request: "The request was refused as invalid; nothing was charged.",
  declined: "The gateway declined the operation.",
  retry_later: "The gateway asked to try again later; nothing was changed.",
  rate_limited: "The gateway is rate limiting requests; try again in a moment.",
  not_sent: "The gateway could not be reached; nothing was sent. Try again.",
  indeterminate:
    "The gateway did not answer in time; the outcome is being checked, do not repeat the payment.",
  malformed_response: "The gateway sent an unreadable answer; the outcome is being checked.",
}

/**
 * A refund whose outcome the gateway left unclear: the admin is told not to refund again, and the refund is
 * kept in the ledger as "unknown" for the merchant to check.
 */
export function refundOutcomeUnknown(message: string): MedusaError {
  const error = new MedusaError(MedusaError.Types.UNEXPECTED_STATE, message)
  ;(error as MedusaError & { refundOutcome?: string }).refundOutcome = "unknown"
  return error
}

export function isRefundOutcomeUnknown(error: unknown): boolean {
  return (error as { refundOutcome?: string } | undefined)?.refundOutcome === "unknown"
}

/**
 * Turns any error into a MedusaError at the provider boundary. MedusaErrors reach the storefront/admin
 * unchanged (non-Medusa errors are swallowed into a generic message by some core steps), so the text must
 * be safe to show and must say what to do. It never contains a secret: GatewayError messages are built
 * from gateway codes and our own words only.
 */
export function toMedusaError(error: unknown, action: string): MedusaError {
  if (error instanceof MedusaError) return error
  if (isGatewayError(error)) {
    const code = error.code ? ` (code ${error.code})` : ""
    return new MedusaError(
      MEDUSA_TYPE_BY_KIND[error.kind] as ConstructorParameters<typeof MedusaError>[0],
      `${error.gateway}: could not ${action}: ${error.message}${code}. ${ADVICE_BY_KIND[error.kind]}`
    )
  }
  const message = error instanceof Error ? error.message : String(error)
  return new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Could not ${action}: ${message}`)
}
