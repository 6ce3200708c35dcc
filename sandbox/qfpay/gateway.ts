/**
 * The /trade/v1/* API: strict request authentication plus one small function per endpoint. Handlers are
 * synchronous and return the JSON body; business errors are thrown as GatewayError and answered with
 * HTTP 200 by the HTTP layer (server.ts), which also applies faults and the rate limit.
 */
import type { IncomingHttpHeaders } from "node:http"
import { qfpayParamsSignature, secretsMatch, type HashName } from "../shared/signatures"
import { CLOSE_PAY_TYPES, REVERSAL_PAY_TYPES, VOID_SAME_DAY_PAY_TYPES, type PayTypeInfo } from "./catalogue"
import { formatHk, hkDateDigits, parseHk } from "./clock"
import type { Merchant, SimCore } from "./core"
import { queryView, recordFields, type TxnRecord } from "./store"
import {
  checkAmount,
  checkCurrency,
  checkExpiredTime,
  checkGoodsName,
  checkOutTradeNo,
  checkPayTypeAmount,
  checkPayTypeCurrency,
  checkTimestamp,
  checkUrl,
  GatewayError,
  lookupPayType,
  paramError,
  requireParams,
} from "./validation"

export type JsonBody = Record<string, unknown>

export interface TradeCall {
  merchant: Merchant
  params: Record<string, string>
}

export interface RefundOptions {
  /** Set by a `respcd 1143` fault: the refund is created "processing" and settles after this (scaled). */
  settleAfterMs?: number
  /** Lock key of a refund that holds its own in-flight lock (delayed by a fault). */
  ownLockKey?: string
}

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * Checks 1-5 of every /trade/v1 call, in QFPay's order: content type, app code, sign type, signature
 * (over the params exactly as received), mchid. Returns the merchant and the decoded params.
 */
export function authenticate(core: SimCore, headers: IncomingHttpHeaders, body: string): TradeCall {
  const [mime, ...attributes] = (header(headers, "content-type") ?? "").split(";").map((s) => s.trim().toLowerCase())
  if (mime !== "application/x-www-form-urlencoded") {
    throw new GatewayError("1103", "Request format error: Content-Type must be application/x-www-form-urlencoded")
  }
  const charset = attributes.find((a) => a.startsWith("charset="))?.slice(8).replace(/"/g, "")
  if (charset && charset !== "utf-8" && charset !== "utf8") {
    throw new GatewayError("1103", "Request format error: the body must be UTF-8")
  }

  const appCode = header(headers, "x-qf-appcode")
  const merchant = appCode ? core.merchants.get(appCode) : undefined
  if (!merchant) {
    throw new GatewayError("1108", appCode ? "app code is unknown (X-QF-APPCODE)" : "X-QF-APPCODE header is missing")
  }

  const algorithm = signAlgorithm(header(headers, "x-qf-signtype"))
  const params = decodeForm(body)

  const expected = qfpayParamsSignature(params, merchant.clientKey, algorithm)
  if (!secretsMatch(expected, header(headers, "x-qf-sign"), { hex: true })) {
    core.logger.warn(`signature error for app code ${merchant.appCode} (${algorithm})`)
    throw new GatewayError("1108", "signature error")
  }

  // An issued mchid must be sent on every call; without one, sending any mchid is an error (§2).
  if (merchant.mchid && params.mchid !== merchant.mchid) {
    throw paramError(params.mchid ? "mchid does not belong to this app code" : "mchid is required for this app code")
  }
  if (!merchant.mchid && params.mchid !== undefined) {
    throw paramError("mchid must not be sent: no mchid was issued for this app code")
  }
  return { merchant, params }
}

function signAlgorithm(signType: string | undefined): HashName {
  if (signType === undefined || signType === "") return "md5"
  const upper = signType.toUpperCase()
  if (upper === "MD5") return "md5"
  if (upper === "SHA256") return "sha256"
  throw paramError(`X-QF-SIGNTYPE ${signType} is not supported (MD5 or SHA256)`)
}

/**
 * Form-decodes the body. Empty values are refused rather than silently dropped: QFPay signs what is sent,
 * and a client that sends `a=` but signs without it (or the reverse) would only fail on the real gateway.
 */
function decodeForm(body: string): Record<string, string> {
  const params: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(body)) {
    if (key in params) throw paramError(`parameter ${key} is sent more than once`)
    if (value === "") throw paramError(`parameter ${key} is empty; send only non-empty parameters`)
    params[key] = value
  }
  return params
}

// ---------------------------------------------------------------------------------------------------------
// POST /trade/v1/payment

export function handlePayment(core: SimCore, { merchant, params: p }: TradeCall): JsonBody {
  requireParams(p, ["txamt", "txcurrcd", "pay_type", "out_trade_no", "txdtm"])
  const txamt = checkAmount(p.txamt)
  const currency = checkCurrency(p.txcurrcd)
  checkTimestamp(p.txdtm)
  const info = lookupPayType(p.pay_type)
  if (!merchant.enabled.has(info.code)) {
    throw paramError(`filter_error: pay_type ${info.code} not enabled for this merchant (获取用户支付通道失败)`)
  }
  if (info.mode === "card") throw paramError(`pay_type ${info.code} is only available through checkout or Payment Element`)
  checkPayTypeCurrency(info, currency)
  checkPayTypeAmount(info, txamt)
  checkOutTradeNo(p.out_trade_no)
  const expiresInMinutes = checkExpiredTime(p.expired_time)
  checkGoodsName(p.goods_name)
  checkUrl(p.notify_url, "notify_url", 256)
  checkUrl(p.return_url, "return_url", 512)
  checkPayTypeExtras(info, p)

  if (core.ledger.outTradeNoUsed(merchant.appCode, p.out_trade_no)) {
    throw new GatewayError("1102", "Duplicate request: out_trade_no has been used (订单号重复)")
  }

  const record = core.ledger.openPayment(merchant.appCode, {
    out_trade_no: p.out_trade_no,
    pay_type: info.code,
    txamt: p.txamt,
    txcurrcd: currency,
    txdtm: p.txdtm,
    cardtp: "5",
    udid: p.udid,
    goods_name: p.goods_name,
    goods_info: p.goods_info,
    goods_detail: p.goods_detail,
    source: "api",
    notify_url: p.notify_url,
    return_url: p.return_url,
    expiresAt: core.clock.now() + core.scaled(expiresInMinutes * 60_000),
  })

  const response: JsonBody = { respcd: "0000", resperr: "success", respmsg: "" }
  if (info.mode === "cpm") {
    Object.assign(response, chargeCustomerCode(core, record, p.auth_code ?? ""))
  } else if (info.mode === "mpm") {
    response.qrcode = `${core.url}/sim/scan/${record.syssn}`
  } else if (info.mode === "web") {
    response.pay_url = `${core.url}/sim/pay/${record.syssn}`
  } else {
    response.pay_params = payParams(core, record)
  }
  core.logger.info(`payment ${record.syssn} ${info.code} ${record.txamt} ${record.txcurrcd} ${record.status}`)
  return { ...response, ...paymentEcho(record) }
}

function checkPayTypeExtras(info: PayTypeInfo, p: Record<string, string>): void {
  if (info.mode === "cpm" && !p.auth_code) throw paramError(`auth_code is required for pay_type ${info.code}`)
  if (info.mode === "app" && !p.goods_name) throw paramError(`goods_name is required for in-app pay_type ${info.code}`)
  if (info.requires && !p[info.requires]) throw paramError(`${info.requires} is required for pay_type ${info.code}`)
  if (info.requires === "extend_info") {
    // 800212 needs a JSON string (scene_info + spbill_create_ip); the same string is what gets signed.
    try {
      const parsed: unknown = JSON.parse(p.extend_info)
      if (!parsed || typeof parsed !== "object") throw new Error("not an object")
    } catch {
      throw paramError("extend_info must be a JSON object string")
    }
  }
}

/**
 * CPM is synchronous. The simulated wallet decides from the scanned code: `fail…` is declined (1205),
 * `pending…` leaves the customer "entering the password" (1143, completes via /__sim), anything else pays.
 */
function chargeCustomerCode(core: SimCore, record: TxnRecord, authCode: string): JsonBody {
  if (authCode.startsWith("fail")) {
    core.markFailed(record)
    return { respcd: "1205", resperr: "Transaction failed, please try later" }
  }
  if (authCode.startsWith("pending")) {
    return { respcd: "1143", resperr: "Order not paid, customer is entering the password" }
  }
  core.markPaid(record)
  return {}
}

function payParams(core: SimCore, record: TxnRecord): Record<string, string> {
  const nonce = record.syssn.slice(-16)
  const timestamp = String(Math.floor(core.clock.now() / 1000))
  switch (record.pay_type) {
    case "800107":
      return { tradeNO: record.syssn }
    case "800207":
    case "800213":
      return {
        appId: "wxsimulator000001",
        timeStamp: timestamp,
        nonceStr: nonce,
        package: `prepay_id=wxsim${record.syssn}`,
        signType: "MD5",
        paySign: "SIMULATED",
      }
    case "800210":
    case "801010":
      return {
        appid: "wxsimulator000001",
        partnerid: "1000000001",
        prepayid: `wxsim${record.syssn}`,
        package: "Sign=WXPay",
        noncestr: nonce,
        timestamp,
        sign: "SIMULATED",
      }
    default:
      // Other app flows launch a URL; in the simulator that is the shopper page.
      return { pay_url: `${core.url}/sim/pay/${record.syssn}` }
  }
}

/** Fields every payment response echoes (§6.2). */
function paymentEcho(r: TxnRecord): JsonBody {
  return recordFields(r, ["syssn", "out_trade_no", "pay_type", "txamt", "txcurrcd", "txdtm", "sysdtm", "paydtm", "chnlsn", "cardcd", "udid"])
}

// ---------------------------------------------------------------------------------------------------------
// POST /trade/v1/query

const list = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter(Boolean)

export function handleQuery(core: SimCore, { merchant, params: p }: TradeCall): JsonBody {
  const page = pageNumber(p.page, "page", 1, Infinity, 1)
  const pageSize = pageNumber(p.page_size, "page_size", 1, 100, 10)
  const syssns = list(p.syssn)
  const outTradeNos = list(p.out_trade_no)
  const payTypes = list(p.pay_type)
  const respcds = list(p.respcd)

  let records = core.ledger.forMerchant(merchant.appCode)
  if (syssns || outTradeNos) {
    // Ids given: the time window is ignored. Both lists given: a record must match both.
    if (syssns) records = records.filter((r) => syssns.includes(r.syssn))
    if (outTradeNos) records = records.filter((r) => outTradeNos.includes(r.out_trade_no))
  } else {
    const [from, to] = timeWindow(core, p.start_time, p.end_time)
    records = records.filter((r) => {
      const at = parseHk(r.sysdtm) ?? 0
      return at >= from && at <= to
    })
  }
  let data = records.map((r) => queryView(r, merchant.userid))
  if (payTypes) data = data.filter((d) => payTypes.includes(d.pay_type))
  if (respcds) data = data.filter((d) => respcds.includes(d.respcd))

  return {
    respcd: "0000",
    resperr: "请求成功",
    respmsg: "",
    page: String(page),
    page_size: String(pageSize),
    data: data.slice((page - 1) * pageSize, page * pageSize),
  }
}

function pageNumber(value: string | undefined, field: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw paramError(`${field} must be an integer between ${min} and ${max === Infinity ? "∞" : max}`)
  }
  return Number(value)
}

/** start_time / end_time filter sysdtm; default = the current month; a window may not span two months. */
function timeWindow(core: SimCore, start: string | undefined, end: string | undefined): [number, number] {
  const month = formatHk(core.clock.now()).slice(0, 7)
  const startText = start ?? `${month}-01 00:00:00`
  const from = checkTimestamp(startText, "start_time")
  let to: number
  if (end !== undefined) {
    to = checkTimestamp(end, "end_time")
  } else {
    // Last second of the start's month.
    const [y, m] = startText.slice(0, 7).split("-").map(Number)
    to = (parseHk(`${m === 12 ? y + 1 : y}-${String((m % 12) + 1).padStart(2, "0")}-01 00:00:00`) ?? from) - 1000
  }
  const endText = formatHk(to)
  if (to < from) throw paramError("end_time is before start_time")
  if (startText.slice(0, 7) !== endText.slice(0, 7)) {
    throw paramError("start_time and end_time must be within the same calendar month")
  }
  return [from, to]
}

// ---------------------------------------------------------------------------------------------------------
// POST /trade/v1/refund

export function handleRefund(core: SimCore, { merchant, params: p }: TradeCall, options: RefundOptions = {}): JsonBody {
  requireParams(p, ["syssn", "out_trade_no", "txamt", "txdtm"])
  const amount = checkAmount(p.txamt)
  checkTimestamp(p.txdtm)
  checkOutTradeNo(p.out_trade_no)

  const original = core.ledger.find(p.syssn)
  if (!original || original.appCode !== merchant.appCode || original.order_type !== "payment") {
    throw new GatewayError("1136", "Transaction does not exist or is not operable")
  }
  if (core.ledger.outTradeNoUsed(merchant.appCode, p.out_trade_no)) {
    throw new GatewayError("1251", "out_trade_no is used - Do not use duplicate out_trade_no for request(1251)")
  }
  if (original.status === "reversed") throw new GatewayError("1263")
  if (original.status === "closed") throw new GatewayError("1264")
  if (original.status !== "paid") throw new GatewayError("1261")
  // A fully refunded order reads as closed to the refund API ("wrong cancel" in the field notes).
  if (original.cancel === "3") throw new GatewayError("1264", "Order closed: wrong cancel, already fully refunded")
  if (p.txcurrcd !== undefined && p.txcurrcd !== original.txcurrcd) {
    throw paramError(`txcurrcd must be the original payment's currency ${original.txcurrcd}`)
  }
  if (refundInProgress(core, original, options.ownLockKey)) {
    throw new GatewayError("1145", "You still have processing requests, please try again later")
  }

  const reserved = core.ledger
    .refundsOf(original.syssn)
    .filter((r) => r.status === "paid" || r.status === "processing")
    .reduce((sum, r) => sum + Number(r.txamt), 0)
  const remaining = Number(original.txamt) - reserved
  if (amount > remaining) {
    throw new GatewayError("1272", `Refund amount exceeds the refundable amount (${remaining} remaining)`)
  }
  // Same-day card refunds are voids and must cover the whole payment (field notes, code 1124).
  const sameDay = hkDateDigits(parseHk(original.paydtm) ?? 0) === hkDateDigits(core.clock.now())
  if (VOID_SAME_DAY_PAY_TYPES.has(original.pay_type) && sameDay && (reserved > 0 || amount !== Number(original.txamt))) {
    throw new GatewayError("1124", "For void request, it must be a full refund")
  }

  const refund = core.ledger.create({
    appCode: merchant.appCode,
    out_trade_no: p.out_trade_no,
    order_type: "refund",
    pay_type: original.pay_type,
    txamt: p.txamt,
    txcurrcd: original.txcurrcd,
    txdtm: p.txdtm,
    status: "processing",
    chnlsn: core.ledger.newChnlsn(),
    cardcd: original.cardcd,
    cardtp: original.cardtp,
    udid: p.udid,
    goods_name: original.goods_name,
    goods_info: original.goods_info,
    goods_detail: "",
    origssn: original.syssn,
    orig_out_trade_no: original.out_trade_no,
    source: "refund",
  })

  let outcome: JsonBody
  if (options.settleAfterMs !== undefined) {
    refund.settlesAt = core.clock.now() + core.scaled(options.settleAfterMs)
    core.scheduleSettlement(refund)
    outcome = { respcd: "1143", resperr: "Refund is processing, please query later", respmsg: "" }
  } else {
    core.settleRefund(refund)
    outcome = { respcd: "0000", resperr: "success", respmsg: "" }
  }
  core.logger.info(`refund ${refund.syssn} of ${original.syssn} ${refund.txamt} ${refund.status}`)
  return {
    syssn: refund.syssn,
    orig_syssn: original.syssn,
    ...recordFields(refund, ["out_trade_no", "txamt", "txcurrcd", "txdtm", "sysdtm", "paydtm", "chnlsn", "cardcd", "udid"]),
    ...outcome,
  }
}

export const refundLockKey = (appCode: string, syssn: string): string => `${appCode}|${syssn}`

/** Another refund on the same payment is still settling, or its request is still in flight. */
function refundInProgress(core: SimCore, original: TxnRecord, ownLockKey: string | undefined): boolean {
  if (core.ledger.refundsOf(original.syssn).some((r) => r.status === "processing")) return true
  const key = refundLockKey(original.appCode, original.syssn)
  const holders = (core.refundLocks.get(key) ?? 0) - (ownLockKey === key ? 1 : 0)
  return holders > 0
}

// ---------------------------------------------------------------------------------------------------------
// POST /trade/v1/close and /trade/v1/reversal

export function handleCancel(core: SimCore, kind: "close" | "reversal", { merchant, params: p }: TradeCall): JsonBody {
  requireParams(p, ["txamt", "txdtm"])
  if (!p.syssn && !p.out_trade_no) throw paramError("syssn or out_trade_no is required")
  checkAmount(p.txamt)
  checkTimestamp(p.txdtm)

  const record = findPayment(core, merchant, p.syssn, p.out_trade_no)
  if (!record) throw new GatewayError("1136", "Transaction does not exist or is not operable")
  const supported = kind === "close" ? CLOSE_PAY_TYPES : REVERSAL_PAY_TYPES
  if (!supported.has(record.pay_type)) throw paramError(`pay_type ${record.pay_type} does not support ${kind}`)
  if (p.txamt !== record.txamt) throw new GatewayError("1266", "Transaction amount wrong: txamt must equal the original")
  if (record.status === "closed") throw new GatewayError("1264")
  if (record.status === "reversed") throw new GatewayError("1263")
  if (record.status === "paid") {
    // Close only stops unpaid orders; reversal also undoes a completed CPM charge or voids a card payment.
    const reversible = kind === "reversal" && (lookupPayType(record.pay_type).mode === "cpm" || lookupPayType(record.pay_type).mode === "card")
    if (!reversible) throw new GatewayError("1260", "Order already paid; use a refund")
    if (record.cancel !== "0") throw new GatewayError("1262")
  }

  if (kind === "close") {
    record.status = "closed"
    record.cancel = "2"
  } else {
    record.status = "reversed"
    record.cancel = "1"
  }
  core.logger.info(`${kind} ${record.syssn}`)
  return {
    orig_syssn: record.syssn,
    syssn: core.ledger.newSyssn(),
    out_trade_no: record.out_trade_no,
    txamt: record.txamt,
    txcurrcd: record.txcurrcd,
    txdtm: p.txdtm,
    sysdtm: core.ledger.nowText(),
    chnlsn: "",
    respcd: "0000",
    resperr: "success",
    respmsg: "",
  }
}

/** By syssn, else the latest payment with that out_trade_no (checkout may have made several). */
function findPayment(core: SimCore, merchant: Merchant, syssn?: string, outTradeNo?: string): TxnRecord | undefined {
  const mine = (r: TxnRecord | undefined): r is TxnRecord =>
    !!r && r.appCode === merchant.appCode && r.order_type === "payment"
  if (syssn) {
    const record = core.ledger.find(syssn)
    if (!mine(record) || (outTradeNo && record.out_trade_no !== outTradeNo)) return undefined
    return record
  }
  const matches = core.ledger.forMerchant(merchant.appCode).filter((r) => mine(r) && r.out_trade_no === outTradeNo)
  return matches[matches.length - 1]
}
