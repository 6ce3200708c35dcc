import { MedusaError } from "@medusajs/framework/utils"
import type { ProviderWebhookPayload } from "@medusajs/framework/types"
import { GatewayError, refundOutcomeUnknown, toMedusaError } from "../../lib/errors"
import type { AmountRule, GatewayRefundReport, WebhookReading } from "../../lib/payment-event"
import { GatewayPaymentProvider, RefundMode } from "../../lib/provider-base"
import type { RecordedRefund } from "../../lib/session-data"
import { GATEWAY, QuantapayClient } from "./client"
import { QUANTAPAY_PROFILE, QuantapaySessionData, readQuantapayData } from "./data"
import { parseQuantapayOptions, QuantapayOptions } from "./options"
import { quantapayStatusFrom, REFUND_RESULTS } from "./status"
import { readQuantapayWebhook } from "./webhook"

export { readQuantapayData, type QuantapaySessionData }


/**
 * QuantaPay for Medusa: a hosted crypto checkout session per attempt, the transaction looked up by our
 * order id (status.ts decides), the single-shot webhook read by webhook.ts, and refunds recorded as owed by
 * the merchant (QuantaPay never holds the coins) or sent through its `refund` where enabled.
 */
export class QuantapayProviderService extends GatewayPaymentProvider<QuantapayOptions, QuantapaySessionData> {
  static identifier = "quantapay"
  static parseOptions = parseQuantapayOptions

  protected readonly profile = QUANTAPAY_PROFILE
  protected readonly client_ = new QuantapayClient(this.options_, this.logger_)

  protected async refresh(data: QuantapaySessionData): Promise<QuantapaySessionData> {
    const transactions = await this.client_.transactionsFor(data.merchant_order_id)
    const { data: next, alerts } = quantapayStatusFrom(transactions, data, this.now_(), this.options_, this.amountRule())
    this.logAlerts(alerts)
    return next
  }

  readWebhook(payload: ProviderWebhookPayload["payload"]): WebhookReading {
    return readQuantapayWebhook(payload?.rawData, this.options_.webhookSecret)
  }

  /**
   * The shopper chooses what to send: more than asked is accepted and recorded as an overpayment (the
   * surplus is the shopper's, never revenue); less only within `underpaymentTolerance`.
   */
  amountRule(): AmountRule {
    const t = this.options_.underpaymentTolerance
    return { acceptOverpayment: true, underpaymentToleranceMinor: BigInt(t.minorUnits), underpaymentToleranceBps: BigInt(Math.round(t.percent * 100)) }
  }

  attentionOf(data: QuantapaySessionData): string | null {
    if (data.status === "underpaid" || data.status === "underpaid_review") return "underpayment"
    if (data.status === "paid" && data.amount_received && data.amount_received !== data.amount) {
      return this.exactMinor(data.amount_received, data.currency) > this.amountMinorOf(data) ? "overpaid" : "underpaid_accepted"
    }
    return super.attentionOf(data)
  }

  /** The coin used, and the QuantaPay dashboard (the simulator's state page for a loopback base URL). */
  merchantView(data: QuantapaySessionData): { method: string | null; portalUrl: string | null } {
    return { method: data.cryptocurrency ? data.cryptocurrency.toUpperCase() : null, portalUrl: this.portalFor(this.options_.baseUrl, this.options_.baseUrl) }
  }

  /** QuantaPay sends no webhook for refunds: a transaction marked refunded (R) is found by looking it up. */
  looksUpRefundsAfterPayment(): boolean {
    return true
  }

  /** Status R is QuantaPay's "refunded" (by its refund, or marked by the merchant), without an amount. */
  async refundsAtGateway(data: QuantapaySessionData): Promise<GatewayRefundReport[]> {
    if (!data.gateway_reference) return []
    const t = await this.client_.transaction(data.gateway_reference)
    if (t?.status !== "R") return []
    return [{ reference: `${t.id}:R`, paymentReference: String(t.id), amountMinor: null, whole: true, currency: data.currency, source: "transaction marked refunded (R) at QuantaPay" }]
  }

  refundMode(): RefundMode {
    return this.options_.refundMode === "api" ? "gateway" : this.options_.refundMode
  }

  protected async startAttempt(sessionId: string, attempt: number, amountMinor: bigint, currency: string): Promise<QuantapaySessionData> {
    const orderId = this.merchantOrderIdFor(sessionId, attempt)
    const now = this.now_()
    const price = this.decimalOf(amountMinor, currency)
    let session
    try {
      session = await this.client_.createCheckoutSession({
        price,
        currency,
        orderId,
        redirect: this.options_.redirectUrl?.split("{session_id}").join(encodeURIComponent(sessionId)),
        title: this.options_.checkoutTitle,
        now,
      })
    } catch (error) {
      throw toMedusaError(error, "start the crypto checkout")
    }
    const reported = session.expires_at ? Date.parse(session.expires_at) : NaN
    const expiresAt = Number.isFinite(reported) ? new Date(reported) : new Date(now.getTime() + this.options_.sessionExpiryMinutes * 60_000)
    return {
      session_id: sessionId,
      gateway: "quantapay",
      merchant_order_id: orderId,
      attempt,
      amount: price,
      currency,
      checkout_id: session.checkout_id,
      gateway_reference: null,
      cryptocurrency: null,
      expires_at: expiresAt.toISOString(),
      status: "pending",
      next_action: { type: "redirect", url: session.payment_url },
      underpayment: null,
      refunds: [],
      last_error: null,
    }
  }

  /**
   * QuantaPay's `refund` sends the whole on-chain amount back (it takes no amount), so only a full refund
   * of a not-yet-refunded payment can go through the API. A lost answer is settled by reading the
   * transaction: status R means it was refunded.
   */
  protected async sendRefund(data: QuantapaySessionData, refundId: string, amountMinor: bigint): Promise<RecordedRefund> {
    if (amountMinor !== this.amountMinorOf(data) || data.refunds.length > 0) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `QuantaPay can only refund a payment in full through its API (${data.amount} ${data.currency}); record partial refunds with refundMode "manual".`
      )
    }
    const reference = data.gateway_reference!
    try {
      const result = await this.client_.refund(reference)
      if (result.status === true) return this.refundRecord(data, refundId, amountMinor, reference, "succeeded")
      const known = REFUND_RESULTS[result.status]
      throw new GatewayError(known?.kind ?? "declined", GATEWAY, known?.message ?? "the refund was refused", { code: result.status })
    } catch (error) {
      if (!this.maybeProcessed(error)) throw toMedusaError(error, "refund the payment")
      const t = await this.client_.transaction(reference).catch(() => undefined)
      if (t?.status === "R") return this.refundRecord(data, refundId, amountMinor, reference, "succeeded")
      throw refundOutcomeUnknown(`QuantaPay: the refund outcome is unknown (transaction ${reference}). Check the QuantaPay dashboard before refunding again.`)
    }
  }
}

export default QuantapayProviderService
