import { AbstractPaymentProvider, MedusaError, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  PaymentProviderContext,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AttemptJournal, ledgerJournal } from "../ledger/journal"
import { isGatewayError, isRefundOutcomeUnknown, toMedusaError } from "./errors"
import { isLoopbackUrl, type LoggerLike } from "./http"
import { manualRefund } from "./manual-refund"
import { merchantOrderIdFor, refundMerchantIdFor, sessionIdFromMerchantOrderId } from "./merchant-order-id"
import { fromMinorUnits, MoneyError, normalizeCurrency, roundToMinorUnits, toMinorUnits } from "./money"
import { AmountRule, decidePayment, EXACT_AMOUNT, ExpectedPayment, GatewayEvent, GatewayEventKind, GatewayRefundReport, WebhookReading } from "./payment-event"
import { BaseSessionData, isRecord, NO_ACTION, readStorefrontInput, RecordedRefund, StorefrontInputSpec } from "./session-data"
import { sessionForWebhook, StoredSession } from "./webhook"

/** What the shared flows need to know of a gateway, beside its options. */
export type GatewayProfile<TData extends BaseSessionData> = {
  /** Used in every message, e.g. "AcmePay". */
  name: string
  /** What a refundable payment is called at this gateway, e.g. "settled AcmePay transaction". */
  paidPaymentName: string
  /** The gateway's plain statuses -> Medusa session statuses (each provider's status.ts). */
  sessionStatusByStatus: Record<TData["status"], PaymentSessionStatus>
  /** Our data back from what Medusa stored, or undefined when it is not ours (each provider's data.ts). */
  readData(data: unknown): TData | undefined
}

/** How refunds leave: through the gateway's API, recorded as owed by the merchant, or refused. */
export type RefundMode = "gateway" | "manual" | "disabled"

/** What core and our subscriber do with each kind of event (core acts on `captured` only). */
const ACTION_BY_KIND: Record<GatewayEventKind, PaymentActions> = {
  paid: PaymentActions.SUCCESSFUL,
  underpaid: PaymentActions.FAILED,
  failed: PaymentActions.FAILED,
  expired: PaymentActions.CANCELED,
  canceled: PaymentActions.CANCELED,
  refunded: PaymentActions.NOT_SUPPORTED,
  disputed: PaymentActions.REQUIRES_MORE,
  dispute_closed: PaymentActions.PENDING,
  pending: PaymentActions.PENDING,
}

/**
 * Medusa's provider contract, implemented once for the three gateways here. Each provider's service.ts
 * only maps Medusa to its gateway and back: start an attempt, ask the gateway about one (`refresh`), read a
 * webhook into a typed event, and send a refund. Everything they share lives here: money rounding and
 * checks, the storefront input gate, the webhook pipeline with its one payment decision, and the refund
 * shell (ids, amounts, manual refunds). All three settle at once, so authorizing is asking the gateway
 * whether it was paid, and capture is a no-op that keeps the data.
 */
export abstract class GatewayPaymentProvider<TOptions, TData extends BaseSessionData> extends AbstractPaymentProvider<TOptions> {
  /** Who the gateway is and how its data reads (each provider's data.ts). */
  protected abstract readonly profile: GatewayProfile<TData>
  /** Asks the gateway about the payment and returns the data updated with what it says. */
  protected abstract refresh(data: TData): Promise<TData>
  /** Starts a payment attempt at the gateway (a new attempt gets a new order id). `input` passed the storefront gate. */
  protected abstract startAttempt(sessionId: string, attempt: number, amountMinor: bigint, currency: string, input: Record<string, string>): Promise<TData>
  /** Verifies a webhook on its raw bytes and reads it into one event. Never throws. */
  abstract readWebhook(payload: ProviderWebhookPayload["payload"]): WebhookReading
  /** How refunds leave this gateway (with the merchant's options). */
  abstract refundMode(): RefundMode
  /** Sends one refund through the gateway, at most once per refund id (gateways with `refundMode` "gateway"). */
  protected sendRefund(_data: TData, _refundId: string, _amountMinor: bigint): Promise<RecordedRefund> {
    return Promise.reject(new MedusaError(MedusaError.Types.NOT_ALLOWED, `${this.profile.name} cannot send refunds.`))
  }
  /** The gateway's id of the current attempt, where it exists before payment (a payment for another is not ours). */
  currentPaymentReference(_data: TData): string | null {
    return null
  }
  /** What a merchant must look at in this data (lib's generic cases; gateways add their own), or null. */
  attentionOf(data: TData): string | null {
    if (data.status === "mismatch") return "amount_mismatch"
    if (data.status === "disputed") return "dispute"
    return null
  }

  /** Our data back from what Medusa (or the ledger) stored, or undefined when it is not this gateway's. */
  readSessionData(data: unknown): TData | undefined {
    return this.profile.readData(data)
  }

  /**
   * What happens to a payment that lands for an attempt whose session is gone or moved on (options
   * `orphanedPayments`, `orphanRefundGraceMinutes`): refunded after the grace period where the gateway can
   * send money back, else flagged for the merchant.
   */
  orphanPolicy(): { refund: boolean; graceMinutes: number } {
    const o = this.options_ as { orphanedPayments?: "refund" | "flag"; orphanRefundGraceMinutes?: number }
    return { refund: o.orphanedPayments === "refund" && this.refundMode() === "gateway", graceMinutes: o.orphanRefundGraceMinutes ?? 60 }
  }

  /**
   * Sends an orphaned payment back in full, once: the refund id is derived from the ledger attempt, so a
   * repeat (another instance, a retried job) is the same refund at the gateway.
   */
  async refundOrphan(data: TData, orphanRefundId: string): Promise<RecordedRefund> {
    if (this.refundMode() !== "gateway") throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${this.profile.name} cannot send this refund; pay it back by hand.`)
    return this.sendRefund(data, refundMerchantIdFor(orphanRefundId), this.amountMinorOf(data))
  }

  /** The gateway's name, for the merchant. */
  gatewayName(): string {
    return this.profile.name
  }

  /**
   * Whether refunds of a paid payment can be looked up at the gateway (`refundsAtGateway`): reconciliation then
   * keeps asking for a while after payment, so a refund made in the gateway's portal reaches the order.
   * Gateways that notify refunds, or have none, say no.
   */
  looksUpRefundsAfterPayment(): boolean {
    return false
  }

  /** Refunds the gateway reports for a paid payment (see `looksUpRefundsAfterPayment`). */
  async refundsAtGateway(_data: TData): Promise<GatewayRefundReport[]> {
    return []
  }

  /** How the shopper paid (pay type, coin) and where the merchant looks the payment up, for the admin. */
  merchantView(_data: TData): { method: string | null; portalUrl: string | null } {
    return { method: null, portalUrl: null }
  }

  /** The gateway's portal, or for a loopback base URL the offline simulator's state page. */
  protected portalFor(baseUrl: string, portal: string | null): string | null {
    return isLoopbackUrl(baseUrl) ? `${baseUrl}/__sim/state` : portal
  }

  /** The answer a gateway needs to stop retrying a delivery (QFPay wants the body `SUCCESS`). */
  webhookAcknowledgement(): { status: number; body: string } {
    return { status: 200, body: "OK" }
  }

  /** What a delivery that fails verification gets: not acknowledged, so a garbled genuine one is retried. */
  webhookRefusal(): { status: number; body: string } {
    return { status: 401, body: "FAIL" }
  }

  /** What a storefront may put into `data` (each key with what to send); nothing by default. */
  storefrontInputSpec(): StorefrontInputSpec {
    return {}
  }
  /** The currencies the gateway takes; undefined = any the store uses. */
  protected acceptedCurrencies(): ReadonlySet<string> | undefined {
    return undefined
  }
  /** The gateway's own minor units where its docs differ from ISO 4217 (e.g. `{ USDT: 6 }`). */
  minorUnitOverrides(): Record<string, number> {
    return {}
  }
  /** See lib/payment-event `AmountRule`: exact unless the gateway lets the shopper choose what to send. */
  amountRule(): AmountRule {
    return EXACT_AMOUNT
  }
  /** Marks this package's providers, so a copy of the class loaded from another path is still recognised. */
  static paymentsPackage = "medusa-payments-hk-crypto"

  protected readonly options_: TOptions
  protected readonly logger_: LoggerLike
  /** The payment module's container (its session service is used to check webhooks). */
  protected readonly cradle_: Record<string, unknown>
  /** Replaced in tests. */
  protected now_: () => Date = () => new Date()
  private journal_: AttemptJournal | undefined

  /** Where attempts are recorded (the plugin's payment ledger; a no-op without it). */
  protected get journal(): AttemptJournal {
    return (this.journal_ ??= ledgerJournal(this.logger_))
  }

  private get identifier(): string {
    return (this.constructor as unknown as { identifier: string }).identifier
  }

  /** Each provider class sets its zod option parser (options.ts); it names the bad field and never echoes a value. */
  static parseOptions: (options: unknown) => unknown

  /** Medusa calls this once per class at boot: a wrong option stops the boot with a message naming the field. */
  static validateOptions(options: Record<string, unknown>): void {
    this.parseOptions(options)
  }

  constructor(cradle: Record<string, unknown>, options: Record<string, unknown>) {
    const parsed = (new.target as unknown as { parseOptions: (o: unknown) => TOptions }).parseOptions(options)
    super(cradle, parsed)
    this.cradle_ = cradle
    this.options_ = parsed
    this.logger_ = (safeResolve(cradle, "logger") as LoggerLike | undefined) ?? console
  }

  // ---------------------------------------------------------------- sessions

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const storefront = this.storefrontInputOf(input.data)
    const { amountMinor, currency } = this.chargeFrom(input.amount, input.currency_code)
    const data = await this.recordedAttempt(this.sessionIdFrom(input), 1, amountMinor, currency, storefront)
    return { id: data.merchant_order_id, status: PaymentSessionStatus.PENDING, data: this.out(data) }
  }

  /**
   * A new amount or currency means a new attempt: gateways fix (and often sign) the amount of a payment
   * page. Refused once the payment is paid, which is checked at the gateway, not only in our data.
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = this.profile.readData(input.data)
    if (!current) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `${this.profile.name}: this payment session has no ${this.profile.name} payment to update; create a new payment session.`
      )
    }
    const { amountMinor, currency } = this.chargeFrom(input.amount, input.currency_code)
    if (amountMinor === this.amountMinorOf(current) && currency === current.currency) return { data: this.out(current) }
    let latest: TData
    try {
      latest = current.status === "paid" ? current : await this.refresh(current)
    } catch (error) {
      throw toMedusaError(error, "check the payment before changing its amount")
    }
    if (latest.status === "paid") {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${this.profile.name}: this payment is already paid; its amount cannot change.`)
    }
    await this.beforeNewAttempt(latest)
    await this.journal.detached(this.identifier, current.merchant_order_id, "superseded")
    const data = await this.recordedAttempt(current.session_id, current.attempt + 1, amountMinor, currency, this.inputKeptFrom(current))
    return { status: PaymentSessionStatus.PENDING, data: this.out(data) }
  }

  /** An attempt at the gateway, written to the ledger before the gateway is called and after it answered. */
  private async recordedAttempt(sessionId: string, attempt: number, amountMinor: bigint, currency: string, input: Record<string, string>): Promise<TData> {
    const merchantOrderId = this.merchantOrderIdFor(sessionId, attempt)
    await this.journal.starting({ gateway: this.identifier, merchantOrderId, attempt, sessionId, amount: this.decimalOf(amountMinor, currency), currency })
    let data: TData
    try {
      data = await this.startAttempt(sessionId, attempt, amountMinor, currency, input)
    } catch (error) {
      await this.journal.failedToStart(this.identifier, merchantOrderId, describeError(error))
      throw error
    }
    const started = { ...data, order_first: this.orderFirst().orderBeforePayment }
    await this.journal.started(this.identifier, started, this.attentionOf(started))
    return started
  }

  /** Called before an amount change opens a new attempt, e.g. to stop the old one being paid. */
  protected async beforeNewAttempt(_previous: TData): Promise<void> {}

  /** The shopper's choices a new attempt of the same session keeps (e.g. a wallet the shopper picked). */
  protected inputKeptFrom(_data: TData): Record<string, string> {
    return {}
  }

  /**
   * Settled at once, so authorizing is asking the gateway whether it was paid. With `orderBeforePayment`, a
   * payment still on its way (and still payable) is Medusa's pending authorization: the cart completes into
   * an order, and the payment is captured on it when it lands (webhook, reconciliation, or the dashboard's
   * "Check status", which calls this again).
   */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const result = await this.getPaymentStatus(input)
    if (result.status === PaymentSessionStatus.PENDING && this.orderFirst().orderBeforePayment) {
      return { ...result, status: PaymentSessionStatus.PENDING_AUTHORIZATION }
    }
    return result
  }

  /** The order-first options (lib/options `orderFirstOptionsSchema`). */
  orderFirst(): { orderBeforePayment: boolean; expiredOrders: "cancel" | "keep" } {
    const o = this.options_ as { orderBeforePayment?: boolean; expiredOrders?: "cancel" | "keep" }
    return { orderBeforePayment: o.orderBeforePayment === true, expiredOrders: o.expiredOrders ?? "cancel" }
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const data = this.profile.readData(input.data)
    if (!data) {
      return { status: PaymentSessionStatus.ERROR, data: { ...(input.data ?? {}), last_error: `not a ${this.profile.name} payment session` } }
    }
    if (data.status === "paid") return { status: PaymentSessionStatus.CAPTURED, data: this.out(data) }
    let next: TData
    try {
      next = await this.refresh(data)
    } catch (error) {
      throw toMedusaError(error, "check the payment")
    }
    await this.journal.observed(this.identifier, data, next, this.attentionOf(next))
    return { status: this.profile.sessionStatusByStatus[next.status as TData["status"]], data: this.out(next) }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const data = this.profile.readData(input.data)
    if (!data) return { data: input.data ?? {} }
    try {
      const next = await this.refresh(data)
      await this.journal.observed(this.identifier, data, next, this.attentionOf(next))
      return { data: this.out(next) }
    } catch (error) {
      this.logger_.warn(`${this.profile.name}: retrieve ${data.merchant_order_id} failed: ${describeError(error)}`)
      return { data: this.out(data) }
    }
  }

  /** Settled at the gateway already; Medusa records the capture itself. Keeps the data. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data ?? {} }
  }

  /** For gateways with no cancel call (their payment pages lapse): the session is marked here. */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = this.profile.readData(input.data)
    if (!data || data.status === "paid") return { data: input.data ?? {} }
    return { data: this.out({ ...data, status: "canceled", next_action: NO_ACTION }) }
  }

  /**
   * Medusa deletes a session when the cart changes or another is started. Nothing to undo at gateways whose
   * unpaid payments lapse (QFPay closes its orders first); the ledger keeps the attempt, so a payment that
   * still lands for it is found. Never throws (Medusa calls it on clean-up).
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = this.profile.readData(input.data)
    if (data) await this.journal.detached(this.identifier, data.merchant_order_id, "deleted")
    return { data: input.data ?? {} }
  }

  // ---------------------------------------------------------------- refunds

  /**
   * The refund shell: only a paid payment, refused when the merchant disabled refunds, each Medusa refund id
   * handled once (a retried refund returns the data unchanged), the amount rounded like every Medusa amount
   * and within what is left, then sent through the gateway or recorded as owed by the merchant.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = this.profile.readData(input.data)
    if (!data || data.status !== "paid" || !data.gateway_reference) {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${this.profile.name}: this payment has no ${this.profile.paidPaymentName} to refund.`)
    }
    // A refund already made at the gateway (its portal), now recorded on the order: nothing is sent.
    const madeAtGateway = await this.journal.claimGatewayRefund(this.identifier, data.merchant_order_id, input.context?.idempotency_key)
    if (madeAtGateway) {
      if (data.refunds.some((r) => r.id === madeAtGateway.id)) return { data: this.out(data) }
      this.refundAmountFrom(input.amount, data)
      return { data: this.out({ ...data, refunds: [...data.refunds, madeAtGateway] }) }
    }
    const mode = this.refundMode()
    if (mode === "disabled") {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `${this.profile.name} refunds are disabled for this store (refundMode "disabled"); refund the customer outside Medusa.`
      )
    }
    const refundId = this.refundIdFrom(input.context)
    if (data.refunds.some((r) => r.id === refundId)) return { data: this.out(data) }
    const amountMinor = this.refundAmountFrom(input.amount, data)
    let refund: RecordedRefund
    try {
      refund = mode === "manual" ? this.manualRefundRecord(data, refundId, amountMinor) : await this.sendRefund(data, refundId, amountMinor)
    } catch (error) {
      if (isRefundOutcomeUnknown(error)) {
        // Medusa drops its refund row when we throw; the ledger keeps it for the merchant to check.
        const unknown = { id: refundId, amount: this.decimalOf(amountMinor, data.currency), currency: data.currency, gateway_reference: null, created_at: this.now_().toISOString() }
        await this.journal.refunded(this.identifier, data.merchant_order_id, { ...unknown, status: "unknown" as never, note: (error as Error).message })
      }
      throw error
    }
    await this.journal.refunded(this.identifier, data.merchant_order_id, refund)
    return { data: this.out({ ...data, refunds: [...data.refunds, refund] }) }
  }

  /** A refund the merchant owes (marker `manual_pending`, see lib/manual-refund), with a warning in the log. */
  private manualRefundRecord(data: TData, refundId: string, amountMinor: bigint): RecordedRefund {
    const record = manualRefund({
      gateway: this.profile.name,
      refundId,
      amountMinor,
      currency: data.currency,
      minorUnitOverrides: this.minorUnitOverrides(),
      gatewayReference: data.gateway_reference,
      now: this.now_(),
    })
    this.logger_.warn(`${this.profile.name}: refund ${refundId} recorded as manual: ${record.note}`)
    return record
  }

  /**
   * A refund amount (Medusa passes a raw `{ value, precision }`, possibly unrounded), rounded like every
   * Medusa amount, > 0, and within what is left of the charge: refunds of a fractional total add up to
   * exactly what was charged, and one minor unit more is refused with the amount that is still refundable.
   */
  protected refundAmountFrom(amount: unknown, data: TData): bigint {
    let minor: bigint
    try {
      minor = roundToMinorUnits(amount, data.currency, this.minorUnitOverrides())
    } catch (error) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.profile.name}: ${describeError(error)}`)
    }
    if (minor <= 0n) throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.profile.name}: the refund amount must be greater than zero.`)
    const charged = this.amountMinorOf(data)
    const refunded = data.refunds.reduce((sum, r) => sum + this.exactMinor(r.amount, data.currency), 0n)
    if (refunded + minor > charged) {
      const show = (m: bigint) => `${this.decimalOf(m, data.currency)} ${data.currency}`
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `${this.profile.name}: a refund of ${show(minor)} is more than is left to refund: ${show(charged)} was charged and ${show(refunded)} is already refunded, so at most ${show(charged - refunded)} can be refunded.`
      )
    }
    return minor
  }

  /**
   * The refund's own id, derived from Medusa's refund idempotency key (the refund id), so a retried refund
   * maps to the same id everywhere. Without a key a one-off id is made, and a retry could not be recognised.
   */
  protected refundIdFrom(context: PaymentProviderContext | undefined): string {
    const key = context?.idempotency_key
    if (key) return refundMerchantIdFor(key)
    this.logger_.warn(`${this.profile.name}: refund without an idempotency key; a one-off refund id is used`)
    return refundMerchantIdFor(`rf_${this.now_().getTime()}_${Math.random().toString(36).slice(2, 10)}`)
  }

  /** A refund record for a refund the gateway confirmed (or is still processing). */
  protected refundRecord(data: TData, id: string, amountMinor: bigint, reference: string | null, status: RecordedRefund["status"]): RecordedRefund {
    if (status === "processing") this.logger_.warn(`${this.profile.name}: refund ${id} is still processing at ${this.profile.name}`)
    return {
      id,
      amount: this.decimalOf(amountMinor, data.currency),
      currency: data.currency,
      status,
      gateway_reference: reference || null,
      created_at: this.now_().toISOString(),
    }
  }

  // ---------------------------------------------------------------- webhooks

  /**
   * The webhook pipeline, the same for every gateway: the gateway's webhook.ts verifies the raw bytes and
   * reads one event; the event must lead to a payment session of this provider, and then one decision
   * (lib/payment-event `decidePayment`) says whether it is that session's payment. A payment for a superseded
   * attempt or with another amount is never reported paid. Other events (failed, expired, disputed, ...) of
   * the session's current attempt are reported for the session-sync subscriber. Never throws: a throw would
   * make Medusa's event bus retry a webhook that cannot succeed.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    try {
      const reading = this.readWebhook(payload)
      if (!reading.ok) return this.ignoreWebhook(reading.reason)
      return await this.webhookAction(reading.event)
    } catch (error) {
      return this.ignoreWebhook(`could not be processed: ${describeError(error)}`)
    }
  }

  /** What Medusa should do with a verified event (also used by the plugin's own webhook routes). */
  async webhookAction(event: GatewayEvent): Promise<WebhookActionResult> {
    const action = ACTION_BY_KIND[event.kind]
    if (action === PaymentActions.NOT_SUPPORTED) return { action }
    const found = await this.sessionOf(event)
    if (!found.ok) return this.ignoreWebhook(found.reason)
    const { session, expected } = found
    const amount = this.decimalOf(expected.chargedMinor, expected.currency)
    if (event.kind !== "paid") {
      const current =
        event.merchantOrderId === expected.merchantOrderId && (!expected.gatewayReference || event.gatewayReference === expected.gatewayReference)
      if (!current) return this.ignoreWebhook(`${event.kind} event for ${event.gatewayReference ?? event.merchantOrderId}, not the session's current payment`)
      return { action, data: { session_id: session.id, amount } }
    }
    const decision = decidePayment(event, expected, this.amountRule())
    if (!decision.pays) {
      this.logger_.error(
        `${this.profile.name}: payment ${event.gatewayReference} for session ${session.id} is not treated as paid: ${decision.reason}${
          decision.why === "other_attempt" ? "; refund it" : ""
        }`
      )
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    return { action, data: { session_id: session.id, amount } }
  }

  /** The session an event points at, checked to be one of this provider's, with what its payment must be. */
  protected async sessionOf(
    event: GatewayEvent
  ): Promise<{ ok: true; session: StoredSession; data: TData; expected: ExpectedPayment } | { ok: false; reason: string }> {
    const sessionId = sessionIdFromMerchantOrderId(event.merchantOrderId)
    if (!sessionId) return { ok: false, reason: `order ${JSON.stringify(event.merchantOrderId)} is not one of ours` }
    const identifier = (this.constructor as unknown as { identifier: string }).identifier
    const check = await sessionForWebhook(this.cradle_, sessionId, identifier, this.minorUnitOverrides())
    if (!check.ok) return check
    const { session, currency, expectedMinor: chargedMinor } = check
    const data = this.profile.readData(session.data)
    if (!data) return { ok: false, reason: `session ${sessionId} holds no ${this.profile.name} payment` }
    return {
      ok: true,
      session,
      data,
      expected: {
        merchantOrderId: data.merchant_order_id,
        gatewayReference: this.currentPaymentReference(data),
        chargedMinor,
        currency,
        minorUnitOverrides: this.minorUnitOverrides(),
      },
    }
  }

  /** Logs why a webhook is not acted on and answers `not_supported` (throwing would make Medusa retry it). */
  protected ignoreWebhook(reason: string): WebhookActionResult {
    this.logger_.warn(`${this.profile.name}: webhook ignored: ${reason}`)
    return { action: PaymentActions.NOT_SUPPORTED }
  }

  // ---------------------------------------------------------------- money and ids

  /**
   * What is wrong with what a storefront sent as `data` (lib/session-data allow-list), as a sentence that
   * says what to send, or undefined when it is fine. Also run by the plugin's middleware before Medusa stores
   * the data, so bad input is a 400 and never reaches the database.
   */
  storefrontInputProblem(data: unknown): string | undefined {
    const read = readStorefrontInput(data, this.storefrontInputSpec())
    return read.ok ? undefined : `${this.profile.name}: ${read.problem}`
  }

  /** The storefront's `data` through the allow-list; a 400 that says what to send otherwise. */
  protected storefrontInputOf(data: unknown): Record<string, string> {
    const read = readStorefrontInput(data, this.storefrontInputSpec())
    if (!read.ok) throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.profile.name}: ${read.problem}`)
    return read.values
  }

  /** The session id Medusa passes in data (set by the module, not the storefront) or as the idempotency key. */
  protected sessionIdFrom(input: { data?: Record<string, unknown>; context?: PaymentProviderContext }): string {
    return String((isRecord(input.data) && input.data.session_id) || input.context?.idempotency_key || "")
  }

  protected merchantOrderIdFor(sessionId: string, attempt: number): string {
    try {
      return merchantOrderIdFor(sessionId, attempt)
    } catch {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.profile.name}: the payment session id is missing; create the session through Medusa.`)
    }
  }

  /**
   * Validates the currency (against the gateway's list, when given) and rounds Medusa's amount to what is
   * charged (lib/money `roundToMinorUnits`: Medusa's own rounding, so the order ends fully paid).
   */
  protected chargeFrom(amount: unknown, currencyCode: unknown): { amountMinor: bigint; currency: string } {
    try {
      const currency = normalizeCurrency(currencyCode)
      const accepted = this.acceptedCurrencies()
      if (accepted && !accepted.has(currency)) {
        throw new MedusaError(
          MedusaError.Types.INVALID_DATA,
          `${this.profile.name} does not accept ${currency}; supported currencies: ${[...accepted].join(", ")}.`
        )
      }
      const amountMinor = roundToMinorUnits(amount, currency, this.minorUnitOverrides())
      if (amountMinor <= 0n) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.profile.name}: the amount to pay must be greater than zero.`)
      }
      return { amountMinor, currency }
    } catch (error) {
      if (error instanceof MoneyError) throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.profile.name}: ${error.message}`)
      throw error
    }
  }

  /** What the data's payment is for, in minor units. */
  protected amountMinorOf(data: TData): bigint {
    return this.exactMinor(data.amount, data.currency)
  }

  /** Minor units of an exact amount we wrote ourselves (session data, recorded refunds). */
  protected exactMinor(amount: unknown, currency: string): bigint {
    return toMinorUnits(amount, currency, this.minorUnitOverrides())
  }

  /** Minor units to the decimal text we store and send ("10.50", "1000", "1.250"). */
  protected decimalOf(minor: bigint, currency: string): string {
    return fromMinorUnits(minor, currency, this.minorUnitOverrides())
  }

  /** Our typed data as the plain record Medusa stores. */
  protected out(data: TData): Record<string, unknown> {
    return data as unknown as Record<string, unknown>
  }

  /** True when an error says the gateway may have done the operation although we saw no clean answer. */
  protected maybeProcessed(error: unknown): boolean {
    return isGatewayError(error) && error.maybeProcessed
  }

  /** Logs what a pure status decision wants a person to know (duplicates, mismatches). */
  protected logAlerts(alerts: readonly string[]): void {
    for (const alert of alerts) this.logger_.error(`${this.profile.name}: ${alert}`)
  }
}

function safeResolve(cradle: Record<string, unknown>, name: string): unknown {
  try {
    return cradle[name]
  } catch {
    return undefined
  }
}

/** A log-safe description: gateway errors carry only our words and the gateway's code. */
export function describeError(error: unknown): string {
  if (isGatewayError(error)) return `${error.message}${error.code ? ` (code ${error.code})` : ""}`
  return error instanceof Error ? error.message : String(error)
}
