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
