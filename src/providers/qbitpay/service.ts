import { MedusaError } from "@medusajs/framework/utils"
import type { ProviderWebhookPayload } from "@medusajs/framework/types"
import { toMedusaError } from "../../lib/errors"
import type { WebhookReading } from "../../lib/payment-event"
import { GatewayPaymentProvider, RefundMode } from "../../lib/provider-base"
import { QbitCharge, QbitpayClient } from "./client"
import { QBITPAY_PROFILE, QbitpaySessionData, readQbitpayData } from "./data"
import { parseQbitpayOptions, QbitpayOptions } from "./options"
import { chargeAmountVerdict, QBITPAY_MINOR_UNITS, qbitpayStatusFrom } from "./status"
import { readQbitpayEvent } from "./webhook"

export { readQbitpayData, type QbitpaySessionData }

/**
 * Qbit Pay for Medusa: one charge per attempt with its hosted H5 page (the page needs the account's access
 * token), the charge retrieved to decide the status (status.ts), signed events read by webhook.ts, and
 * refunds recorded as owed by the merchant (Qbit Pay has no refund endpoint).
 */
export class QbitpayProviderService extends GatewayPaymentProvider<QbitpayOptions, QbitpaySessionData> {
  static identifier = "qbitpay"
  static parseOptions = parseQbitpayOptions

  protected readonly profile = QBITPAY_PROFILE
  protected readonly client_ = new QbitpayClient(this.options_, this.logger_, () => this.now_())

  /** A charge in USD or USDT; Qbit Pay has no merchant portal we can link (the simulator's state page offline). */
  merchantView(data: QbitpaySessionData): { method: string | null; portalUrl: string | null } {
    return { method: `${data.currency} charge`, portalUrl: this.portalFor(this.options_.baseUrl, null) }
  }

  protected async refresh(data: QbitpaySessionData): Promise<QbitpaySessionData> {
    const { data: next, alerts } = qbitpayStatusFrom(await this.client_.retrieveCharge(data.gateway_reference), data, this.now_(), this.options_)
    this.logAlerts(alerts)
    return next
  }

  readWebhook(payload: ProviderWebhookPayload["payload"]): WebhookReading {
    return readQbitpayEvent(payload?.rawData, payload?.headers, this.options_.apiKey)
  }

  /** The charge id is known before payment: an event for another charge of the session is not its payment. */
  currentPaymentReference(data: QbitpaySessionData): string {
    return data.gateway_reference
  }

  protected acceptedCurrencies(): ReadonlySet<string> {
    return new Set([this.options_.currency])
  }

  minorUnitOverrides(): Record<string, number> {
    return QBITPAY_MINOR_UNITS
  }

  refundMode(): RefundMode {
    return this.options_.refundMode
  }

  protected async startAttempt(sessionId: string, attempt: number, amountMinor: bigint, currency: string): Promise<QbitpaySessionData> {
    const orderId = this.merchantOrderIdFor(sessionId, attempt)
    const amount = this.decimalOf(amountMinor, currency)
    let charge: QbitCharge
    try {
      charge = await this.client_.createCharge({
        amount,
        currency,
        externalOrderId: orderId,
        cbUrl: this.options_.webhookUrl,
        redirectUrl: this.options_.redirectUrl.split("{session_id}").join(encodeURIComponent(sessionId)),
      })
    } catch (error) {
      if (!this.maybeProcessed(error)) throw toMedusaError(error, "create the charge")
      // The charge may exist although its answer was lost: adopt it rather than create a second one.
      const existing = await this.client_.chargesFor(orderId).catch(() => [] as QbitCharge[])
      const found = existing.find((c) => c.status === "pending" && chargeAmountVerdict(c, { amount, currency }).verdict === "exact")
      if (!found) {
        throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, "Qbit Pay gave no clear answer when creating the charge. No payment was taken; please try again.")
      }
      this.logger_.warn(`Qbit Pay: adopted charge ${found.id} for ${orderId} after an unclear create answer`)
      charge = found
    }
    if (chargeAmountVerdict(charge, { amount, currency }).verdict !== "exact") {
      throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Qbit Pay created charge ${charge.id} for another amount; not used.`)
    }
    return {
      session_id: sessionId,
      gateway: "qbitpay",
      merchant_order_id: orderId,
      attempt,
      amount,
      currency,
      gateway_reference: charge.id,
      charge_status: charge.status,
      expires_at: typeof charge.expiresAt === "string" ? charge.expiresAt : null,
      status: "pending",
      next_action: { type: "redirect", url: await this.pageUrl(charge) },
      refunds: [],
      last_error: null,
    }
  }

  /**
   * The H5 page URL with the access token Qbit Pay's page requires (reference §3). The token is fetched
   * (or taken from the short cache) when the page is opened.
   */
  private async pageUrl(charge: QbitCharge): Promise<string> {
    const page = charge.paymentPageUrl
    const base = this.options_.paymentPageBase
    if (typeof page !== "string" || !/^https?:\/\//.test(page) || (base && !page.startsWith(base))) {
      throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, `Qbit Pay returned an unexpected payment page for charge ${charge.id}; not opened.`)
    }
    try {
      const token = await this.client_.accessToken()
      return `${page}&accessToken=${encodeURIComponent(token)}`
    } catch (error) {
      throw toMedusaError(error, "open the payment page")
    }
  }
}

export default QbitpayProviderService
