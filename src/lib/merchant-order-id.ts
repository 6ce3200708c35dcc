import { createHash } from "node:crypto"

/**
 * "Our id" at the gateway is derived from the Medusa payment session id, so a webhook leads back to the
 * session without a database lookup. Attempt 1 is the session id itself; a new attempt within the same
 * session (e.g. after the amount changed) gets `-<n>`, which `sessionIdFromMerchantOrderId` strips.
 */
const SESSION_ID_RE = /^payses_[A-Za-z0-9]+$/

export function merchantOrderIdFor(sessionId: string, attempt = 1): string {
  if (!SESSION_ID_RE.test(sessionId)) {
    throw new Error(`Not a payment session id: ${JSON.stringify(sessionId)}`)
  }
  return attempt <= 1 ? sessionId : `${sessionId}-${attempt}`
}

/** The session id inside a merchant order id we issued, or undefined for anything else. */
export function sessionIdFromMerchantOrderId(merchantOrderId: unknown): string | undefined {
  if (typeof merchantOrderId !== "string") return undefined
  const match = /^(payses_[A-Za-z0-9]+)(?:-(\d{1,4}))?$/.exec(merchantOrderId.trim())
  return match ? match[1] : undefined
}

/**
 * A gateway-safe id for a refund, derived from Medusa's refund idempotency key (the refund id), so the
 * same refund retried maps to the same gateway id and the gateway's duplicate check stops a second refund.
 */
export function refundMerchantIdFor(idempotencyKey: string, maxLength = 64): string {
  if (maxLength < 19) throw new Error("refundMerchantIdFor needs maxLength >= 19 (prefix + 16 hash characters)")
  if (/^[A-Za-z0-9_-]+$/.test(idempotencyKey) && idempotencyKey.length <= maxLength) return idempotencyKey
  return `rf_${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, Math.max(16, maxLength - 3))}`
}
