/**
 * Hosted checkout ("checkstand", reference §7). The page itself is static; it hands the URL-hash params to
 * these two JSON endpoints, which validate them the way QFPay does (anything wrong → a QFSign_Error page)
 * and, on submit, create the transaction record. No record exists before submit.
 */
import { qfpayParamsSignature, secretsMatch } from "../shared/signatures"
import { formatAmount, PAY_TYPES } from "./catalogue"
import type { Merchant, SimCore } from "./core"
import type { CheckoutSession } from "./store"
import {
  checkAmount,
  checkCurrency,
  checkExpiredTime,
  checkGoodsName,
  checkOutTradeNo,
  checkTimestamp,
  checkUrl,
  GatewayError,
} from "./validation"

/** A checkout problem, shown on the page as a QFSign_Error with this reason. */
export class CheckoutError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "CheckoutError"
  }
}

const REQUIRED = [
  "appcode",
  "sign_type",
  "sign",
  "paysource",
  "txamt",
  "txcurrcd",
  "out_trade_no",
  "txdtm",
  "return_url",
  "failed_url",
  "notify_url",
] as const

/** `sign` is the signature itself; `lang` is excluded per the older docs. */
const UNSIGNED = ["sign", "lang"] as const

export interface CheckoutMethod {
  pay_type: string
  name: string
}

export interface CheckoutOrder {
  out_trade_no: string
  txamt: string
  txcurrcd: string
  /** e.g. "HKD 12.34" */
  amount: string
  goods_name: string
  methods: CheckoutMethod[]
  /** Milliseconds (simulator clock) until the page expires; absent = no page expiry. */
  expiresInMs?: number
  return_url: string
  failed_url: string
  cancel_url?: string
}

export type CheckoutOpenResult =
  | { ok: true; order: CheckoutOrder }
  | { ok: false; expired: true; error: string; redirect: string }

export interface CheckoutSubmitResult {
  ok: true
  redirect: string
  syssn?: string
  expired?: boolean
}

interface ValidCheckout {
  merchant: Merchant
  params: Record<string, string>
}

/** POST /checkstand/api/open */
export function openCheckout(core: SimCore, raw: unknown): CheckoutOpenResult {
  const { merchant, params } = validateCheckout(core, raw)
  const session = sessionFor(core, merchant, params)
  const remaining = timeLeft(core, session, params.checkout_expired_time)
  if (remaining !== undefined && remaining <= 0) {
    return { ok: false, expired: true, error: "checkout expired", redirect: params.failed_url }
  }
  return {
    ok: true,
    order: {
      out_trade_no: params.out_trade_no,
      txamt: params.txamt,
      txcurrcd: params.txcurrcd,
      amount: formatAmount(params.txamt, params.txcurrcd),
      goods_name: params.goods_name ?? "",
      methods: methodsFor(merchant, params.txcurrcd),
      expiresInMs: remaining,
      return_url: params.return_url,
      failed_url: params.failed_url,
      cancel_url: params.cancel_url,
    },
  }
}

/**
 * POST /checkstand/api/submit `{params, outcome, pay_type}`. `pay` records a success (and a second `pay`
 * from another tab records a second success, as the real gateway does); `fail` records a 1205;
 * `expire` records nothing. Each answers with where the browser goes next.
 */
export function submitCheckout(core: SimCore, body: unknown): CheckoutSubmitResult {
  const input = (body && typeof body === "object" ? body : {}) as Record<string, unknown>
  const outcome = input.outcome
  if (outcome !== "pay" && outcome !== "fail" && outcome !== "expire") {
    throw new CheckoutError('outcome must be "pay", "fail" or "expire"')
  }
  const { merchant, params } = validateCheckout(core, input.params)
  const session = sessionFor(core, merchant, params)
  const remaining = timeLeft(core, session, params.checkout_expired_time)
  if (outcome === "expire" || (remaining !== undefined && remaining <= 0)) {
    core.logger.info(`checkout ${params.out_trade_no} expired; no transaction`)
    return { ok: true, redirect: params.failed_url, expired: true }
  }

  const payType = input.pay_type
  if (typeof payType !== "string" || !methodsFor(merchant, params.txcurrcd).some((m) => m.pay_type === payType)) {
    throw new CheckoutError(`pay_type ${String(payType)} is not offered for this order`)
  }
  const record = core.ledger.openPayment(merchant.appCode, {
    out_trade_no: params.out_trade_no,
    pay_type: payType,
    txamt: params.txamt,
    txcurrcd: params.txcurrcd,
    txdtm: params.txdtm,
    cardtp: PAY_TYPES.get(payType)?.mode === "card" ? "2" : "5",
    udid: params.udid,
    goods_name: params.goods_name,
    source: "checkout",
    notify_url: params.notify_url,
    return_url: params.return_url,
    failed_url: params.failed_url,
  })
  if (outcome === "pay") core.markPaid(record)
  else core.markFailed(record)
  core.logger.info(`checkout ${params.out_trade_no} → ${record.syssn} ${record.status}`)
  return { ok: true, redirect: outcome === "pay" ? params.return_url : params.failed_url, syssn: record.syssn }
}

function validateCheckout(core: SimCore, raw: unknown): ValidCheckout {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new CheckoutError("missing checkout parameters")
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== "string") throw new CheckoutError(`parameter ${key} must be a string`)
    params[key] = value
  }

  const merchant = params.appcode ? core.merchants.get(params.appcode) : undefined
  if (!merchant) throw new CheckoutError(params.appcode ? "appcode is unknown" : "appcode is missing")
  const signType = (params.sign_type ?? "").toLowerCase()
  if (signType !== "md5" && signType !== "sha256") throw new CheckoutError("sign_type must be md5 or sha256")
  const missing = REQUIRED.filter((name) => !params[name])
  if (missing.length) throw new CheckoutError(`missing required parameter(s) ${missing.join(", ")}`)

  const expected = qfpayParamsSignature(params, merchant.clientKey, signType, UNSIGNED)
  if (!secretsMatch(expected, params.sign, { hex: true })) {
    core.logger.warn(`checkout signature error for app code ${merchant.appCode} (${signType})`)
    throw new CheckoutError("signature error (sign does not match the parameters)")
  }

  // The checkout names the sub-merchant `mchntid` (the API's `mchid`).
  if (params.mchid !== undefined) throw new CheckoutError("use mchntid, not mchid, on the checkout")
  if (merchant.mchid && params.mchntid !== merchant.mchid) {
    throw new CheckoutError(params.mchntid ? "mchntid does not belong to this appcode" : "mchntid is required for this appcode")
  }
  if (!merchant.mchid && params.mchntid !== undefined) {
    throw new CheckoutError("mchntid must not be sent: no mchid was issued for this appcode")
  }
  if (!params.paysource.endsWith("_checkout")) throw new CheckoutError('paysource must end with "_checkout"')

  try {
    checkAmount(params.txamt)
    checkCurrency(params.txcurrcd)
    checkTimestamp(params.txdtm)
    checkOutTradeNo(params.out_trade_no)
    checkUrl(params.return_url, "return_url", 512)
    checkUrl(params.failed_url, "failed_url", 512)
    checkUrl(params.notify_url, "notify_url", 256)
    checkUrl(params.cancel_url, "cancel_url", 512)
    checkGoodsName(params.goods_name)
    if (params.expired_time !== undefined) checkExpiredTime(params.expired_time)
  } catch (err) {
    if (err instanceof GatewayError) throw new CheckoutError(err.resperr)
    throw err
  }
  const cet = params.checkout_expired_time
  if (cet !== undefined && !/^\d{1,3}$/.test(cet) && !/^\d{13}$/.test(cet)) {
    throw new CheckoutError("checkout_expired_time must be minutes (1-3 digits) or a 13-digit Unix time in ms")
  }
  if (methodsFor(merchant, params.txcurrcd).length === 0) {
    throw new CheckoutError(`no payment method is available for ${params.txcurrcd}`)
  }
  return { merchant, params }
}

/**
 * The checkout order behind an out_trade_no. It may be opened and paid again only with the same amount
 * and currency; an out_trade_no used by an API payment or a refund is refused.
 */
function sessionFor(core: SimCore, merchant: Merchant, params: Record<string, string>): CheckoutSession {
  if (core.ledger.outTradeNoUsedOutsideCheckout(merchant.appCode, params.out_trade_no)) {
    throw new CheckoutError("out_trade_no has been used by another transaction (1102)")
  }
  const existing = core.ledger.session(merchant.appCode, params.out_trade_no)
  if (existing) {
    if (existing.txamt !== params.txamt || existing.txcurrcd !== params.txcurrcd) {
      throw new CheckoutError("out_trade_no has been used with a different amount or currency (1102)")
    }
    return existing
  }
  const session: CheckoutSession = {
    appCode: merchant.appCode,
    out_trade_no: params.out_trade_no,
    txamt: params.txamt,
    txcurrcd: params.txcurrcd,
    firstOpenedAt: core.clock.now(),
  }
  core.ledger.saveSession(session)
  return session
}

/**
 * Remaining page lifetime in simulator ms. Minutes count from the first open and are scaled by
 * timeScale; a 13-digit value is an absolute deadline compared with the simulator clock.
 */
function timeLeft(core: SimCore, session: CheckoutSession, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const deadline = value.length === 13 ? Number(value) : session.firstOpenedAt + core.scaled(Number(value) * 60_000)
  return deadline - core.clock.now()
}

function methodsFor(merchant: Merchant, currency: string): CheckoutMethod[] {
  return merchant.checkoutMethods
    .map((code) => PAY_TYPES.get(code))
    .filter((info): info is NonNullable<typeof info> => !!info && (!info.hkdOnly || currency === "HKD"))
    .map((info) => ({ pay_type: info.code, name: info.name }))
}
