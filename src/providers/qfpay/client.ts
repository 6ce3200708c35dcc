import { GatewayError } from "../../lib/errors"
import { createGatewayHttpClient, parseJsonBody, HttpClient, LoggerLike, RetryPolicy } from "../../lib/http"
import { compactParams, signSortedParams, SignableParams } from "../../lib/signing"
import type { QfpayOptions } from "./options"
import { apiCodeMeaning, ApiCodeMeaning } from "./codes"

export const GATEWAY = "QFPay"

/** A flat QFPay API response or query record; values are mostly strings. */
export type QfpayRecord = Record<string, unknown> & {
  respcd?: string
  resperr?: string
  syssn?: string
  out_trade_no?: string
  order_type?: string
  txamt?: string | number
  txcurrcd?: string
}

export type QfpayResult = { body: QfpayRecord; meaning: ApiCodeMeaning }

/** `YYYY-MM-DD HH:mm:ss` in Hong Kong time (UTC+8, no DST), 24-hour clock. */
export function formatTxdtm(date: Date): string {
  const hk = new Date(date.getTime() + 8 * 3600_000)
  const pad = (n: number) => String(n).padStart(2, "0")
  return (
    `${hk.getUTCFullYear()}-${pad(hk.getUTCMonth() + 1)}-${pad(hk.getUTCDate())} ` +
    `${pad(hk.getUTCHours())}:${pad(hk.getUTCMinutes())}:${pad(hk.getUTCSeconds())}`
  )
}

/**
 * The one way out to QFPay: signs, sends through lib/http, parses the flat JSON answer and classifies its
 * `respcd`. Business codes come back as a `meaning` for the service to act on; transport problems and
 * unreadable answers are thrown as GatewayError.
 */
export class QfpayClient {
  readonly http: HttpClient

  constructor(private readonly options: QfpayOptions, logger?: LoggerLike) {
    this.http = createGatewayHttpClient(GATEWAY, options, logger, {
      secrets: [options.clientKey],
      sensitiveNames: ["x-qf-sign"],
    })
  }

  /** Signs exactly the non-empty params that are sent. */
  private signedForm(params: SignableParams): { form: Record<string, string>; headers: Record<string, string> } {
    const form = compactParams({ ...params, mchid: this.options.mchid })
    const headers: Record<string, string> = {
      "X-QF-APPCODE": this.options.appCode,
      "X-QF-SIGN": signSortedParams(form, this.options.clientKey, this.options.signType === "SHA256" ? "sha256" : "md5"),
    }
    if (this.options.signType === "SHA256") headers["X-QF-SIGNTYPE"] = "SHA256"
    return { form, headers }
  }

  private async call(
    operation: "payment" | "refund" | "cancel" | "query",
    path: string,
    params: SignableParams,
    retry: RetryPolicy
  ): Promise<QfpayResult> {
    const { form, headers } = this.signedForm(params)
    const response = await this.http.request({ operation: `${operation} ${path}`, method: "POST", path, form, headers, retry })
    const body: unknown = parseJsonBody(response, GATEWAY, path)
    if (!body || typeof body !== "object" || Array.isArray(body) || !("respcd" in body)) {
      throw new GatewayError("malformed_response", GATEWAY, `${path} answered without a respcd`, { httpStatus: response.status })
    }
    const record = body as QfpayRecord
    return { body: record, meaning: apiCodeMeaning(record.respcd, record.resperr, operation) }
  }

  /**
   * `/trade/v1/payment` (reference §6): creates the order for a QR code or wallet link. Moves money once
   * paid and QFPay does not deduplicate it for us: a lost answer is never resent.
   */
  createOrder(params: {
    txamt: string
    txcurrcd: string
    pay_type: string
    out_trade_no: string
    txdtm: string
    expired_time?: string
    goods_name?: string
    notify_url?: string
    return_url?: string
  }): Promise<QfpayResult> {
    return this.call("payment", "/trade/v1/payment", params, "never")
  }

  /**
   * `/trade/v1/refund` (reference §10). `out_trade_no` is the refund's own id: QFPay refuses a second
   * refund with it, but a lost answer is still looked up by the caller, never resent blindly.
   */
  refund(params: { syssn: string; out_trade_no: string; txamt: string; txdtm: string }): Promise<QfpayResult> {
    return this.call("refund", "/trade/v1/refund", params, "never")
  }

  /** `/trade/v1/close` or `/trade/v1/reversal` (reference §9): stopping an order twice is harmless, so it may be retried. */
  stopOrder(method: "close" | "reversal", params: { syssn: string; txamt: string; txdtm: string }): Promise<QfpayResult> {
    return this.call("cancel", method === "close" ? "/trade/v1/close" : "/trade/v1/reversal", params, "idempotent")
  }

  /**
   * All transaction records for our ids (payments and refunds mixed, as QFPay returns them), following
   * pages. A read: safe to retry.
   */
  async query(filter: { out_trade_no?: string; syssn?: string }): Promise<QfpayRecord[]> {
    const records: QfpayRecord[] = []
    const pageSize = 100
    for (let page = 1; page <= 10; page++) {
      const { body, meaning } = await this.call("query", "/trade/v1/query", { ...filter, page, page_size: pageSize }, "idempotent")
      if (meaning.outcome !== "ok") {
        throw errorFromMeaning(meaning, body, "query the transaction")
      }
      const data = Array.isArray(body.data) ? (body.data as QfpayRecord[]) : []
      records.push(...data)
      if (data.length < pageSize) break
    }
    return records
  }

  /** The signed hosted-checkout URL (reference §7). No API call: QFPay checks the signature when the page opens. */
  checkoutUrl(params: {
    txamt: string
    txcurrcd: string
    out_trade_no: string
    txdtm: string
    return_url: string
    failed_url: string
    notify_url: string
    checkout_expired_time?: string
  }): string {
    const o = this.options
    const signType = o.signType === "SHA256" ? "sha256" : "md5"
    const signed = compactParams({
      appcode: o.appCode,
      sign_type: signType,
      paysource: o.paysource,
      mchntid: o.mchid,
      goods_name: o.goodsName,
      cancel_url: o.cancelUrl,
      expired_time: String(o.qrExpiryMinutes),
      ...params,
    })
    const sign = signSortedParams(signed, o.clientKey, signType)
    const pairs = Object.entries({ ...signed, ...(o.lang ? { lang: o.lang } : {}) }).map(
      ([k, v]) => `${k}=${encodeURIComponent(v)}`
    )
    return `${o.baseUrl}/checkstand/#/?${pairs.join("&")}&sign=${sign}`
  }
}

/** A GatewayError for an unexpected business answer; the message carries QFPay's code, never a secret. */
export function errorFromMeaning(meaning: ApiCodeMeaning, body: QfpayRecord, action: string): GatewayError {
  const code = String(body.respcd ?? "")
  if (meaning.outcome === "error") {
    return new GatewayError(meaning.kind, GATEWAY, meaning.message, { code })
  }
  return new GatewayError("declined", GATEWAY, `unexpected answer "${meaning.outcome}" when trying to ${action}`, { code })
}
