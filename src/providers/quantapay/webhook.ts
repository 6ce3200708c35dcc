import { constantTimeEqual } from "../../lib/signing"
import { parseJsonObject, rawBodyBytes } from "../../lib/webhook"
import { asTransaction, QuantapayTransaction } from "./client"

export type VerifiedWebhook = { ok: true; transaction: QuantapayTransaction } | { ok: false; reason: string }

/**
 * QuantaPay webhooks carry no signature: the body is `{key, transaction}` and `key` is the merchant's
 * webhook secret. It is compared in constant time on the body as received. Never throws.
 */
export function verifyQuantapayWebhook(rawData: unknown, webhookSecret: string): VerifiedWebhook {
  const raw = rawBodyBytes(rawData)
  if (!raw || raw.length === 0) return { ok: false, reason: "empty body" }
  const body = parseJsonObject(raw)
  if (!body) return { ok: false, reason: "body is not a JSON object" }
  if (!constantTimeEqual(webhookSecret, body.key)) return { ok: false, reason: "key does not match the webhook secret" }
  const transaction = asTransaction(body.transaction)
  if (!transaction) return { ok: false, reason: "no transaction in the body" }
  return { ok: true, transaction }
}
