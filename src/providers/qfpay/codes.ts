import type { GatewayErrorKind } from "../../lib/errors"

/**
 * QFPay's response codes (reference §8, §9, §10, §14): what a `respcd` on a transaction record says about
 * that transaction, and what a `respcd` on an API answer means for the caller.
 */

/** What one transaction record (query `data[]` item) says about that transaction. */
export type TransactionState = "succeeded" | "processing" | "expired" | "closed" | "failed"

const PROCESSING_CODES = new Set(["1143", "1145", "1298"])
const EXPIRED_CODES = new Set(["1181"])
const CLOSED_CODES = new Set(["1142", "1263", "1264"])

export function transactionStateFrom(respcd: unknown): TransactionState {
  const code = String(respcd ?? "")
  if (code === "0000") return "succeeded"
  if (PROCESSING_CODES.has(code)) return "processing"
  if (EXPIRED_CODES.has(code)) return "expired"
  if (CLOSED_CODES.has(code)) return "closed"
  return "failed"
}

/** What an API-level `respcd` (the top-level code of a call) means for the caller. */
export type ApiCodeMeaning =
  | { outcome: "ok" }
  | { outcome: "processing" }
  | { outcome: "duplicate" }
  | { outcome: "already_closed" }
  | { outcome: "already_paid" }
  | { outcome: "error"; kind: GatewayErrorKind; message: string }

const API_ERRORS: Record<string, { kind: GatewayErrorKind; message: string }> = {
  "1100": { kind: "retry_later", message: "QFPay is under maintenance" },
  "1103": { kind: "invalid_request", message: "request format rejected" },
  "1104": { kind: "invalid_request", message: "request parameters rejected" },
  "1105": { kind: "config", message: "device not activated" },
  "1106": { kind: "config", message: "device invalid" },
  "1107": { kind: "config", message: "device not allowed" },
  "1108": { kind: "config", message: "signature rejected: check appCode, clientKey, mchid and signType" },
  "1124": { kind: "declined", message: "a same-day card refund is a void and must be for the full amount" },
  "1125": { kind: "declined", message: "the payment is already refunded" },
  "1136": { kind: "declined", message: "the transaction does not exist or cannot be changed" },
  "1150": { kind: "declined", message: "T0-settled merchants cannot cancel" },
  "1155": { kind: "declined", message: "the refund was denied" },
  "1201": { kind: "declined", message: "insufficient balance" },
  "1203": { kind: "config", message: "merchant account error" },
  "1205": { kind: "declined", message: "the transaction failed" },
  "1241": { kind: "config", message: "store does not exist" },
  "1242": { kind: "config", message: "store is misconfigured" },
  "1243": { kind: "config", message: "store is disabled" },
  "1251": { kind: "config", message: "store is missing or disabled" },
  "1250": { kind: "declined", message: "transaction forbidden (for PayMe: the refund period is over)" },
  "1252": { kind: "indeterminate", message: "QFPay system error" },
  "1254": { kind: "indeterminate", message: "QFPay system error" },
  "1261": { kind: "declined", message: "the order is not paid" },
  "1262": { kind: "declined", message: "the payment is already refunded" },
  "1266": { kind: "invalid_request", message: "the amount is wrong" },
  "1267": { kind: "invalid_request", message: "the order details do not match" },
  "1268": { kind: "declined", message: "the order does not exist" },
  "1269": {
    kind: "retry_later",
    message: "today's unsettled takings for this payment method are too low to fund the refund; try again after the next settlement",
  },
  "1270": { kind: "declined", message: "this currency does not support partial refunds" },
  "1271": { kind: "declined", message: "this transaction does not support partial refunds" },
  "1272": { kind: "declined", message: "the refund exceeds the amount still refundable" },
  "1294": { kind: "declined", message: "blocked by the bank's risk control" },
  "1295": { kind: "indeterminate", message: "slow network at QFPay" },
  "1296": { kind: "indeterminate", message: "slow network at QFPay" },
  "1297": { kind: "retry_later", message: "the bank system is busy (or the refund period is over)" },
  "2999": { kind: "indeterminate", message: "unknown outcome" },
}

/** 1265 is both "no refunds 23:30-00:30 HKT" (retry later) and "refund window exceeded" (final). */
const REFUND_WINDOW_EXCEEDED = /超出可退款時限|超出可退款时限|window|period/i

export function apiCodeMeaning(respcd: unknown, resperr: unknown, operation: "payment" | "refund" | "cancel" | "query"): ApiCodeMeaning {
  const code = String(respcd ?? "")
  if (code === "0000") return { outcome: "ok" }
  if (PROCESSING_CODES.has(code)) return { outcome: "processing" }
  if (code === "1102" || code === "2011") return { outcome: "duplicate" }
  // 1251 means "store disabled" in the official table but is what a reused refund out_trade_no returns.
  if (code === "1251" && (operation === "refund" || /out_trade_no/i.test(String(resperr ?? "")))) {
    return { outcome: "duplicate" }
  }
  if (operation === "cancel" && (code === "1142" || code === "1263" || code === "1264" || code === "1181")) {
    return { outcome: "already_closed" }
  }
  if (code === "1260") return { outcome: "already_paid" }
  if (code === "1265") {
    return REFUND_WINDOW_EXCEEDED.test(String(resperr ?? ""))
      ? { outcome: "error", kind: "declined", message: "the refund window for this payment is over" }
      : { outcome: "error", kind: "retry_later", message: "QFPay accepts no refunds between 23:30 and 00:30 HKT (or for this promotion)" }
  }
  const known = API_ERRORS[code]
  if (known) return { outcome: "error", ...known }
  return { outcome: "error", kind: "declined", message: `QFPay refused the request` }
}
