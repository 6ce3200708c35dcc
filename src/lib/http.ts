import http from "node:http"
import https from "node:https"
import axios, { AxiosError, AxiosInstance } from "axios"
import { GatewayError } from "./errors"
import { createRedactor, Redactor } from "./redact"

/** The part of Medusa's logger we use; any console-like logger fits. */
export type LoggerLike = {
  debug?(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/**
 * Whether a request may be sent again after an ambiguous failure (timeout, reset, 5xx):
 * - `idempotent`: a read, or a write the gateway deduplicates by our own id. Repeating cannot move money twice.
 * - `never`: a money-moving write without server-side deduplication. An ambiguous failure is surfaced as
 *   `indeterminate`, and the caller reconciles by looking the operation up (never resends blindly).
 * Failures that prove the request was not processed (connection refused, 429) are retried under both.
 */
export type RetryPolicy = "idempotent" | "never"

export type HttpRequest = {
  /** Short name for logs, e.g. "query" or "refund". */
  operation: string
  method: "GET" | "POST"
  path: string
  query?: Record<string, string>
  headers?: Record<string, string>
  /** Sent as application/x-www-form-urlencoded, in insertion order. */
  form?: Record<string, string>
  /** Sent as application/json. */
  json?: unknown
  /**
   * Sent as application/json exactly as given: for bodies whose numbers must keep their decimal text
   * (an amount built from an exact decimal string, never from a float).
   */
  jsonText?: string
  retry: RetryPolicy
  /** Basic auth; the password defaults to empty. */
  auth?: { username: string; password?: string }
}

export type HttpResponse = {
  status: number
  headers: Record<string, string>
  /** The raw body text. */
  body: string
}

export type HttpClientOptions = {
  /** Gateway name used in logs and errors, e.g. "AcmePay". */
  gateway: string
  baseURL: string
  /** Per-attempt limit covering connect and the whole response. */
  timeoutMs?: number
  /** Overall limit for one call including retries and backoff. */
  deadlineMs?: number
  /** Retries after the first attempt. */
  maxRetries?: number
  logger?: LoggerLike
  /** Log request and response bodies (redacted) at debug level. */
  debug?: boolean
  /** Secret values that must never appear in a log line or error. */
  secrets?: Array<string | undefined>
  /** Extra field/header names to mask in logs. */
  sensitiveNames?: string[]
  /** Responses that mean "rate limited, not processed" besides HTTP 429 (e.g. a 403 with a rate-limit error type). */
  isRateLimited?: (response: HttpResponse) => boolean
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

export type AttemptOutcome =
  | { kind: "response"; status: number; rateLimited: boolean }
  | { kind: "not_sent" }
  | { kind: "maybe_sent" }

/** Pure retry decision, so it can be tested as a table. */
export function shouldRetry(
  outcome: AttemptOutcome,
  attempt: number,
  maxRetries: number,
  policy: RetryPolicy
): boolean {
  if (attempt >= maxRetries) return false
  switch (outcome.kind) {
    case "not_sent":
      return true
    case "maybe_sent":
      return policy === "idempotent"
    case "response":
      if (outcome.rateLimited) return true
      if (outcome.status >= 500) return policy === "idempotent"
      return false
  }
}

/** Exponential backoff from 500 ms, capped at 5 s, with jitter in [0.5, 1). `attempt` counts from 0. */
export function backoffMs(attempt: number, random: () => number = Math.random, retryAfterMs?: number): number {
  const base = Math.min(500 * 2 ** attempt, 5000)
  const jittered = Math.max(250, Math.round(base * (0.5 + random() / 2)))
  return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, 5000)) : jittered
}

const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])

function classifyNetworkError(error: AxiosError): "not_sent" | "maybe_sent" {
  const code = error.code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code
  return code && NOT_SENT_CODES.has(code) ? "not_sent" : "maybe_sent"
}

function parseRetryAfter(headers: Record<string, string>): number | undefined {
  const value = headers["retry-after"]
  if (!value) return undefined
  const seconds = Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined
}

export type HttpClient = {
  request(req: HttpRequest): Promise<HttpResponse>
  redactor: Redactor
  baseURL: string
}

/**
 * One HTTP client per provider instance: keep-alive agents, per-attempt timeout, overall deadline, the retry
 * policy above, errors mapped to GatewayError kinds, and every log line redacted. It returns any response
 * below 500 that is not rate limited; the provider's client interprets gateway-level errors in the body.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const timeoutMs = options.timeoutMs ?? 15_000
  const deadlineMs = options.deadlineMs ?? Math.max(30_000, timeoutMs)
  const maxRetries = options.maxRetries ?? 2
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const random = options.random ?? Math.random
  const redactor = createRedactor(options.secrets ?? [], options.sensitiveNames)
  const gateway = options.gateway
  const logger = options.logger

  const instance: AxiosInstance = axios.create({
    baseURL: options.baseURL.replace(/\/+$/, ""),
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 16 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 16, minVersion: "TLSv1.2" }),
    maxRedirects: 0,
    responseType: "text",
    transformResponse: [(data) => data],
    validateStatus: () => true,
    // Never let axios pick up proxy settings from the environment: money calls go where configured.
    proxy: false,
  })

  const log = (level: "debug" | "info" | "warn" | "error", message: string) => {
    if (!logger) return
    const line = redactor.text(message)
    if (level === "debug") {
      if (options.debug) (logger.debug ?? logger.info).call(logger, line)
      return
    }
    logger[level](line)
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const started = Date.now()
    const label = `${gateway} ${req.operation} ${req.method} ${req.path}`
    let body: string | undefined
    const headers: Record<string, string> = { Accept: "application/json", ...(req.headers ?? {}) }
    if (req.form) {
      body = new URLSearchParams(req.form).toString()
      headers["Content-Type"] = "application/x-www-form-urlencoded;charset=UTF-8"
    } else if (req.jsonText !== undefined || req.json !== undefined) {
      body = req.jsonText ?? JSON.stringify(req.json)
      headers["Content-Type"] = "application/json"
    }
    if (options.debug) {
      log("debug", `${label} request headers=${JSON.stringify(redactor.value(headers))} body=${JSON.stringify(redactor.value(req.form ?? req.json ?? safeJson(req.jsonText ?? "null")))}`)
    }

    for (let attempt = 0; ; attempt++) {
      const remaining = deadlineMs - (Date.now() - started)
      if (remaining <= 0) {
        throw new GatewayError("indeterminate", gateway, `${req.operation} ran out of time (${deadlineMs} ms)`)
      }
      const attemptTimeout = Math.min(timeoutMs, remaining)
      let outcome: AttemptOutcome
      let failure: GatewayError
      let retryAfter: number | undefined
      try {
        const res = await instance.request<string>({
          method: req.method,
          url: req.path,
          params: req.query,
          data: body,
          headers,
          auth: req.auth ? { username: req.auth.username, password: req.auth.password ?? "" } : undefined,
          timeout: attemptTimeout,
          signal: AbortSignal.timeout(attemptTimeout),
        })
        const response: HttpResponse = {
          status: res.status,
          headers: Object.fromEntries(
            Object.entries(res.headers ?? {}).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : String(v)])
          ),
          body: typeof res.data === "string" ? res.data : String(res.data ?? ""),
        }
        const rateLimited = response.status === 429 || (options.isRateLimited?.(response) ?? false)
        log(
          rateLimited || response.status >= 500 ? "warn" : "debug",
          `${label} -> HTTP ${response.status} in ${Date.now() - started} ms (attempt ${attempt + 1})`
        )
        if (options.debug) log("debug", `${label} response body=${JSON.stringify(redactor.value(safeJson(response.body)))}`)
        if (!rateLimited && response.status < 500) return response
        outcome = { kind: "response", status: response.status, rateLimited }
        retryAfter = parseRetryAfter(response.headers)
        failure = rateLimited
          ? new GatewayError("rate_limited", gateway, `${req.operation} was rate limited`, { httpStatus: response.status })
          : new GatewayError(
              req.retry === "idempotent" ? "retry_later" : "indeterminate",
              gateway,
              `${req.operation} failed with HTTP ${response.status}`,
              { httpStatus: response.status }
            )
      } catch (error) {
        const axiosError = error as AxiosError
        const kind = classifyNetworkError(axiosError)
        outcome = { kind }
        const reason = axiosError.code === "ECONNABORTED" || axiosError.code === "ERR_CANCELED" || axiosError.name === "CanceledError"
          ? `timed out after ${attemptTimeout} ms`
          : `network error ${axiosError.code ?? axiosError.message}`
        log("warn", `${label} ${reason} (attempt ${attempt + 1})`)
        failure = new GatewayError(kind === "not_sent" ? "not_sent" : "indeterminate", gateway, `${req.operation} ${reason}`)
      }
      if (!shouldRetry(outcome, attempt, maxRetries, req.retry)) {
        throw failure
      }
      const wait = backoffMs(attempt, random, retryAfter)
      if (Date.now() - started + wait >= deadlineMs) throw failure
      await sleep(wait)
    }
  }

  return { request, redactor, baseURL: options.baseURL }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text.length > 500 ? `${text.slice(0, 500)}...` : text
  }
}

/**
 * Refuses plain-HTTP base URLs except on loopback (the offline simulators), so a typo cannot send
 * credentials in clear text. Returns an error message or undefined.
 */
export function insecureBaseUrlProblem(url: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return "is not a valid URL"
  }
  if (parsed.protocol === "https:") return undefined
  if (parsed.protocol === "http:" && isLoopbackUrl(url)) return undefined
  return "must use https (plain http is only allowed for localhost simulators)"
}

/** A URL on this machine (where only the offline simulators run). */
export function isLoopbackUrl(url: string): boolean {
  try {
    return ["localhost", "127.0.0.1", "[::1]", "::1"].includes(new URL(url).hostname)
  } catch {
    return false
  }
}

/** The tuning options every provider accepts (see lib/options `httpTuningSchema`) plus its base URL. */
export type GatewayConnection = { baseUrl: string; timeoutMs: number; maxRetries: number; debug: boolean }

/** A provider's client: its connection options, its secrets to redact, and any gateway-specific extras. */
export function createGatewayHttpClient(
  gateway: string,
  connection: GatewayConnection,
  logger: LoggerLike | undefined,
  extra: Pick<HttpClientOptions, "secrets" | "sensitiveNames" | "isRateLimited">
): HttpClient {
  return createHttpClient({
    gateway,
    baseURL: connection.baseUrl,
    timeoutMs: connection.timeoutMs,
    maxRetries: connection.maxRetries,
    debug: connection.debug,
    logger,
    ...extra,
  })
}

/** The JSON body of a response; a body that is not JSON is a `malformed_response` (the outcome is unknown). */
export function parseJsonBody(response: HttpResponse, gateway: string, operation: string): unknown {
  try {
    return JSON.parse(response.body)
  } catch {
    throw new GatewayError("malformed_response", gateway, `${operation} answered HTTP ${response.status} with a body that is not JSON`, {
      httpStatus: response.status,
    })
  }
}
