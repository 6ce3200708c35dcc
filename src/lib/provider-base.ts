import { AbstractPaymentProvider, MedusaError, PaymentActions } from "@medusajs/framework/utils"
import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  PaymentProviderContext,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { isGatewayError } from "./errors"
import type { LoggerLike } from "./http"
import { refundMerchantIdFor } from "./merchant-order-id"
import { MoneyError, normalizeCurrency, toMinorUnits } from "./money"

/**
 * What the three providers share around Medusa's provider contract, so each service only maps its own
 * gateway: the logger and container, an injectable clock, money checks with clear errors, refund ids, and
 * the conventions that all three gateways settle at once (authorize = look the payment up; capture = no-op).
 */
export abstract class GatewayPaymentProvider<TOptions> extends AbstractPaymentProvider<TOptions> {
  /** Used in every message, e.g. "QFPay". */
  protected abstract readonly gatewayName: string
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

  /** All three gateways settle at once: authorizing = asking the gateway whether it was paid. */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.getPaymentStatus(input)
  }

  /** Settled at the gateway already; Medusa records the capture itself. Keeps the data. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data ?? {} }
  }

  /** Validates the currency (against the gateway's list, when given) and converts the amount exactly. */
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
      const amountMinor = toMinorUnits(amount, currency)
      if (amountMinor <= 0n) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: the amount to pay must be greater than zero.`)
      }
      return { amountMinor, currency }
    } catch (error) {
      if (error instanceof MoneyError) throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: ${error.message}`)
      throw error
    }
  }

  /** A refund amount (Medusa passes a raw `{ value, precision }`) in minor units, > 0. */
  protected refundAmountFrom(amount: unknown, currency: string): bigint {
    let minor: bigint
    try {
      minor = toMinorUnits(amount, currency)
    } catch (error) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: ${describeError(error)}`)
    }
    if (minor <= 0n) throw new MedusaError(MedusaError.Types.INVALID_DATA, `${this.gatewayName}: the refund amount must be greater than zero.`)
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

  /** Logs why a webhook is not acted on and answers `not_supported` (throwing would make Medusa retry it). */
  protected ignoreWebhook(reason: string): WebhookActionResult {
    this.logger_.warn(`${this.gatewayName}: webhook ignored: ${reason}`)
    return { action: PaymentActions.NOT_SUPPORTED }
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
