import { AbstractPaymentProvider, MedusaError, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  PaymentProviderContext,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { isGatewayError, toMedusaError } from "./errors"
import type { LoggerLike } from "./http"
import { manualRefund } from "./manual-refund"
import { merchantOrderIdFor, refundMerchantIdFor } from "./merchant-order-id"
import { fromMinorUnits, MoneyError, normalizeCurrency, roundToMinorUnits, toMinorUnits } from "./money"
import { BaseSessionData, isRecord, NO_ACTION, RecordedRefund } from "./session-data"

/**
 * What the three providers share around Medusa's provider contract, so each service only maps its own
 * gateway: the logger and container, an injectable clock, money checks with clear errors, refund ids, and
 * the flows that are the same for every gateway here. All three settle at once, so authorizing is asking
 * the gateway whether it was paid (`refresh`), and capture is a no-op that keeps the data.
 */
export abstract class GatewayPaymentProvider<TOptions, TData extends BaseSessionData> extends AbstractPaymentProvider<TOptions> {
  /** Used in every message, e.g. "QFPay". */
  protected abstract readonly gatewayName: string
  /** The gateway's plain statuses -> Medusa session statuses (each provider's status.ts). */
  protected abstract readonly sessionStatusByStatus: Record<TData["status"], PaymentSessionStatus>
  /** Our data back from what Medusa stored, or undefined when it is not ours. */
  protected abstract readData(data: unknown): TData | undefined
  /** Asks the gateway about the payment and returns the data updated with what it says. */
  protected abstract refresh(data: TData): Promise<TData>
  /**
   * Starts a payment attempt at the gateway for this session (a new attempt gets a new order id).
   * `requested` is what the storefront put in the session data: untrusted.
   */
  protected abstract startAttempt(
    sessionId: string,
    attempt: number,
    amountMinor: bigint,
    currency: string,
    requested: Record<string, unknown>
  ): Promise<TData>
  /** What the data's payment is for, in minor units. */
  protected abstract amountMinorOf(data: TData): bigint
  /** The currencies the gateway takes; undefined = any the store uses. */
  protected acceptedCurrencies(): ReadonlySet<string> | undefined {
    return undefined
  }
  /** The gateway's own minor units where its docs differ from ISO 4217 (e.g. `{ USDT: 6 }`). */
  protected minorUnitOverrides(): Record<string, number> {
    return {}
  }

  protected readonly options_: TOptions
  protected readonly logger_: LoggerLike
  /** The payment module's container (its session service is used to check webhooks). */
  protected readonly cradle_: Record<string, unknown>
  /** Replaced in tests. */
  protected now_: () => Date = () => new Date()

  protected constructor(cradle: Record<string, unknown>, options: TOptions) {
    super(cradle, options)
    this.cradle_ = cradle
    this.options_ = options
    this.logger_ = (safeResolve(cradle, "logger") as LoggerLike | undefined) ?? console
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const { amountMinor, currency } = this.chargeFrom(input.amount, input.currency_code, this.acceptedCurrencies())
    const requested = isRecord(input.data) ? input.data : {}
    const data = await this.startAttempt(this.sessionIdFrom(input), 1, amountMinor, currency, requested)
    return { id: data.merchant_order_id, status: PaymentSessionStatus.PENDING, data: this.out(data) }
  }

  /**
   * A new amount or currency means a new attempt: gateways fix (and often sign) the amount of a payment
   * page. Refused once the payment is paid, which is checked at the gateway, not only in our data.
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const current = this.readData(input.data)
    if (!current) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `${this.gatewayName}: this payment session has no ${this.gatewayName} payment to update; create a new payment session.`
      )
    }
    const { amountMinor, currency } = this.chargeFrom(input.amount, input.currency_code, this.acceptedCurrencies())
    if (amountMinor === this.amountMinorOf(current) && currency === current.currency) return { data: this.out(current) }
    let latest: TData
    try {
      latest = current.status === "paid" ? current : await this.refresh(current)
    } catch (error) {
      throw toMedusaError(error, "check the payment before changing its amount")
    }
    if (latest.status === "paid") {
      throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${this.gatewayName}: this payment is already paid; its amount cannot change.`)
    }
    await this.beforeNewAttempt(latest)
    const requested = isRecord(input.data) ? input.data : {}
    const data = await this.startAttempt(current.session_id, current.attempt + 1, amountMinor, currency, requested)
    return { status: PaymentSessionStatus.PENDING, data: this.out(data) }
  }

  /** Called before an amount change opens a new attempt, e.g. to stop the old one being paid. */
  protected async beforeNewAttempt(_previous: TData): Promise<void> {}

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.getPaymentStatus(input)
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const data = this.readData(input.data)
    if (!data) {
      return { status: PaymentSessionStatus.ERROR, data: { ...(input.data ?? {}), last_error: `not a ${this.gatewayName} payment session` } }
    }
    if (data.status === "paid") return { status: PaymentSessionStatus.CAPTURED, data: this.out(data) }
    let next: TData
    try {
      next = await this.refresh(data)
    } catch (error) {
      throw toMedusaError(error, "check the payment")
    }
    return { status: this.sessionStatusByStatus[next.status as TData["status"]], data: this.out(next) }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const data = this.readData(input.data)
    if (!data) return { data: input.data ?? {} }
    try {
      return { data: this.out(await this.refresh(data)) }
    } catch (error) {
      this.logger_.warn(`${this.gatewayName}: retrieve ${data.merchant_order_id} failed: ${describeError(error)}`)
      return { data: this.out(data) }
    }
  }

  /** Settled at the gateway already; Medusa records the capture itself. Keeps the data. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data ?? {} }
  }

  /** For gateways with no cancel call (their payment pages lapse): the session is marked here. */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = this.readData(input.data)
    if (!data || data.status === "paid") return { data: input.data ?? {} }
    return { data: this.out({ ...data, status: "canceled", next_action: NO_ACTION }) }
  }

  /** Nothing to undo at gateways whose unpaid payments lapse; never throws (Medusa calls it on clean-up). */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return { data: input.data ?? {} }
  }

  /** The session id Medusa passes in data (set by the module, not the storefront) or as the idempotency key. */
  protected sessionIdFrom(input: { data?: Record<string, unknown>; context?: PaymentProviderContext }): string {
    return String((isRecord(input.data) && input.data.session_id) || input.context?.idempotency_key || "")
  }

  protected merchantOrderIdFor(sessionId: string, attempt: number): string {
    try {
      return merchantOrderIdFor(sessionId, attempt)
    } catch {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: the payment session id is missing; create the session through Medusa.`)
    }
  }

  /**
   * Validates the currency (against the gateway's list, when given) and rounds Medusa's amount to what is
   * charged (lib/money `roundToMinorUnits`: Medusa's own rounding, so the order ends fully paid).
   */
  protected chargeFrom(
    amount: unknown,
    currencyCode: unknown,
    accepted?: ReadonlySet<string>
  ): { amountMinor: bigint; currency: string } {
    try {
      const currency = normalizeCurrency(currencyCode)
      if (accepted && !accepted.has(currency)) {
        throw new MedusaError(
          MedusaError.Types.INVALID_DATA,
          `${this.gatewayName} does not accept ${currency}; supported currencies: ${[...accepted].join(", ")}.`
        )
      }
      const amountMinor = roundToMinorUnits(amount, currency, this.minorUnitOverrides())
      if (amountMinor <= 0n) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: the amount to pay must be greater than zero.`)
      }
      return { amountMinor, currency }
    } catch (error) {
      if (error instanceof MoneyError) throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: ${error.message}`)
      throw error
    }
  }

  /** Minor units of an exact amount we wrote ourselves (session data, recorded refunds). */
  protected exactMinor(amount: unknown, currency: string): bigint {
    return toMinorUnits(amount, currency, this.minorUnitOverrides())
  }

  /** Minor units to the decimal text we store and send ("10.50", "1000", "1.250"). */
  protected decimalOf(minor: bigint, currency: string): string {
    return fromMinorUnits(minor, currency, this.minorUnitOverrides())
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
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: ${describeError(error)}`)
    }
    if (minor <= 0n) throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: the refund amount must be greater than zero.`)
    const charged = this.amountMinorOf(data)
    const refunded = data.refunds.reduce((sum, r) => sum + this.exactMinor(r.amount, data.currency), 0n)
    if (refunded + minor > charged) {
      const show = (m: bigint) => `${this.decimalOf(m, data.currency)} ${data.currency}`
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `${this.gatewayName}: a refund of ${show(minor)} is more than is left to refund: ${show(charged)} was charged and ${show(refunded)} is already refunded, so at most ${show(charged - refunded)} can be refunded.`
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
    this.logger_.warn(`${this.gatewayName}: refund without an idempotency key; a one-off refund id is used`)
    return refundMerchantIdFor(`rf_${this.now_().getTime()}_${Math.random().toString(36).slice(2, 10)}`)
  }

  /**
   * The refund flow for gateways that cannot send money back: the refund is recorded as owed by the
   * merchant (marker `manual_pending`, see lib/manual-refund), once per refund id.
   */
  protected recordManualRefund(data: TData, input: { amount: unknown; context?: PaymentProviderContext }): TData {
    const refundId = this.refundIdFrom(input.context)
    if (data.refunds.some((r) => r.id === refundId)) return data
    const amountMinor = this.refundAmountFrom(input.amount, data)
    const record = manualRefund({
      gateway: this.gatewayName,
      refundId,
      amountMinor,
      currency: data.currency,
      minorUnitOverrides: this.minorUnitOverrides(),
      gatewayReference: (data as BaseSessionData & { gateway_reference?: string | null }).gateway_reference ?? null,
      now: this.now_(),
    })
    this.logger_.warn(`${this.gatewayName}: refund ${refundId} recorded as manual: ${record.note}`)
    return this.withRefund(data, record)
  }

  protected withRefund(data: TData, refund: RecordedRefund): TData {
    return { ...data, refunds: [...data.refunds, refund] }
  }

  /** Logs why a webhook is not acted on and answers `not_supported` (throwing would make Medusa retry it). */
  protected ignoreWebhook(reason: string): WebhookActionResult {
    this.logger_.warn(`${this.gatewayName}: webhook ignored: ${reason}`)
    return { action: PaymentActions.NOT_SUPPORTED }
  }

  /** Our typed data as the plain record Medusa stores. */
  protected out(data: TData): Record<string, unknown> {
    return data as unknown as Record<string, unknown>
  }

  /** True when an error says the gateway may have done the operation although we saw no clean answer. */
  protected maybeProcessed(error: unknown): boolean {
    return isGatewayError(error) && error.maybeProcessed
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
