import { MedusaError, PaymentActions } from "@medusajs/framework/utils"
import type {
  CancelPaymentInput,
  CancelPaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { GatewayError, isGatewayError, toMedusaError } from "../../lib/errors"
import { sessionIdFromMerchantOrderId } from "../../lib/merchant-order-id"
import { fromMinorUnits, parseMinor } from "../../lib/money"
import { describeError as describe, GatewayPaymentProvider } from "../../lib/provider-base"
import { NextAction, NO_ACTION, readSessionData, RecordedRefund } from "../../lib/session-data"
import { sessionForWebhook } from "../../lib/webhook"
import { errorFromMeaning, formatTxdtm, GATEWAY, QfpayClient, QfpayRecord } from "./client"
import { parseQfpayOptions, QfpayOptions } from "./options"
import { PAY_TYPES, QfpayPaymentStatus, SESSION_STATUS_BY_PAYMENT_STATUS, transactionStateFrom } from "./status"
import { verifyQfpayNotification } from "./webhook"

/** Currencies QFPay accepts in `txcurrcd` (reference §5.3). */
const QFPAY_CURRENCIES = new Set(["AED", "CNY", "EUR", "HKD", "IDR", "JPY", "MMK", "MYR", "SGD", "THB", "USD", "CAD", "AUD"])

/** What we keep in the payment session / payment data. Every key is written by us on every update. */
export type QfpaySessionData = {
  session_id: string
  gateway: "qfpay"
  mode: "checkout" | "direct"
  merchant_order_id: string
  attempt: number
  amount_minor: string
  currency: string
  pay_type: string | null
  gateway_reference: string | null
  txdtm: string
  expires_at: string
  status: QfpayPaymentStatus
  next_action: NextAction
  /** Extra successful payments QFPay recorded for the same order (several tabs): refund them. */
  duplicate_references: string[]
  refunds: RecordedRefund[]
  last_error: string | null
}

/** Reads our data back, or undefined when it is not ours (e.g. the storefront's raw input on clean-up). */
export function readQfpayData(data: unknown): QfpaySessionData | undefined {
  const read = readSessionData<QfpaySessionData>(data, "qfpay", ["amount_minor", "txdtm", "expires_at"])
  if (!read || !/^\d+$/.test(read.amount_minor)) return undefined
  return { ...read, duplicate_references: Array.isArray(read.duplicate_references) ? read.duplicate_references : [] }
}

export class QfpayProviderService extends GatewayPaymentProvider<QfpayOptions, QfpaySessionData> {
  static identifier = "qfpay"

  static validateOptions(options: Record<string, unknown>): void {
    parseQfpayOptions(options)
  }

  protected readonly gatewayName = GATEWAY
  protected readonly sessionStatusByStatus = SESSION_STATUS_BY_PAYMENT_STATUS
  protected readonly client_: QfpayClient

  protected readData(data: unknown): QfpaySessionData | undefined {
    return readQfpayData(data)
  }

  protected async refresh(data: QfpaySessionData): Promise<QfpaySessionData> {
    return this.evaluate(await this.client_.query({ out_trade_no: data.merchant_order_id }), data)
  }

  constructor(cradle: Record<string, unknown>, options: Record<string, unknown>) {
    super(cradle, parseQfpayOptions(options))
    this.client_ = new QfpayClient(this.options_, this.logger_)
  }

  // ---------------------------------------------------------------- initiate / update

  protected acceptedCurrencies(): ReadonlySet<string> {
    return QFPAY_CURRENCIES
  }

  protected amountMinorOf(data: QfpaySessionData): bigint {
    return BigInt(data.amount_minor)
  }

  /** QFPay order ids are single-use: the new amount needs a new order, and the old one must not stay payable. */
  protected async beforeNewAttempt(previous: QfpaySessionData): Promise<void> {
    if ((await this.closeQuietly(previous)) === "paid") {
      // The shopper paid the current order while the amount was changing: a new order would orphan that payment.
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        "QFPay: this payment was paid while its amount was being changed; its amount cannot change now."
      )
    }
  }

  /** The storefront may ask for a pay_type; it is untrusted and must be on the merchant's allow-list. */
  private payTypeFor(requested: unknown, currency: string): string {
    const allowed = this.options_.allowedPayTypes
    if (requested === undefined || requested === null || requested === "") {
      const usable = allowed.find((code) => !PAY_TYPES[code]?.hkdOnly || currency === "HKD")
      if (!usable) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `QFPay: none of the allowed pay types accepts ${currency}.`)
      }
      return usable
    }
    if (typeof requested !== "string" || !allowed.includes(requested)) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `QFPay: pay_type ${JSON.stringify(String(requested)).slice(0, 20)} is not accepted by this store; use one of ${allowed.join(", ")}.`
      )
    }
    if (PAY_TYPES[requested]?.hkdOnly && currency !== "HKD") {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `QFPay: pay_type ${requested} (${PAY_TYPES[requested].name}) only accepts HKD.`)
    }
    return requested
  }

  protected async startAttempt(
    sessionId: string,
    attempt: number,
    amountMinor: bigint,
    currency: string,
    requested: Record<string, unknown>
  ): Promise<QfpaySessionData> {
    const merchantOrderId = this.merchantOrderIdFor(sessionId, attempt)
    const now = this.now_()
    const txdtm = formatTxdtm(now)
    const base: QfpaySessionData = {
      session_id: sessionId,
      gateway: "qfpay",
      mode: this.options_.mode,
      merchant_order_id: merchantOrderId,
      attempt,
      amount_minor: amountMinor.toString(),
      currency,
      pay_type: null,
      gateway_reference: null,
      txdtm,
      expires_at: now.toISOString(),
      status: "pending",
      next_action: NO_ACTION,
      duplicate_references: [],
      refunds: [],
      last_error: null,
    }

    if (this.options_.mode === "checkout") {
      const expiresAt = new Date(now.getTime() + this.options_.pageExpiryMinutes * 60_000)
      const url = this.client_.checkoutUrl({
        txamt: base.amount_minor,
        txcurrcd: currency,
        out_trade_no: merchantOrderId,
        txdtm,
        return_url: this.withSession(this.options_.returnUrl!, sessionId),
        failed_url: this.withSession(this.options_.failedUrl!, sessionId),
        notify_url: this.options_.notifyUrl!,
        checkout_expired_time: String(expiresAt.getTime()),
      })
      return { ...base, expires_at: expiresAt.toISOString(), next_action: { type: "redirect", url } }
    }

    const payType = this.payTypeFor(requested.pay_type, currency)
    const expiresAt = new Date(now.getTime() + this.options_.qrExpiryMinutes * 60_000)
    const params = {
      txamt: base.amount_minor,
      txcurrcd: currency,
      pay_type: payType,
      out_trade_no: merchantOrderId,
      txdtm,
      expired_time: String(this.options_.qrExpiryMinutes),
      goods_name: this.options_.goodsName,
      notify_url: this.options_.notifyUrl,
      return_url: this.options_.returnUrl ? this.withSession(this.options_.returnUrl, sessionId) : undefined,
    }
    let body: QfpayRecord
    try {
      const result = await this.client_.call("payment", "/trade/v1/payment", params, "never")
      if (result.meaning.outcome !== "ok") throw errorFromMeaning(result.meaning, result.body, "create the order")
      body = result.body
    } catch (error) {
      if (isGatewayError(error) && error.maybeProcessed) {
        // The order may exist at QFPay although we never saw its QR code. Nobody can pay it without the code,
        // but close it where the pay_type allows so it cannot linger; Medusa then discards this session.
        await this.abandonUnseenOrder(merchantOrderId, payType, base.amount_minor)
        throw new MedusaError(
          MedusaError.Types.UNEXPECTED_STATE,
          "QFPay gave no clear answer when starting the payment. No payment was taken; please try again."
        )
      }
      throw toMedusaError(error, "start the payment")
    }
    const nextAction = this.nextActionFrom(body, payType, expiresAt)
    if (!nextAction) {
      await this.abandonUnseenOrder(merchantOrderId, payType, base.amount_minor)
      throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, "QFPay created the order without a QR code or payment link; please try again.")
    }
    return {
      ...base,
      pay_type: payType,
      gateway_reference: typeof body.syssn === "string" ? body.syssn : null,
      expires_at: expiresAt.toISOString(),
      next_action: nextAction,
    }
  }

  private nextActionFrom(body: QfpayRecord, payType: string, expiresAt: Date): NextAction | undefined {
    if (typeof body.qrcode === "string" && body.qrcode) {
      return { type: "qr_code", content: body.qrcode, expires_at: expiresAt.toISOString() }
    }
    if (typeof body.pay_url === "string" && body.pay_url) return { type: "redirect", url: body.pay_url }
    if (typeof body.web_url === "string" && body.web_url) return { type: "redirect", url: body.web_url }
    this.logger_.warn(`QFPay: pay_type ${payType} returned neither qrcode nor pay_url`)
    return undefined
  }

  private withSession(url: string, sessionId: string): string {
    return url.split("{session_id}").join(encodeURIComponent(sessionId))
  }

  /** After an unanswered create: find the order if it exists and close it where the pay_type allows. */
  private async abandonUnseenOrder(merchantOrderId: string, payType: string, amountMinor: string): Promise<void> {
    try {
      const records = await this.client_.query({ out_trade_no: merchantOrderId })
      const open = records.find((r) => r.out_trade_no === merchantOrderId && transactionStateFrom(r.respcd) === "processing")
      if (open && typeof open.syssn === "string") {
        await this.cancelAtGateway(payType, open.syssn, amountMinor, String(open.txdtm ?? formatTxdtm(this.now_())))
      }
    } catch (error) {
      this.logger_.warn(`QFPay: could not check order ${merchantOrderId} after a failed create: ${describe(error)}; it expires unpaid`)
    }
  }

  // ---------------------------------------------------------------- status

  /**
   * Decides what the records QFPay holds for our order mean (reference §7, §8, §18): the earliest success
   * whose amount and currency match is the payment; further successes are duplicates to refund; a success
   * with another amount or currency is never "paid".
   */
  evaluate(records: QfpayRecord[], data: QfpaySessionData): QfpaySessionData {
    const ours = records.filter(
      (r) => String(r.order_type ?? "payment") === "payment" && r.out_trade_no === data.merchant_order_id
    )
    const bySyssn = (a: QfpayRecord, b: QfpayRecord) => String(a.syssn ?? "").localeCompare(String(b.syssn ?? ""))
    const successes = ours.filter((r) => transactionStateFrom(r.respcd) === "succeeded").sort(bySyssn)
    const matches = (r: QfpayRecord) =>
      parseMinor(r.txamt) === BigInt(data.amount_minor) && String(r.txcurrcd ?? "").toUpperCase() === data.currency
    const paid = successes.find(matches)
    if (paid) {
      const duplicates = successes.filter((r) => r !== paid).map((r) => String(r.syssn))
      if (duplicates.length) {
        this.logger_.error(
          `QFPay: order ${data.merchant_order_id} was paid ${successes.length} times; keep ${paid.syssn}, refund ${duplicates.join(", ")}`
        )
      }
      return {
        ...data,
        status: "paid",
        gateway_reference: String(paid.syssn),
        pay_type: typeof paid.pay_type === "string" ? paid.pay_type : data.pay_type,
        txdtm: typeof paid.txdtm === "string" ? paid.txdtm : data.txdtm,
        next_action: NO_ACTION,
        duplicate_references: duplicates,
        last_error: null,
      }
    }
    if (successes.length) {
      const s = successes[0]
      this.logger_.error(
        `QFPay: order ${data.merchant_order_id} reports a payment of ${s.txamt} ${s.txcurrcd} but the session expects ${data.amount_minor} ${data.currency}; not treated as paid`
      )
      return { ...data, status: "mismatch", next_action: NO_ACTION, last_error: "QFPay reported a payment with a different amount or currency" }
    }
    const states = ours.map((r) => transactionStateFrom(r.respcd))
    const pastExpiry = this.now_().getTime() > Date.parse(data.expires_at) + this.options_.expiryGraceMinutes * 60_000
    if (states.includes("processing") && !pastExpiry) return { ...data, status: "pending" }
    if (states.includes("expired") || (states.includes("processing") && pastExpiry)) {
      return { ...data, status: "expired", next_action: NO_ACTION, last_error: "the payment expired before it was paid" }
    }
    if (states.includes("closed")) {
      return { ...data, status: "canceled", next_action: NO_ACTION, last_error: "the payment was closed" }
    }
    if (states.includes("failed")) {
      // On the hosted page the shopper can go back and try another method until the page expires.
      if (data.mode === "checkout" && !pastExpiry) return { ...data, status: "pending", last_error: "a payment attempt failed" }
      return { ...data, status: "failed", next_action: NO_ACTION, last_error: "the payment failed" }
    }
    if (pastExpiry) {
      return { ...data, status: "expired", next_action: NO_ACTION, last_error: "the payment expired before it was paid" }
    }
    return { ...data, status: "pending" }
  }

  // ---------------------------------------------------------------- capture / cancel / delete

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = readQfpayData(input.data)
    if (!data) return { data: input.data ?? {} }
    if (data.status === "paid") {
      // A paid QFPay order cannot be closed; Medusa refunds it through refundPayment.
      return { data: this.out(data) }
    }
    const outcome = await this.closeQuietly(data)
    if (outcome === "paid") {
      const refreshed = await this.retrievePayment({ data: this.out(data) })
      return { data: refreshed.data }
    }
    return { data: this.out({ ...data, status: "canceled", next_action: NO_ACTION }) }
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = readQfpayData(input.data)
    if (data && data.status !== "paid") {
      const outcome = await this.closeQuietly(data)
      if (outcome === "paid") {
        this.logger_.error(
          `QFPay: session ${data.session_id} is being deleted but order ${data.merchant_order_id} (${data.gateway_reference}) was paid; refund it from the QFPay portal`
        )
      }
    }
    return { data: input.data ?? {} }
  }

  /**
   * Stops an unpaid direct-mode order from being paid later (close or reversal, per pay_type). Hosted
   * checkout orders have no gateway order before the shopper pays and simply expire. Never throws.
   */
  private async closeQuietly(data: QfpaySessionData): Promise<"closed" | "paid" | "skipped" | "failed"> {
    if (data.mode !== "direct" || !data.gateway_reference || !data.pay_type) return "skipped"
    try {
      return await this.cancelAtGateway(data.pay_type, data.gateway_reference, data.amount_minor, data.txdtm)
    } catch (error) {
      this.logger_.warn(`QFPay: could not close order ${data.merchant_order_id}: ${describe(error)}; it expires unpaid`)
      return "failed"
    }
  }

  private async cancelAtGateway(payType: string, syssn: string, amountMinor: string, txdtm: string): Promise<"closed" | "paid" | "skipped"> {
    const method = PAY_TYPES[payType]?.cancel
    if (!method) return "skipped"
    const path = method === "close" ? "/trade/v1/close" : "/trade/v1/reversal"
    // Closing twice is harmless ("already closed"), so a lost answer may be retried.
    const { body, meaning } = await this.client_.call("cancel", path, { syssn, txamt: amountMinor, txdtm }, "idempotent")
    switch (meaning.outcome) {
      case "ok":
      case "already_closed":
        return "closed"
      case "already_paid":
        return "paid"
      default:
        throw errorFromMeaning(meaning, body, "close the order")
    }
  }

  // ---------------------------------------------------------------- refund

  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = readQfpayData(input.data)
    if (!data || !data.gateway_reference || data.status !== "paid") {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "QFPay: this payment has no settled QFPay transaction to refund.")
    }
    const refundId = this.refundIdFrom(input.context)
    if (data.refunds.some((r) => r.id === refundId)) return { data: this.out(data) }
    const amountMinor = this.refundAmountFrom(input.amount, data)

    return { data: this.out(this.withRefund(data, await this.refundOnce(data, refundId, amountMinor))) }
  }

  /**
   * Sends one refund and makes sure it happens at most once. The refund's own `out_trade_no` is derived from
   * Medusa's refund id, so QFPay rejects a second refund with the same id (1251/1102). When an answer is lost
   * (timeout, reset, 5xx) we look the refund up by that id before deciding anything, and send again only when
   * QFPay has no record of it.
   */
  private async refundOnce(data: QfpaySessionData, refundId: string, amountMinor: bigint): Promise<RecordedRefund> {
    for (let send = 1; send <= 2; send++) {
      try {
        const { body, meaning } = await this.client_.call(
          "refund",
          "/trade/v1/refund",
          { syssn: data.gateway_reference!, out_trade_no: refundId, txamt: amountMinor.toString(), txdtm: formatTxdtm(this.now_()) },
          "never"
        )
        if (meaning.outcome === "ok") return this.refundRecord(data, refundId, amountMinor, String(body.syssn ?? ""), "succeeded")
        if (meaning.outcome === "processing" || meaning.outcome === "duplicate") {
          const found = await this.findRefund(data, refundId, amountMinor)
          if (found) return found
          if (meaning.outcome === "processing") {
            if (typeof body.syssn === "string" && body.syssn) {
              return this.refundRecord(data, refundId, amountMinor, body.syssn, "processing")
            }
            // No refund transaction in the answer and none under our id: QFPay refused this refund because
            // another one on the same payment is still processing (1145 "You still have processing requests").
            throw new MedusaError(
              MedusaError.Types.UNEXPECTED_STATE,
              `QFPay: another refund on this payment is still processing (code ${String(body.respcd ?? "")}); this refund was not accepted and nothing was refunded. Try again in a moment.`
            )
          }
        }
        throw errorFromMeaning(meaning, body, "refund")
      } catch (error) {
        if (!isGatewayError(error) || !error.maybeProcessed) throw toMedusaError(error, "refund the payment")
        this.logger_.warn(`QFPay: refund ${refundId} got no clear answer (${error.message}); looking it up before deciding`)
        const found = await this.findRefund(data, refundId, amountMinor).catch(() => undefined)
        if (found) return found
        if (send === 2) {
          throw new MedusaError(
            MedusaError.Types.UNEXPECTED_STATE,
            `QFPay: the refund outcome is unknown (refund id ${refundId}). Check the QFPay portal before refunding again; a retry here will not refund twice.`
          )
        }
      }
    }
    throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, "QFPay: refund could not be completed.")
  }

  /** Looks our refund up at QFPay by its own out_trade_no. */
  private async findRefund(data: QfpaySessionData, refundId: string, amountMinor: bigint): Promise<RecordedRefund | undefined> {
    const records = await this.client_.query({ out_trade_no: refundId })
    const hit = records.find(
      (r) =>
        String(r.order_type) === "refund" &&
        r.out_trade_no === refundId &&
        (r.origssn ?? r.orig_syssn ?? data.gateway_reference) === data.gateway_reference &&
        transactionStateFrom(r.respcd) !== "failed"
    )
    if (!hit) return undefined
    const status = transactionStateFrom(hit.respcd) === "succeeded" ? "succeeded" : "processing"
    return this.refundRecord(data, refundId, amountMinor, String(hit.syssn ?? ""), status)
  }

  private refundRecord(
    data: QfpaySessionData,
    id: string,
    amountMinor: bigint,
    reference: string,
    status: RecordedRefund["status"]
  ): RecordedRefund {
    if (status === "processing") this.logger_.warn(`QFPay: refund ${id} is still processing at QFPay`)
    return {
      id,
      amount: fromMinorUnits(amountMinor, data.currency),
      currency: data.currency,
      status,
      gateway_reference: reference || null,
      created_at: this.now_().toISOString(),
    }
  }

  // ---------------------------------------------------------------- webhook

  /**
   * QFPay notifications (reference §12): verified on the raw bytes, then only a successful payment whose
   * order, amount and currency match a QFPay session of ours is reported as captured. Everything else,
   * refunds included, is `not_supported`. Never throws.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    try {
      const verified = verifyQfpayNotification(payload?.rawData, payload?.headers, this.options_.clientKey)
      if (!verified.ok) return this.ignoreWebhook(verified.reason)
      const n = verified.body
      if (verified.notifyType !== "payment") return { action: PaymentActions.NOT_SUPPORTED }
      if (String(n.respcd) !== "0000" || (n.status !== undefined && String(n.status) !== "1")) {
        return this.ignoreWebhook(`not a success (respcd ${n.respcd})`)
      }
      const sessionId = sessionIdFromMerchantOrderId(n.out_trade_no)
      if (!sessionId) return this.ignoreWebhook("out_trade_no is not one of ours")
      const check = await sessionForWebhook(this.cradle_, sessionId, QfpayProviderService.identifier)
      if (!check.ok) return this.ignoreWebhook(check.reason)
      const data = readQfpayData(check.session.data)
      if (data && data.merchant_order_id !== n.out_trade_no) {
        this.logger_.error(`QFPay: payment ${n.syssn} is for superseded order ${n.out_trade_no} of session ${sessionId}; refund it`)
        return { action: PaymentActions.NOT_SUPPORTED }
      }
      const paid = parseMinor(n.txamt)
      if (String(n.txcurrcd ?? "").toUpperCase() !== check.currency || paid === undefined || paid !== check.expectedMinor) {
        this.logger_.error(
          `QFPay: notification for ${sessionId} says ${n.txamt} ${n.txcurrcd}, the session expects ${check.expectedMinor} ${check.currency}; not treated as paid`
        )
        return { action: PaymentActions.NOT_SUPPORTED }
      }
      return { action: PaymentActions.SUCCESSFUL, data: { session_id: sessionId, amount: fromMinorUnits(paid, check.currency) } }
    } catch (error) {
      return this.ignoreWebhook(`could not be processed: ${describe(error)}`)
    }
  }
}

export { GatewayError, GATEWAY }
export default QfpayProviderService
