import { MedusaError } from "@medusajs/framework/utils"
import type { CancelPaymentInput, CancelPaymentOutput, DeletePaymentInput, DeletePaymentOutput, ProviderWebhookPayload } from "@medusajs/framework/types"
import { isGatewayError, toMedusaError } from "../../lib/errors"
import type { WebhookReading } from "../../lib/payment-event"
import { describeError as describe, GatewayPaymentProvider, RefundMode } from "../../lib/provider-base"
import { NextAction, NO_ACTION, RecordedRefund } from "../../lib/session-data"
import { errorFromMeaning, formatTxdtm, GATEWAY, QfpayClient, QfpayRecord } from "./client"
import { transactionStateFrom } from "./codes"
import { QFPAY_PROFILE, QfpaySessionData, readQfpayData } from "./data"
import { parseQfpayOptions, QFPAY_ENVIRONMENTS, QfpayOptions } from "./options"
import { PAY_TYPES, payTypeFor } from "./pay-types"
import { refundOnce } from "./refunds"
import { qfpayStatusFrom } from "./status"
import { QFPAY_ACK_BODY, readQfpayNotification } from "./webhook"

export { readQfpayData, type QfpaySessionData }

/** QFPay's merchant portals (reference §2): the sandbox's, and the one for live-test and production. */
const QFPAY_SANDBOX_PORTAL = "https://sh-int-hk.qfapi.com/"
const QFPAY_PORTAL = "https://sh-hk.qfapi.com/#/login"

/** Currencies QFPay accepts in `txcurrcd` (reference §5.3). */
const QFPAY_CURRENCIES = new Set(["AED", "CNY", "EUR", "HKD", "IDR", "JPY", "MMK", "MYR", "SGD", "THB", "USD", "CAD", "AUD"])

/**
 * QFPay for Medusa: hosted checkout (a signed checkstand URL) or direct QR / wallet link orders; queries
 * decide the status (status.ts), notifications are read by webhook.ts, and the base class carries the
 * flows every gateway shares. Everything that goes over the wire is in client.ts.
 */
export class QfpayProviderService extends GatewayPaymentProvider<QfpayOptions, QfpaySessionData> {
  static identifier = "qfpay"
  static parseOptions = parseQfpayOptions

  protected readonly profile = QFPAY_PROFILE
  protected readonly client_ = new QfpayClient(this.options_, this.logger_)

  protected async refresh(data: QfpaySessionData): Promise<QfpaySessionData> {
    const records = await this.client_.query({ out_trade_no: data.merchant_order_id })
    const { data: next, alerts } = qfpayStatusFrom(records, data, this.now_(), this.options_)
    this.logAlerts(alerts)
    return next
  }

  /** The pay type used, and QFPay's merchant portal (the simulator's state page for a loopback base URL). */
  merchantView(data: QfpaySessionData): { method: string | null; portalUrl: string | null } {
    const method = data.pay_type ? `${PAY_TYPES[data.pay_type]?.name ?? "pay type"} (${data.pay_type})` : data.mode === "checkout" ? "hosted checkout" : null
    const base = this.options_.baseUrl
    return { method, portalUrl: this.portalFor(base, base === QFPAY_ENVIRONMENTS.sandbox ? QFPAY_SANDBOX_PORTAL : QFPAY_PORTAL) }
  }

  readWebhook(payload: ProviderWebhookPayload["payload"]): WebhookReading {
    return readQfpayNotification(payload?.rawData, payload?.headers, this.options_.clientKey)
  }

  /** A storefront may ask for one of the merchant's allowed pay types (used in direct mode). */
  storefrontInputSpec() {
    return { pay_type: `one of ${this.options_.allowedPayTypes.join(", ")}` }
  }

  protected acceptedCurrencies(): ReadonlySet<string> {
    return QFPAY_CURRENCIES
  }

  refundMode(): RefundMode {
    return "gateway"
  }

  /** A shopper who paid the same order twice (two tabs) must get the extra payments back. */
  attentionOf(data: QfpaySessionData): string | null {
    return data.duplicate_references.length ? "duplicate_payment" : super.attentionOf(data)
  }

  /** QFPay retries until it reads exactly `SUCCESS` (reference §12.2). */
  webhookAcknowledgement() {
    return { status: 200, body: QFPAY_ACK_BODY }
  }

  protected inputKeptFrom(data: QfpaySessionData): Record<string, string> {
    return data.mode === "direct" && data.pay_type ? { pay_type: data.pay_type } : {}
  }

  // ---------------------------------------------------------------- attempts

  /** QFPay order ids are single-use: the new amount needs a new order, and the old one must not stay payable. */
  protected async beforeNewAttempt(previous: QfpaySessionData): Promise<void> {
    if ((await this.closeQuietly(previous)) === "paid") {
      // The shopper paid the current order while the amount was changing: a new order would orphan that payment.
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "QFPay: this payment was paid while its amount was being changed; its amount cannot change now.")
    }
  }

  protected async startAttempt(
    sessionId: string,
    attempt: number,
    amountMinor: bigint,
    currency: string,
    input: Record<string, string>
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
      amount: this.decimalOf(amountMinor, currency),
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
        return_url: withSession(this.options_.returnUrl!, sessionId),
        failed_url: withSession(this.options_.failedUrl!, sessionId),
        notify_url: this.options_.notifyUrl!,
        checkout_expired_time: String(expiresAt.getTime()),
      })
      return { ...base, expires_at: expiresAt.toISOString(), next_action: { type: "redirect", url } }
    }
    const payType = payTypeFor(input.pay_type, this.options_.allowedPayTypes, currency)
    const expiresAt = new Date(now.getTime() + this.options_.qrExpiryMinutes * 60_000)
    let body: QfpayRecord
    try {
      const result = await this.client_.createOrder({
        txamt: base.amount_minor,
        txcurrcd: currency,
        pay_type: payType,
        out_trade_no: merchantOrderId,
        txdtm,
        expired_time: String(this.options_.qrExpiryMinutes),
        goods_name: this.options_.goodsName,
        notify_url: this.options_.notifyUrl,
        return_url: this.options_.returnUrl ? withSession(this.options_.returnUrl, sessionId) : undefined,
      })
      if (result.meaning.outcome !== "ok") throw errorFromMeaning(result.meaning, result.body, "create the order")
      body = result.body
    } catch (error) {
      if (isGatewayError(error) && error.maybeProcessed) {
        // The order may exist at QFPay although we never saw its QR code. Nobody can pay it without the code,
        // but close it where the pay_type allows so it cannot linger; Medusa then discards this session.
        await this.abandonUnseenOrder(merchantOrderId, payType, base.amount_minor)
        throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, "QFPay gave no clear answer when starting the payment. No payment was taken; please try again.")
      }
      throw toMedusaError(error, "start the payment")
    }
    const nextAction = nextActionFrom(body, expiresAt)
    if (!nextAction) {
      this.logger_.warn(`QFPay: pay_type ${payType} returned neither qrcode nor pay_url`)
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

  /** After an unanswered create: find the order if it exists and close it where the pay_type allows. */
  private async abandonUnseenOrder(merchantOrderId: string, payType: string, amountMinor: string): Promise<void> {
    try {
      const records = await this.client_.query({ out_trade_no: merchantOrderId })
      const open = records.find((r) => r.out_trade_no === merchantOrderId && transactionStateFrom(r.respcd) === "processing")
      if (open && typeof open.syssn === "string") {
        await this.stopAtGateway(payType, open.syssn, amountMinor, String(open.txdtm ?? formatTxdtm(this.now_())))
      }
    } catch (error) {
      this.logger_.warn(`QFPay: could not check order ${merchantOrderId} after a failed create: ${describe(error)}; it expires unpaid`)
    }
  }

  // ---------------------------------------------------------------- cancel / delete

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = readQfpayData(input.data)
    if (!data) return { data: input.data ?? {} }
    // A paid QFPay order cannot be closed; Medusa refunds it through refundPayment.
    if (data.status === "paid") return { data: this.out(data) }
    if ((await this.closeQuietly(data)) === "paid") return { data: (await this.retrievePayment({ data: this.out(data) })).data }
    return { data: this.out({ ...data, status: "canceled", next_action: NO_ACTION }) }
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = readQfpayData(input.data)
    if (data && data.status !== "paid" && (await this.closeQuietly(data)) === "paid") {
      this.logger_.error(
        `QFPay: session ${data.session_id} is being deleted but order ${data.merchant_order_id} (${data.gateway_reference}) was paid; the payment ledger refunds or flags it as an orphaned payment`
      )
    }
    return super.deletePayment(input)
  }

  /**
   * Stops an unpaid direct-mode order from being paid later (close or reversal, per pay_type). Hosted
   * checkout orders have no gateway order before the shopper pays and simply expire. Never throws.
   */
  private async closeQuietly(data: QfpaySessionData): Promise<"closed" | "paid" | "skipped" | "failed"> {
    if (data.mode !== "direct" || !data.gateway_reference || !data.pay_type) return "skipped"
    try {
      return await this.stopAtGateway(data.pay_type, data.gateway_reference, data.amount_minor, data.txdtm)
    } catch (error) {
      this.logger_.warn(`QFPay: could not close order ${data.merchant_order_id}: ${describe(error)}; it expires unpaid`)
      return "failed"
    }
  }

  private async stopAtGateway(payType: string, syssn: string, amountMinor: string, txdtm: string): Promise<"closed" | "paid" | "skipped"> {
    const method = PAY_TYPES[payType]?.cancel
    if (!method) return "skipped"
    const { body, meaning } = await this.client_.stopOrder(method, { syssn, txamt: amountMinor, txdtm })
    if (meaning.outcome === "ok" || meaning.outcome === "already_closed") return "closed"
    if (meaning.outcome === "already_paid") return "paid"
    throw errorFromMeaning(meaning, body, "close the order")
  }

  // ---------------------------------------------------------------- refund

  protected sendRefund(data: QfpaySessionData, refundId: string, amountMinor: bigint): Promise<RecordedRefund> {
    return refundOnce(this.client_, data, refundId, amountMinor, {
      now: this.now_,
      logger: this.logger_,
      record: (reference, status) => this.refundRecord(data, refundId, amountMinor, reference, status),
    })
  }
}

function withSession(url: string, sessionId: string): string {
  return url.split("{session_id}").join(encodeURIComponent(sessionId))
}

/** A QR code for the shopper to scan, or a wallet link to open (pay types marked `*` answer in `web_url`). */
function nextActionFrom(body: QfpayRecord, expiresAt: Date): NextAction | undefined {
  if (typeof body.qrcode === "string" && body.qrcode) return { type: "qr_code", content: body.qrcode, expires_at: expiresAt.toISOString() }
  if (typeof body.pay_url === "string" && body.pay_url) return { type: "redirect", url: body.pay_url }
  if (typeof body.web_url === "string" && body.web_url) return { type: "redirect", url: body.web_url }
  return undefined
}

export { GATEWAY }
export default QfpayProviderService
