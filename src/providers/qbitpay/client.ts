import { GatewayError } from "../../lib/errors"
import { createGatewayHttpClient, parseJsonBody, HttpClient, HttpResponse, LoggerLike, RetryPolicy } from "../../lib/http"
import { isRecord } from "../../lib/session-data"
import type { QbitpayOptions } from "./options"
import { errorKindFor } from "./status"

export const GATEWAY = "Qbit Pay"

export type QbitCharge = {
  id: string
  status: string
  paid: boolean
  amount: number | string
  currency: string
  externalOrderId: string
  paymentPageUrl?: string
  expiresAt?: string
  createdAt?: string
  [key: string]: unknown
}

function isRateLimited(response: HttpResponse): boolean {
  if (response.status !== 403) return false
  try {
    return JSON.parse(response.body)?.type === "rate_limit_error"
  } catch {
    return false
  }
}

export function asCharge(value: unknown): QbitCharge | undefined {
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.status !== "string") return undefined
  return value as QbitCharge
}

/**
 * The one way out to Qbit Pay: HTTP Basic with the API key, JSON in and out, `{type, message, detail}`
 * errors mapped by HTTP status, and a 403 `rate_limit_error` retried like a 429. The H5 access token is
 * cached only while it is valid.
 */
export class QbitpayClient {
  readonly http: HttpClient
  private token_: { value: string; validUntil: number } | undefined

  constructor(private readonly options: QbitpayOptions, logger?: LoggerLike, private readonly now: () => Date = () => new Date()) {
    this.http = createGatewayHttpClient(GATEWAY, options, logger, {
      secrets: [options.apiKey],
      sensitiveNames: ["accessToken"],
      isRateLimited,
    })
  }

  private async send(operation: string, req: { method: "GET" | "POST"; path: string; query?: Record<string, string>; jsonText?: string }, retry: RetryPolicy): Promise<unknown> {
    const response = await this.http.request({ operation, ...req, retry, auth: { username: this.options.apiKey, password: "" } })
    const body: unknown = parseJsonBody(response, GATEWAY, operation)
    if (response.status >= 200 && response.status < 300) return body
    const { kind, message } = errorKindFor(response.status, isRecord(body) ? body.type : undefined)
    const detail = isRecord(body) && Array.isArray(body.detail)
      ? ` (${body.detail.map((d) => (isRecord(d) ? `${d.field ?? ""}: ${d.message ?? d.code ?? ""}` : "")).join("; ").slice(0, 200)})`
      : isRecord(body) && typeof body.message === "string" ? ` (${body.message.slice(0, 200)})` : ""
    throw new GatewayError(kind, GATEWAY, `${message}${detail}`, { httpStatus: response.status, code: isRecord(body) && typeof body.type === "string" ? body.type : undefined })
  }

  /**
   * `POST /api/v1/charges`. The amount is written into the JSON as the exact decimal text (major units),
   * never through a float. Creating a charge is not deduplicated by Qbit Pay: a lost answer is not resent.
   */
  async createCharge(params: { amount: string; currency: string; externalOrderId: string; cbUrl: string; redirectUrl: string }): Promise<QbitCharge> {
    if (!/^\d+(\.\d+)?$/.test(params.amount)) throw new GatewayError("invalid_request", GATEWAY, "amount must be a decimal")
    const jsonText =
      `{"amount":${params.amount},"currency":${JSON.stringify(params.currency)},"externalOrderId":${JSON.stringify(params.externalOrderId)},` +
      `"cbUrl":${JSON.stringify(params.cbUrl)},"redirectUrl":${JSON.stringify(params.redirectUrl)}}`
    const body = await this.send("create charge", { method: "POST", path: "/api/v1/charges", jsonText }, "never")
    const charge = asCharge(body)
    if (!charge) throw new GatewayError("malformed_response", GATEWAY, "create charge answered without a charge")
    return charge
  }

  async retrieveCharge(id: string): Promise<QbitCharge> {
    const body = await this.send("retrieve charge", { method: "GET", path: `/api/v1/charges/${encodeURIComponent(id)}` }, "idempotent")
    const charge = asCharge(body)
    if (!charge) throw new GatewayError("malformed_response", GATEWAY, "retrieve charge answered without a charge")
    return charge
  }

  /** Charges carrying our order id (newest first; the id is not unique at Qbit Pay). */
  async chargesFor(externalOrderId: string): Promise<QbitCharge[]> {
    const body = await this.send(
      "list charges",
      { method: "GET", path: "/api/v1/charges", query: { externalOrderId, limit: "100" } },
      "idempotent"
    )
    if (!isRecord(body) || !Array.isArray(body.data)) throw new GatewayError("malformed_response", GATEWAY, "list charges answered without data")
    return body.data.map(asCharge).filter((c): c is QbitCharge => !!c && c.externalOrderId === externalOrderId)
  }

  /** The H5 page's access token, cached while valid (per process; no shared state is needed). */
  async accessToken(): Promise<string> {
    const now = this.now().getTime()
    if (this.token_ && this.token_.validUntil > now) return this.token_.value
    const body = await this.send("access token", { method: "GET", path: "/api/v1/accessToken" }, "idempotent")
    if (!isRecord(body) || typeof body.accessToken !== "string" || !body.accessToken) {
      throw new GatewayError("malformed_response", GATEWAY, "accessToken answered without a token")
    }
    const cacheUntil = now + this.options.accessTokenCacheMinutes * 60_000
    const expiresAt = jwtExpiry(body.accessToken)
    // Never past the token's own expiry (minus a minute for clock skew and the shopper's page load).
    const validUntil = expiresAt !== undefined ? Math.min(cacheUntil, expiresAt - 60_000) : cacheUntil
    this.token_ = { value: body.accessToken, validUntil }
    return body.accessToken
  }
}

/** `exp` of a JWT in ms, if the token is one; Qbit's token is opaque to us otherwise. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split(".")
  if (parts.length !== 3) return undefined
  try {
    const payload = JSON.parse(Buffer.from(parts[1].replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"))
    return typeof payload?.exp === "number" ? payload.exp * 1000 : undefined
  } catch {
    return undefined
  }
}
