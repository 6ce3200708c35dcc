import { constantTimeEqualHex, qbitStyleSignature } from "../../lib/signing"
import { headerValue, parseJsonObject, rawBodyBytes } from "../../lib/webhook"
import { asCharge, QbitCharge } from "./client"

export type VerifiedEvent = { ok: true; id: string; type: string; charge: QbitCharge } | { ok: false; reason: string }

/**
 * `QbitPay-Signature` (reference §8.4): MD5 over the event's sorted top-level fields (empties dropped,
 * `data` as compact JSON in the sender's key order) plus `&key=<API key>`, upper-case hex. Computed from
 * the raw body as received, compared in constant time. Never throws.
 */
export function verifyQbitpayEvent(rawData: unknown, headers: unknown, apiKey: string): VerifiedEvent {
  const raw = rawBodyBytes(rawData)
  if (!raw || raw.length === 0) return { ok: false, reason: "empty body" }
  const signature = headerValue(headers, "qbitpay-signature")
  if (!signature) return { ok: false, reason: "missing QbitPay-Signature header" }
  const event = parseJsonObject(raw)
  if (!event) return { ok: false, reason: "body is not a JSON object" }
  if (!constantTimeEqualHex(qbitStyleSignature(event, apiKey), signature)) {
    return { ok: false, reason: "QbitPay-Signature does not match the body" }
  }
  const charge = asCharge(event.data)
  if (event.object !== "event" || typeof event.type !== "string" || typeof event.id !== "string" || !charge) {
    return { ok: false, reason: "signed body is not a charge event" }
  }
  return { ok: true, id: event.id, type: event.type, charge }
}

