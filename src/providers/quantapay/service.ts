import { MedusaError, PaymentActions } from "@medusajs/framework/utils"
import type {
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { GatewayError, toMedusaError } from "../../lib/errors"
import { sessionIdFromMerchantOrderId } from "../../lib/merchant-order-id"
import { compareDecimals, fromMinorUnits } from "../../lib/money"
import { describeError, GatewayPaymentProvider } from "../../lib/provider-base"
import { NextAction, NO_ACTION, readSessionData, RecordedRefund } from "../../lib/session-data"
import { sessionForWebhook } from "../../lib/webhook"
import { GATEWAY, QuantapayClient, QuantapayTransaction } from "./client"
import { parseQuantapayOptions, QuantapayOptions } from "./options"
import { QuantapayPaymentStatus, REFUND_RESULTS, SESSION_STATUS_BY_PAYMENT_STATUS } from "./status"
import { verifyQuantapayWebhook } from "./webhook"

/** What we keep in session / payment data. Every key is written by us on every update. */
export type QuantapaySessionData = {
  session_id: string
  gateway: "quantapay"
  merchant_order_id: string
  attempt: number
  /** Exact decimal string in the currency's precision, as sent to QuantaPay. */
  amount: string
  currency: string
  checkout_id: string | null
  /** QuantaPay transaction id once the shopper picked a coin. */
  gateway_reference: string | null
  cryptocurrency: string | null
  expires_at: string
  status: QuantapayPaymentStatus
  next_action: NextAction
  /** Set when QuantaPay reports an underpaid (X) transaction. */
  underpayment: { transaction_id: string; expected: string; received_fiat: string | null; cryptocurrency: string | null } | null
  refunds: RecordedRefund[]
  last_error: string | null
}

export function readQuantapayData(data: unknown): QuantapaySessionData | undefined {
  return readSessionData<QuantapaySessionData>(data, "quantapay", ["amount", "expires_at"])
}

export class QuantapayProviderService extends GatewayPaymentProvider<QuantapayOptions, QuantapaySessionData> {
  static identifier = "quantapay"

  static validateOptions(options: Record<string, unknown>): void {
    parseQuantapayOptions(options)
  }

  protected readonly gatewayName = GATEWAY
  protected readonly sessionStatusByStatus = SESSION_STATUS_BY_PAYMENT_STATUS
  protected readonly client_: QuantapayClient

  protected readData(data: unknown): QuantapaySessionData | undefined {
    return readQuantapayData(data)
  }

  protected async refresh(data: QuantapaySessionData): Promise<QuantapaySessionData> {
    return this.evaluate(await this.client_.transactionsFor(data.merchant_order_id), data)
  }

  constructor(cradle: Record<string, unknown>, options: Record<string, unknown>) {
    super(cradle, parseQuantapayOptions(options))
    this.client_ = new QuantapayClient(this.options_, this.logger_)
  }

  // ---------------------------------------------------------------- initiate / update

  protected amountMinorOf(data: QuantapaySessionData): bigint {
    return this.exactMinor(data.amount, data.currency)
  }

  protected async startAttempt(sessionId: string, attempt: number, amountMinor: bigint, currency: string): Promise<QuantapaySessionData> {
    const orderId = this.merchantOrderIdFor(sessionId, attempt)
    const now = this.now_()
    const price = fromMinorUnits(amountMinor, currency)
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
    const defaultExpiry = new Date(now.getTime() + this.options_.sessionExpiryMinutes * 60_000)
    const reported = session.expires_at ? Date.parse(session.expires_at) : NaN
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
      expires_at: (Number.isFinite(reported) ? new Date(reported) : defaultExpiry).toISOString(),
      status: "pending",
      next_action: { type: "redirect", url: session.payment_url },
      underpayment: null,
      refunds: [],
      last_error: null,
    }
  }

  // ---------------------------------------------------------------- status

  /**
   * What QuantaPay's transactions for our order mean (reference §7, §9): only a completed (C) transaction
   * in the session's currency for at least the session's amount is a payment. An underpaid (X) one is
   * never a payment; the underpayment policy decides whether the session fails or waits for the merchant.
   */
  evaluate(transactions: QuantapayTransaction[], data: QuantapaySessionData): QuantapaySessionData {
    const covers = (t: QuantapayTransaction) =>
      String(t.currency ?? "").toUpperCase() === data.currency && (compareDecimals(t.amount_fiat, data.amount) ?? -1) >= 0
    const completed = transactions.filter((t) => t.status === "C")
    const paid = completed.find(covers)
    if (paid) {
      return {
        ...data,
        status: "paid",
        gateway_reference: String(paid.id),
        cryptocurrency: typeof paid.cryptocurrency === "string" ? paid.cryptocurrency : null,
        next_action: NO_ACTION,
        underpayment: null,
        last_error: null,
      }
    }
    if (completed.length) {
      const t = completed[0]
      this.logger_.error(
        `QuantaPay: transaction ${t.id} for ${data.merchant_order_id} completed with ${t.amount_fiat} ${t.currency}, the session expects ${data.amount} ${data.currency}; not treated as paid`
      )
      return { ...data, status: "mismatch", gateway_reference: String(t.id), next_action: NO_ACTION, last_error: "QuantaPay reported a payment with a different amount or currency" }
    }
    const underpaid = transactions.find((t) => t.status === "X")
    if (underpaid) {
      const underpayment = {
        transaction_id: String(underpaid.id),
        expected: data.amount,
        received_fiat: typeof underpaid.amount_fiat === "string" ? underpaid.amount_fiat : null,
        cryptocurrency: typeof underpaid.cryptocurrency === "string" ? underpaid.cryptocurrency : null,
      }
      const review = this.options_.underpaymentPolicy === "review"
      return {
        ...data,
        status: review ? "underpaid_review" : "underpaid",
        gateway_reference: String(underpaid.id),
        next_action: review ? data.next_action : NO_ACTION,
        underpayment,
        last_error: review
          ? "the payment was less than the order total; the store will review it"
          : "the payment was less than the order total and was not accepted",
      }
    }
    if (transactions.some((t) => t.status === "R")) {
      return { ...data, status: "refunded", next_action: NO_ACTION, last_error: "the payment was refunded" }
    }
    if (transactions.some((t) => t.status === "P")) {
      // The shopper picked a coin; the chain may confirm long after the page closes.
      const p = transactions.find((t) => t.status === "P")!
      return { ...data, status: "pending", gateway_reference: String(p.id) }
    }
    const pastExpiry = this.now_().getTime() > Date.parse(data.expires_at) + this.options_.expiryGraceMinutes * 60_000
    if (pastExpiry) return { ...data, status: "expired", next_action: NO_ACTION, last_error: "the payment window closed before a payment arrived" }
    return { ...data, status: "pending" }
  }

  // ---------------------------------------------------------------- refund

  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = readQuantapayData(input.data)
    if (!data || data.status !== "paid" || !data.gateway_reference) {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "QuantaPay: this payment has no completed QuantaPay transaction to refund.")
    }
    if (this.options_.refundMode === "disabled") {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        "QuantaPay refunds are disabled for this store (refundMode \"disabled\"); refund the customer outside Medusa."
      )
    }
    if (this.options_.refundMode === "manual") return { data: this.out(this.recordManualRefund(data, input)) }
    const refundId = this.refundIdFrom(input.context)
    if (data.refunds.some((r) => r.id === refundId)) return { data: this.out(data) }
    const amountMinor = this.refundAmountFrom(input.amount, data)
    return { data: this.out(this.withRefund(data, await this.refundThroughApi(data, refundId, amountMinor))) }
  }

  /**
   * QuantaPay's `refund` sends the whole on-chain amount back (it takes no amount), so only a full refund
   * of a not-yet-refunded payment can go through the API. A lost answer is settled by reading the
   * transaction: status R means it was refunded.
   */
  private async refundThroughApi(data: QuantapaySessionData, refundId: string, amountMinor: bigint): Promise<RecordedRefund> {
    const amount = fromMinorUnits(amountMinor, data.currency)
    if (amount !== data.amount || data.refunds.length > 0) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `QuantaPay can only refund a payment in full through its API (${data.amount} ${data.currency}); record partial refunds with refundMode "manual".`
      )
    }
    const reference = data.gateway_reference!
    const done = (): RecordedRefund => ({
      id: refundId,
      amount,
      currency: data.currency,
      status: "succeeded",
      gateway_reference: reference,
      created_at: this.now_().toISOString(),
    })
    try {
      const result = await this.client_.refund(reference)
      if (result.status === true) return done()
      const known = REFUND_RESULTS[result.status]
      throw new GatewayError(known?.kind ?? "declined", GATEWAY, known?.message ?? "the refund was refused", { code: result.status })
    } catch (error) {
      if (this.maybeProcessed(error)) {
        const t = await this.client_.transaction(reference).catch(() => undefined)
        if (t?.status === "R") return done()
        throw new MedusaError(
          MedusaError.Types.UNEXPECTED_STATE,
          `QuantaPay: the refund outcome is unknown (transaction ${reference}). Check the QuantaPay dashboard before refunding again.`
        )
      }
      throw toMedusaError(error, "refund the payment")
    }
  }

  // ---------------------------------------------------------------- webhook

  /**
   * `{key, transaction}` (reference §9): the key must equal the webhook secret (constant time), and only a
   * completed transaction for one of our QuantaPay sessions, in its currency and for at least its amount,
   * is reported as captured. Everything else is `not_supported`. Never throws.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    try {
      const verified = verifyQuantapayWebhook(payload?.rawData, this.options_.webhookSecret)
      if (!verified.ok) return this.ignoreWebhook(verified.reason)
      const t = verified.transaction
      if (t.status !== "C") return this.ignoreWebhook(`transaction ${t.id} has status ${t.status}, not C`)
      const sessionId = sessionIdFromMerchantOrderId(t.external_reference)
      if (!sessionId) return this.ignoreWebhook(`external_reference of transaction ${t.id} is not one of ours`)
      const check = await sessionForWebhook(this.cradle_, sessionId, QuantapayProviderService.identifier)
      if (!check.ok) return this.ignoreWebhook(check.reason)
      const data = readQuantapayData(check.session.data)
      if (data && data.merchant_order_id !== t.external_reference) {
        this.logger_.error(`QuantaPay: transaction ${t.id} paid superseded order ${t.external_reference}; refund it from your wallet`)
        return { action: PaymentActions.NOT_SUPPORTED }
      }
      const expected = fromMinorUnits(check.expectedMinor, check.currency)
      if (String(t.currency ?? "").toUpperCase() !== check.currency || (compareDecimals(t.amount_fiat, expected) ?? -1) < 0) {
        this.logger_.error(
          `QuantaPay: transaction ${t.id} for ${sessionId} is ${t.amount_fiat} ${t.currency}, the session expects ${expected} ${check.currency}; not treated as paid`
        )
        return { action: PaymentActions.NOT_SUPPORTED }
      }
      // The captured amount is the session's: an overpayment is the shopper's money, not extra revenue.
      return { action: PaymentActions.SUCCESSFUL, data: { session_id: sessionId, amount: expected } }
    } catch (error) {
      return this.ignoreWebhook(`could not be processed: ${describeError(error)}`)
    }
  }
}

export default QuantapayProviderService
