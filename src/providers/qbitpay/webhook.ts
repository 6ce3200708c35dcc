import { parseMajorToMinor } from "../../lib/money"
import type { GatewayEvent, WebhookReading } from "../../lib/payment-event"
import { constantTimeEqualHex } from "../../lib/signing"
import { headerValue, parseJsonObject, rawBodyBytes } from "../../lib/webhook"
import { asCharge, QbitCharge } from "./client"
import { qbitStyleSignature } from "./signature"
import { KIND_BY_EVENT, QBITPAY_MINOR_UNITS } from "./status"

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


/**
 * A verified Qbit Pay event as one event (reference §8.3): `charge.succeeded` is a payment only for a
 * closed, paid charge; failures, expiries and disputes are reported as what they are. The key is the
 * event id, which Qbit Pay keeps across its 5 retries.
 */
export function readQbitpayEvent(rawData: unknown, headers: unknown, apiKey: string): WebhookReading {
  const verified = verifyQbitpayEvent(rawData, headers, apiKey)
  if (!verified.ok) return verified
  const { charge } = verified
  const kind = KIND_BY_EVENT[verified.type]
  if (!kind) return { ok: false, authentic: true, reason: `event type ${verified.type} is not handled` }
  if (kind === "paid" && (charge.status !== "closed" || charge.paid !== true)) {
    return { ok: false, authentic: true, reason: `charge.succeeded for charge ${charge.id}, which is ${charge.status} (paid ${String(charge.paid)}), not closed and paid` }
  }
  const currency = typeof charge.currency === "string" && /^[A-Za-z]{3,4}$/.test(charge.currency) ? charge.currency.toUpperCase() : null
  const event: GatewayEvent = {
    key: `qbitpay:${verified.id}`,
    kind,
    merchantOrderId: typeof charge.externalOrderId === "string" ? charge.externalOrderId : null,
    gatewayReference: charge.id,
    amountMinor: currency ? parseMajorToMinor(charge.amount, currency, QBITPAY_MINOR_UNITS) ?? null : null,
    currency,
  }
  return { ok: true, event }
}
