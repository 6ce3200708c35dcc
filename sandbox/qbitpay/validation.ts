/**
 * Qbit Pay API errors (reference §4) and the parameter rules of create / update / list (§5, §7, §11).
 * Every rule takes the strict reading: a request that passes here should pass against the real service.
 */

export type ErrorType = "invalid_request_error" | "api_error" | "authentication_error" | "rate_limit_error"

export interface FieldProblem {
  field: string
  code: "missing_field" | "invalid"
  message: string
}

/** An error answer: HTTP status plus the `{type, message, detail?}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly detail?: FieldProblem[]
  ) {
    super(message)
    this.name = "ApiError"
  }

  body(): Record<string, unknown> {
    // The backend's 401 carries the type only (reference §2).
    if (this.type === "authentication_error" && this.status === 401) return { type: this.type }
    return this.detail ? { type: this.type, message: this.message, detail: this.detail } : { type: this.type, message: this.message }
  }
}

export const unauthenticated = (): ApiError => new ApiError(401, "authentication_error", "authentication required")
export const rateLimited = (): ApiError =>
  new ApiError(403, "rate_limit_error", "Too many requests: the concurrency limit of this API key was exceeded")
export const noSuchCharge = (id: string): ApiError => new ApiError(404, "invalid_request_error", `No such charge: ${id}`)

/** 400 with one `detail` entry per problem; the message names the first one. */
export function invalidParams(problems: FieldProblem[]): ApiError {
  return new ApiError(400, "invalid_request_error", problems[0].message, problems)
}

const missing = (field: string): FieldProblem => ({ field, code: "missing_field", message: `${field} is required` })
const invalid = (field: string, why: string): FieldProblem => ({ field, code: "invalid", message: `${field} is invalid: ${why}` })

/** Decimal places allowed per settlement currency. */
export const CURRENCY_DECIMALS: Readonly<Record<string, number>> = { USD: 2, USDT: 6 }
export const BASE_CURRENCIES = ["BTC", "USDT"] as const
/** Payment types offered per payer currency (§7.1). */
export const PAYMENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  CNY: ["Alipay", "Yunshanfu", "bankAccount"],
  USD: ["PayPal", "bankAccount"],
  PHP: ["Coins.ph", "GCash"],
}

/** Fields of a request body: JSON gives any values, a form gives strings. */
export interface ParsedBody {
  kind: "json" | "form"
  fields: Record<string, unknown>
}

export interface CreateChargeParams {
  amount: number
  currency: string
  externalOrderId: string
  cbUrl: string
  redirectUrl: string
  baseCurrency: string
  quoteCurrency: string
  paymentType?: string
  payerName?: string
}

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== ""

/** A form decimal: digits, optional fraction; no sign, exponent, hex, blanks or leading zeros. */
const FORM_DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/

function readAmount(body: ParsedBody, problems: FieldProblem[]): number | undefined {
  const raw = body.fields.amount
  if (!present(raw)) {
    problems.push(missing("amount"))
    return undefined
  }
  let amount: number
  if (typeof raw === "number") amount = raw
  else if (body.kind === "form" && typeof raw === "string" && FORM_DECIMAL.test(raw)) amount = Number(raw)
  else {
    problems.push(invalid("amount", body.kind === "json" ? "must be a JSON number" : "must be a decimal number"))
    return undefined
  }
  if (!Number.isFinite(amount) || amount <= 0) {
    problems.push(invalid("amount", "must be a finite number greater than 0"))
    return undefined
  }
  return amount
}

/** True when `amount` has at most `places` decimals (tolerant of binary floating point, e.g. 10.01). */
export function hasAtMostDecimals(amount: number, places: number): boolean {
  const factor = 10 ** places
  return Math.round(amount * factor) / factor === amount
}

function readString(body: ParsedBody, field: string, problems: FieldProblem[], required: boolean): string | undefined {
  const raw = body.fields[field]
  if (!present(raw)) {
    if (required) problems.push(missing(field))
    return undefined
  }
  if (typeof raw !== "string") {
    problems.push(invalid(field, "must be a string"))
    return undefined
  }
  if (raw.trim() === "") {
    problems.push(required ? missing(field) : invalid(field, "must not be blank"))
    return undefined
  }
  return raw
}

/** An absolute http(s) URL with a host. */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== ""
  } catch {
    return false
  }
}

function readUrl(body: ParsedBody, field: string, problems: FieldProblem[]): string | undefined {
  const text = readString(body, field, problems, true)
  if (text !== undefined && !isHttpUrl(text)) {
    problems.push(invalid(field, "must be an absolute http(s) URL"))
    return undefined
  }
  return text
}

function readChoice(
  body: ParsedBody,
  field: string,
  choices: readonly string[],
  problems: FieldProblem[],
  fallback?: string
): string | undefined {
  const text = readString(body, field, problems, fallback === undefined)
  if (text === undefined) return fallback
  if (!choices.includes(text)) {
    problems.push(invalid(field, `must be one of ${choices.join(", ")}`))
    return undefined
  }
  return text
}

/** POST /api/v1/charges: every problem is collected, then one 400 lists them all. */
export function parseCreateCharge(body: ParsedBody): CreateChargeParams {
  const problems: FieldProblem[] = []
  const amount = readAmount(body, problems)
  const currency = readChoice(body, "currency", Object.keys(CURRENCY_DECIMALS), problems)
  if (amount !== undefined && currency !== undefined && !hasAtMostDecimals(amount, CURRENCY_DECIMALS[currency])) {
    problems.push(invalid("amount", `${currency} allows at most ${CURRENCY_DECIMALS[currency]} decimal places`))
  }
  const externalOrderId = readString(body, "externalOrderId", problems, true)
  const cbUrl = readUrl(body, "cbUrl", problems)
  const redirectUrl = readUrl(body, "redirectUrl", problems)
  const baseCurrency = readChoice(body, "baseCurrency", BASE_CURRENCIES, problems, "BTC")
  const quoteCurrency = readChoice(body, "quoteCurrency", Object.keys(PAYMENT_TYPES), problems, "CNY")
  const paymentType = readString(body, "paymentType", problems, false)
  if (paymentType !== undefined && quoteCurrency !== undefined && !PAYMENT_TYPES[quoteCurrency].includes(paymentType)) {
    problems.push(invalid("paymentType", `${quoteCurrency} supports ${PAYMENT_TYPES[quoteCurrency].join(", ")}`))
  }
  const payerName = readString(body, "payerName", problems, false)
  if (problems.length > 0) throw invalidParams(problems)
  return {
    amount: amount as number,
    currency: currency as string,
    externalOrderId: externalOrderId as string,
    cbUrl: cbUrl as string,
    redirectUrl: redirectUrl as string,
    baseCurrency: baseCurrency as string,
    quoteCurrency: quoteCurrency as string,
    paymentType,
    payerName,
  }
}

/** PUT /api/v1/charges/:id: only `{status: "buyerPaid"}` is supported (§7.4). */
export function parseUpdateCharge(body: ParsedBody): "buyerPaid" {
  const problems: FieldProblem[] = []
  for (const field of Object.keys(body.fields)) {
    if (field !== "status") problems.push(invalid(field, "cannot be updated; only status can"))
  }
  const status = readString(body, "status", problems, true)
  if (status !== undefined && status !== "buyerPaid") problems.push(invalid("status", 'the only supported value is "buyerPaid"'))
  if (problems.length > 0) throw invalidParams(problems)
  return "buyerPaid"
}

export interface ListParams {
  limit: number
  startingAfter?: string
  endingBefore?: string
  externalOrderId?: string
}

const LIST_PARAMS = ["limit", "starting_after", "ending_before", "externalOrderId"] as const

/** GET /api/v1/charges query: limit 1..100 (default 10), one cursor at most, each parameter at most once. */
export function parseListQuery(query: URLSearchParams): ListParams {
  const problems: FieldProblem[] = []
  for (const name of LIST_PARAMS) {
    if (query.getAll(name).length > 1) problems.push(invalid(name, "must be given once"))
  }
  const value = (name: (typeof LIST_PARAMS)[number]): string | undefined => query.get(name) ?? undefined

  let limit = 10
  const rawLimit = value("limit")
  if (rawLimit !== undefined) {
    limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : NaN
    if (!(limit >= 1 && limit <= 100)) problems.push(invalid("limit", "must be an integer from 1 to 100"))
  }
  const startingAfter = value("starting_after")
  const endingBefore = value("ending_before")
  if (startingAfter === "") problems.push(invalid("starting_after", "must be a charge id"))
  if (endingBefore === "") problems.push(invalid("ending_before", "must be a charge id"))
  if (startingAfter !== undefined && endingBefore !== undefined) {
    problems.push(invalid("ending_before", "starting_after and ending_before are mutually exclusive"))
  }
  const externalOrderId = value("externalOrderId")
  if (externalOrderId === "") problems.push(invalid("externalOrderId", "must not be empty"))
  if (problems.length > 0) throw invalidParams(problems)
  return { limit, startingAfter, endingBefore, externalOrderId }
}
