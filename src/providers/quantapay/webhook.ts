import { parseMajorToMinor } from "../../lib/money"
import type { GatewayEvent, WebhookReading } from "../../lib/payment-event"
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

const KIND_BY_STATUS: Record<string, GatewayEvent["kind"]> = { C: "paid", X: "underpaid", R: "refunded", P: "pending" }

/**
 * A verified QuantaPay webhook as one event (reference §9): QuantaPay posts once, when a transaction
 * completes (C). Its fiat amount is parsed strictly in the transaction's currency; the key names the
 * transaction and its status. The secret in the body never leaves this function.
 */
export function readQuantapayWebhook(rawData: unknown, webhookSecret: string): WebhookReading {
  const verified = verifyQuantapayWebhook(rawData, webhookSecret)
  if (!verified.ok) return verified
  const t = verified.transaction
  const kind = KIND_BY_STATUS[t.status]
  if (!kind) return { ok: false, authentic: true, reason: `transaction ${t.id} has the unknown status ${t.status}` }
  const currency = typeof t.currency === "string" && /^[a-z]{3}$/i.test(t.currency) ? t.currency.toUpperCase() : null
  const event: GatewayEvent = {
    key: `quantapay:${t.id}:${t.status}`,
    kind,
    merchantOrderId: typeof t.external_reference === "string" ? t.external_reference : null,
    gatewayReference: t.id,
    amountMinor: currency ? parseMajorToMinor(t.amount_fiat, currency) ?? null : null,
    currency,
    method: typeof t.cryptocurrency === "string" ? t.cryptocurrency : null,
  }
  return { ok: true, event }
}
