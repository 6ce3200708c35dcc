import { GatewayError } from "../../lib/errors"
import { createGatewayHttpClient, parseJsonBody, HttpClient, LoggerLike, RetryPolicy } from "../../lib/http"
import { compactParams, hmacSha256Hex } from "../../lib/signing"
import { isRecord } from "../../lib/session-data"
import type { QuantapayOptions } from "./options"
import { API_ERRORS } from "./status"

export const GATEWAY = "QuantaPay"

/** A transaction row as QuantaPay sends it (all values strings, reference §6). */
export type QuantapayTransaction = {
  id: string
  status: string
  amount?: string
  amount_fiat?: string
  cryptocurrency?: string
  currency?: string
  external_reference?: string
  hash?: string
  biz_id?: string
  [key: string]: unknown
}

export type CheckoutSession = { payment_url: string; checkout_id: string | null; expires_at: string | null }

/**
 * The one way out to QuantaPay: every call is a form POST to api.php with `function` and `api-key`, and
 * every answer is the `{success, response}` envelope. Dispatcher errors and domain errors hidden inside
 * `success: true` (a string, `false`, `["error", ...]`) become GatewayErrors; callers get `response` only
 * when its shape is what they asked for.
 */
export class QuantapayClient {
  readonly http: HttpClient

  constructor(private readonly options: QuantapayOptions, logger?: LoggerLike) {
    this.http = createGatewayHttpClient(GATEWAY, options, logger, {
      secrets: [options.apiKey, options.webhookSecret],
      sensitiveNames: ["api-key", "signature"],
    })
  }

  async call(fn: string, args: Record<string, string | undefined>, retry: RetryPolicy): Promise<unknown> {
    const form = compactParams({ function: fn, "api-key": this.options.apiKey, ...args })
    const response = await this.http.request({ operation: fn, method: "POST", path: "/api.php", form, retry })
    const body: unknown = parseJsonBody(response, GATEWAY, fn)
    if (!isRecord(body) || typeof body.success !== "boolean") {
      throw new GatewayError("malformed_response", GATEWAY, `${fn} answered without the {success, response} envelope`)
    }
    if (body.success === false) {
      const code = typeof body.error_code === "string" ? body.error_code : undefined
      const known = code ? API_ERRORS[code] : undefined
      if (known) {
        // missing-argument names the argument; other messages are the gateway's own and carry no secret.
        const detail = code === "missing-argument" && typeof body.message === "string" ? ` (${body.message})` : ""
        throw new GatewayError(known.kind, GATEWAY, `${known.message}${detail}`, { code })
      }
      throw new GatewayError("declined", GATEWAY, `${fn} was refused${typeof body.response === "string" ? `: ${body.response.slice(0, 120)}` : ""}`, { code })
    }
    return body.response
  }

  /** `{price}|{currency}|{order_id}|{timestamp}` HMAC-SHA256 with the webhook secret, over the exact strings sent. */
  checkoutSignature(price: string, currency: string, orderId: string, timestamp: string): string {
    return hmacSha256Hex(this.options.webhookSecret, `${price}|${currency}|${orderId}|${timestamp}`)
  }

  async createCheckoutSession(params: {
    price: string
    currency: string
    orderId: string
    redirect?: string
    title?: string
    now: Date
  }): Promise<CheckoutSession> {
    const timestamp = String(Math.floor(params.now.getTime() / 1000))
    const signed = this.options.signCheckout
      ? { timestamp, signature: this.checkoutSignature(params.price, params.currency, params.orderId, timestamp) }
      : {}
    // Creating a session moves no money and QuantaPay keys it by our order id: repeating it is harmless.
    const response = await this.call(
      "create-checkout-session",
      { price: params.price, currency: params.currency, order_id: params.orderId, redirect: params.redirect, title: params.title, ...signed },
      "idempotent"
    )
    if (!isRecord(response) || typeof response.payment_url !== "string" || !/^https?:\/\//.test(response.payment_url)) {
      throw domainError("create-checkout-session", response)
    }
    return {
      payment_url: response.payment_url,
      checkout_id: typeof response.checkout_id === "string" ? response.checkout_id : null,
      expires_at: typeof response.expires_at === "string" ? response.expires_at : null,
    }
  }

  /** Every transaction QuantaPay holds for our order id (searched, then matched exactly). */
  async transactionsFor(orderId: string): Promise<QuantapayTransaction[]> {
    const response = await this.call("get-transactions", { search: orderId, pagination: "0" }, "idempotent")
    if (!Array.isArray(response)) throw domainError("get-transactions", response)
    return response
      .map(asTransaction)
      .filter((t): t is QuantapayTransaction => t !== undefined && t.external_reference === orderId)
  }

  async transaction(id: string): Promise<QuantapayTransaction | undefined> {
    const response = await this.call("get-transaction", { transaction_id: id }, "idempotent")
    if (response === false || response === null) return undefined
    const t = asTransaction(response)
    if (!t) throw domainError("get-transaction", response)
    return t
  }

  /** `refund` (reference §11): `{status: true | "<code>", message}`. Sends coins on chain: never repeated blindly. */
  async refund(transactionId: string): Promise<{ status: true } | { status: string; message: string }> {
    const response = await this.call("refund", { transaction_id: transactionId }, "never")
    if (!isRecord(response) || (response.status !== true && typeof response.status !== "string")) {
      throw domainError("refund", response)
    }
    return response.status === true ? { status: true } : { status: String(response.status), message: String(response.message ?? "") }
  }
}

/** A transaction row with its id as a string (rows are strings, but be lenient about a numeric id). */
export function asTransaction(row: unknown): QuantapayTransaction | undefined {
  if (!isRecord(row) || (typeof row.id !== "string" && typeof row.id !== "number") || typeof row.status !== "string") return undefined
  return { ...row, id: String(row.id), status: row.status } as QuantapayTransaction
}

/** A `success: true` answer whose `response` is not what was asked for: QuantaPay's way of reporting domain errors. */
function domainError(fn: string, response: unknown): GatewayError {
  let what: string
  if (Array.isArray(response) && response[0] === "error") what = String(response[1] ?? "error")
  else if (typeof response === "string") what = response
  else if (response === false) what = "false"
  else what = "an unexpected answer"
  return new GatewayError("declined", GATEWAY, `${fn} returned ${what.slice(0, 120)}`)
}
