import { MedusaError, PaymentActions } from "@medusajs/framework/utils"
import type {
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { toMedusaError } from "../../lib/errors"
import { sessionIdFromMerchantOrderId } from "../../lib/merchant-order-id"
import { parseMajorToMinor } from "../../lib/money"
import { describeError, GatewayPaymentProvider } from "../../lib/provider-base"
import { NextAction, NO_ACTION, readSessionData, RecordedRefund } from "../../lib/session-data"
import { sessionForWebhook } from "../../lib/webhook"
import { GATEWAY, QbitCharge, QbitpayClient } from "./client"
import { parseQbitpayOptions, QbitpayOptions } from "./options"
import { ACTION_BY_EVENT, PAYMENT_STATUS_BY_CHARGE_STATUS, QbitpayPaymentStatus, SESSION_STATUS_BY_PAYMENT_STATUS } from "./status"
import { verifyQbitpayEvent } from "./webhook"

const QBITPAY_MINOR_UNITS = { USDT: 6 }

/** What we keep in session / payment data. Every key is written by us on every update. */
export type QbitpaySessionData = {
  session_id: string
  gateway: "qbitpay"
  merchant_order_id: string
  attempt: number
  /** Exact decimal string in major units, as sent to Qbit Pay. */
  amount: string
  currency: string
  /** Qbit Pay charge id. */
  gateway_reference: string
  charge_status: string
  expires_at: string | null
  status: QbitpayPaymentStatus
  next_action: NextAction
  refunds: RecordedRefund[]
  last_error: string | null
}

export function readQbitpayData(data: unknown): QbitpaySessionData | undefined {
  return readSessionData<QbitpaySessionData>(data, "qbitpay", ["gateway_reference", "amount"])
}

export class QbitpayProviderService extends GatewayPaymentProvider<QbitpayOptions, QbitpaySessionData> {
  static identifier = "qbitpay"

  static validateOptions(options: Record<string, unknown>): void {
    parseQbitpayOptions(options)
  }

  protected readonly gatewayName = GATEWAY
  protected readonly sessionStatusByStatus = SESSION_STATUS_BY_PAYMENT_STATUS
  protected readonly client_: QbitpayClient

  protected readData(data: unknown): QbitpaySessionData | undefined {
    return readQbitpayData(data)
  }

  protected async refresh(data: QbitpaySessionData): Promise<QbitpaySessionData> {
    return this.evaluate(await this.client_.retrieveCharge(data.gateway_reference), data)
  }

  constructor(cradle: Record<string, unknown>, options: Record<string, unknown>) {
    super(cradle, parseQbitpayOptions(options))
    this.client_ = new QbitpayClient(this.options_, this.logger_, () => this.now_())
  }

  // ---------------------------------------------------------------- initiate / update

  protected acceptedCurrencies(): ReadonlySet<string> {
    return new Set([this.options_.currency])
  }

  /** Qbit Pay takes USDT with up to 6 decimals (reference §7). */
  protected minorUnitOverrides(): Record<string, number> {
    return QBITPAY_MINOR_UNITS
  }

  protected amountMinorOf(data: QbitpaySessionData): bigint {
    return this.exactMinor(data.amount, data.currency)
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
      const found = existing.find((c) => c.status === "pending" && this.sameMoney(c, amount, currency))
      if (!found) {
        throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, "Qbit Pay gave no clear answer when creating the charge. No payment was taken; please try again.")
      }
      this.logger_.warn(`Qbit Pay: adopted charge ${found.id} for ${orderId} after an unclear create answer`)
      charge = found
    }
    if (!this.sameMoney(charge, amount, currency)) {
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

  private sameMoney(charge: QbitCharge, amount: string, currency: string): boolean {
    const minor = parseMajorToMinor(charge.amount, currency, this.minorUnitOverrides())
    return String(charge.currency).toUpperCase() === currency && minor !== undefined && this.decimalOf(minor, currency) === amount
  }

  // ---------------------------------------------------------------- status

  /** One explicit mapping from the charge to our status (table in status.ts), with the money checked. */
  evaluate(charge: QbitCharge | undefined, data: QbitpaySessionData): QbitpaySessionData {
    if (!charge || charge.id !== data.gateway_reference) return data
    let status: QbitpayPaymentStatus = PAYMENT_STATUS_BY_CHARGE_STATUS[charge.status] ?? "pending"
    let lastError: string | null = null
    if (status === "paid") {
      if (charge.paid !== true) status = "pending"
      else if (!this.sameMoney(charge, data.amount, data.currency)) {
        this.logger_.error(`Qbit Pay: charge ${charge.id} closed for ${charge.amount} ${charge.currency}, the session expects ${data.amount} ${data.currency}`)
        status = "mismatch"
        lastError = "Qbit Pay reported a payment with a different amount or currency"
      }
    }
    const expiresAt = typeof charge.expiresAt === "string" ? charge.expiresAt : data.expires_at
    if (status === "pending" && charge.status === "pending" && expiresAt) {
      if (this.now_().getTime() > Date.parse(expiresAt) + this.options_.expiryGraceMinutes * 60_000) status = "expired"
    }
    if (status === "canceled") lastError = "the payment was cancelled, failed or expired at Qbit Pay"
    if (status === "expired") lastError = "the payment expired before it was paid"
    if (status === "disputed") lastError = "the payment is in dispute at Qbit Pay"
    return {
      ...data,
      charge_status: charge.status,
      expires_at: expiresAt,
      status,
      next_action: status === "pending" ? data.next_action : NO_ACTION,
      last_error: lastError,
    }
  }

  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = readQbitpayData(input.data)
    if (!data || data.status !== "paid") {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "Qbit Pay: this payment has no paid Qbit Pay charge to refund.")
    }
    if (this.options_.refundMode === "disabled") {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "Qbit Pay refunds are disabled for this store (refundMode \"disabled\"); refund the customer outside Medusa.")
    }
    return { data: this.out(this.recordManualRefund(data, input)) }
  }

  // ---------------------------------------------------------------- webhook

  /**
   * Signed charge events (reference §8): verified on the raw body first, then tied to one of our Qbit Pay
   * sessions through `externalOrderId` and the charge id we stored. `charge.succeeded` counts only for a
   * closed, paid charge with the session's amount and currency. Failed, expired and disputed charges are
   * reported for the subscriber. Replays are harmless: Medusa's processing is idempotent per session.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    try {
      const verified = verifyQbitpayEvent(payload?.rawData, payload?.headers, this.options_.apiKey)
      if (!verified.ok) return this.ignoreWebhook(verified.reason)
      const action = ACTION_BY_EVENT[verified.type]
      if (!action) return this.ignoreWebhook(`event type ${verified.type} is not handled`)
      const charge = verified.charge
      const sessionId = sessionIdFromMerchantOrderId(charge.externalOrderId)
      if (!sessionId) return this.ignoreWebhook(`externalOrderId of charge ${charge.id} is not one of ours`)
      const check = await sessionForWebhook(this.cradle_, sessionId, QbitpayProviderService.identifier, this.minorUnitOverrides())
      if (!check.ok) return this.ignoreWebhook(check.reason)
      const data = readQbitpayData(check.session.data)
      if (data && data.gateway_reference !== charge.id) {
        if (action === PaymentActions.SUCCESSFUL) {
          this.logger_.error(`Qbit Pay: charge ${charge.id} paid for session ${sessionId}, which now uses charge ${data.gateway_reference}; refund it`)
        }
        return this.ignoreWebhook(`charge ${charge.id} is not the session's current charge`)
      }
      const expected = this.decimalOf(check.expectedMinor, check.currency)
      if (action === PaymentActions.SUCCESSFUL) {
        if (charge.status !== "closed" || charge.paid !== true || !this.sameMoney(charge, expected, check.currency)) {
          this.logger_.error(
            `Qbit Pay: charge.succeeded for ${sessionId} has ${charge.amount} ${charge.currency} (${charge.status}, paid ${charge.paid}), the session expects ${expected} ${check.currency}; not treated as paid`
          )
          return { action: PaymentActions.NOT_SUPPORTED }
        }
      }
      return { action, data: { session_id: sessionId, amount: expected } }
    } catch (error) {
      return this.ignoreWebhook(`could not be processed: ${describeError(error)}`)
    }
  }
}

export default QbitpayProviderService
