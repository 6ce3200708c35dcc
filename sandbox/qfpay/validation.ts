/** Field rules shared by the /trade/v1 API and the hosted checkout (reference §3, §5, §6). */
import { CURRENCIES, messageFor, PAY_TYPES, type PayTypeInfo } from "./catalogue"
import { parseHk } from "./clock"

/** A business error: answered as HTTP 200 `{respcd, resperr, respmsg}` (or a QFSign_Error on checkout). */
export class GatewayError extends Error {
  constructor(readonly respcd: string, readonly resperr: string = messageFor(respcd)) {
    super(`${respcd} ${resperr}`)
    this.name = "GatewayError"
  }
}

export const paramError = (detail: string): GatewayError => new GatewayError("1104", `Request parameter error: ${detail}`)

export function requireParams(params: Record<string, string>, names: readonly string[]): void {
  const missing = names.filter((n) => !params[n])
  if (missing.length) throw paramError(`missing required parameter(s) ${missing.join(", ")}`)
}

/** Int(11) minor units: a positive integer without sign, decimals or leading zeros. */
export function checkAmount(value: string, field = "txamt"): number {
  if (!/^[1-9]\d{0,10}$/.test(value)) {
    throw paramError(`${field} must be a positive integer amount in minor units (got "${value}")`)
  }
  return Number(value)
}

export function checkCurrency(value: string): string {
  if (!CURRENCIES.has(value)) throw paramError(`txcurrcd ${value} is not supported`)
  return value
}

/** Strict 24-hour `YYYY-MM-DD HH:mm:ss`; 12-hour clocks and impossible dates are rejected. */
export function checkTimestamp(value: string, field = "txdtm"): number {
  const ms = parseHk(value)
  if (ms === undefined) throw paramError(`${field} must be "YYYY-MM-DD HH:mm:ss" in 24-hour time (got "${value}")`)
  return ms
}

export function checkOutTradeNo(value: string): void {
  if (value.length > 128) throw paramError("out_trade_no is longer than 128 characters")
}

export function checkPayTypeCurrency(info: PayTypeInfo, currency: string): void {
  if (info.hkdOnly && currency !== "HKD") {
    throw paramError(`pay_type ${info.code} (${info.name}) only supports HKD`)
  }
}

/** 801101 (Alipay web) needs more than HKD 1.00. */
export function checkPayTypeAmount(info: PayTypeInfo, txamt: number): void {
  if (info.code === "801101" && txamt <= 100) throw paramError("pay_type 801101 requires txamt above 100")
}

export function lookupPayType(code: string): PayTypeInfo {
  const info = PAY_TYPES.get(code)
  if (!info) throw paramError(`pay_type ${code} is not supported`)
  return info
}

/** QR lifetime in minutes, 5..120, default 30. */
export function checkExpiredTime(value: string | undefined): number {
  if (value === undefined) return 30
  if (!/^\d{1,3}$/.test(value) || Number(value) < 5 || Number(value) > 120) {
    throw paramError("expired_time must be an integer number of minutes between 5 and 120")
  }
  return Number(value)
}

export function checkUrl(value: string | undefined, field: string, maxLength: number): void {
  if (value === undefined) return
  if (value.length > maxLength) throw paramError(`${field} is longer than ${maxLength} characters`)
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw paramError(`${field} is not an absolute URL`)
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw paramError(`${field} must be http(s)`)
}

export function checkGoodsName(value: string | undefined): void {
  if (value !== undefined && [...value].length > 64) throw paramError("goods_name is longer than 64 characters")
}
