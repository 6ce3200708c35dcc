import { parseMinor } from "../../lib/money"
import type { GatewayEvent, WebhookReading } from "../../lib/payment-event"
import { constantTimeEqualHex, md5Hex } from "../../lib/signing"
import { headerValue, parseJsonObject, rawBodyBytes } from "../../lib/webhook"
import type { QfpayRecord } from "./client"

export const QFPAY_ACK_BODY = "SUCCESS"

export type VerifiedNotification =
  | { ok: true; notifyType: string; body: QfpayRecord }
  | { ok: false; reason: string }

/**
 * Checks a QFPay notification: `X-QF-SIGN` must equal upper(MD5(raw body bytes + client_key)), compared in
 * constant time on the exact bytes received (re-serialising parsed JSON would not reproduce Python's
 * formatting). Only then is the body parsed. Never throws.
 */
export function verifyQfpayNotification(rawData: unknown, headers: unknown, clientKey: string): VerifiedNotification {
  const raw = rawBodyBytes(rawData)
  if (!raw || raw.length === 0) return { ok: false, reason: "empty body" }
  const signature = headerValue(headers, "x-qf-sign")
  if (!signature) return { ok: false, reason: "missing X-QF-SIGN header" }
  if (!constantTimeEqualHex(md5Hex(raw, clientKey), signature)) {
    return { ok: false, reason: "X-QF-SIGN does not match the body" }
  }
  const body = parseJsonObject(raw)
  if (!body) return { ok: false, reason: "signed body is not a JSON object" }
  // Card notifications carry `order_type` instead of `notify_type` (reference §12.4).
  const notifyType = String(body.notify_type ?? body.order_type ?? "payment")
  return { ok: true, notifyType, body: body as QfpayRecord }
}

/**
 * A verified QFPay notification as one event (reference §12.4): a successful `payment` is money arriving
 * for our order (txamt in minor units); a `refund` is money going back (its syssn is the refund's, the
 * payment's ids are in `orig_syssn` / `orig_out_trade_no`). Notifications only report successes. The key
 * names the transaction and what happened to it, so QFPay's retries (about 24 hours) are recognised.
 */
export function readQfpayNotification(rawData: unknown, headers: unknown, clientKey: string): WebhookReading {
  const verified = verifyQfpayNotification(rawData, headers, clientKey)
  if (!verified.ok) return verified
  const n = verified.body
  const text = (value: unknown) => (typeof value === "string" && value ? value : null)
  if (String(n.respcd) !== "0000" || (n.status !== undefined && String(n.status) !== "1")) {
    return { ok: false, authentic: true, reason: `not a success (respcd ${String(n.respcd)})` }
  }
  const common = { amountMinor: parseMinor(n.txamt) ?? null, currency: text(n.txcurrcd)?.toUpperCase() ?? null, method: text(n.pay_type) }
  if (verified.notifyType === "payment") {
    const event: GatewayEvent = {
      key: `qfpay:payment:${text(n.syssn)}`,
      kind: "paid",
      merchantOrderId: text(n.out_trade_no),
      gatewayReference: text(n.syssn),
      ...common,
    }
    return { ok: true, event }
  }
  if (verified.notifyType === "refund") {
    const event: GatewayEvent = {
      key: `qfpay:refund:${text(n.syssn)}`,
      kind: "refunded",
      merchantOrderId: text(n.orig_out_trade_no),
      gatewayReference: text(n.orig_syssn),
      refundReference: text(n.syssn),
      refundMerchantId: text(n.out_trade_no),
      ...common,
    }
    return { ok: true, event }
  }
  return { ok: false, authentic: true, reason: `notify_type ${verified.notifyType} is not handled` }
}
