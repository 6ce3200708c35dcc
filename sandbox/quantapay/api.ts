/**
 * `POST /api.php`: the dispatcher (Boxcoin's api.php checks, in its order) and one handler per function.
 * Every answer is HTTP 200; the caller serialises the returned envelope with PHP's json_encode.
 */
import { quantapayCheckoutSignature, secretsMatch } from "../shared/signatures"
import { API_FUNCTIONS, coinOf, FIAT_PER_USD, fiatCode, fiatDecimals, isApiFunction, type ApiFunction } from "./catalogue"
import type { Account, SimCore } from "./core"
import { formatUnits, fractionDigits, mul, mustRatio, ratio, roundUnits, trimZeros, type Ratio } from "./decimal"

/** Largest allowed difference between a signed request's timestamp and the simulator clock. */
export const SIGNATURE_WINDOW_S = 300
const PAGE_SIZE = 100

export type Envelope =
  | { success: true; response: unknown }
  | { success: false; error_code: string; message: string }

/** A dispatcher-level failure: `{success: false, error_code, message}`. */
export class ApiError extends Error {
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

/** Domain errors travel inside `success: true` (reference §3); this simulator uses `["error", "<code>"]`. */
const domainError = (code: string): ["error", string] => ["error", code]

/**
 * The POST fields as PHP's $_POST sees them: the last value wins, `name[]` fields collect into arrays.
 * Anything but an application/x-www-form-urlencoded body yields no fields at all.
 */
export class Fields {
  private readonly scalars = new Map<string, string>()
  private readonly arrays = new Map<string, string[]>()

  constructor(contentType: string | undefined, body: string) {
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? "")) return
    for (const [key, value] of new URLSearchParams(body)) {
      if (key.endsWith("[]")) {
        const name = key.slice(0, -2)
        this.arrays.set(name, [...(this.arrays.get(name) ?? []), value])
      } else {
        this.scalars.set(key, value)
      }
    }
  }

  /** PHP isset(): sent at all, even empty. */
  get(name: string): string | undefined {
    return this.scalars.get(name)
  }

  /** Sent and not "" (what an optional argument needs to count). */
  value(name: string): string | undefined {
    const value = this.scalars.get(name)
    return value === undefined || value === "" ? undefined : value
  }

  list(name: string): string[] | undefined {
    return this.arrays.get(name)
  }
}

type Handler = (core: SimCore, account: Account, fields: Fields) => unknown

/** Runs one api.php call. Never throws for bad input: every refusal is an envelope. */
export function handleApiCall(core: SimCore, fields: Fields): Envelope {
  try {
    const name = fields.get("function")
    if (name === undefined) throw new ApiError("missing-function-name", "Function name is required.")
    // Allow-list before the key, as Boxcoin does.
    if (!isApiFunction(name)) throw new ApiError("function-not-found", `Function ${name} not found.`)
    const apiKey = fields.get("api-key")
    // PHP empty(): "" and "0" count as missing.
    if (apiKey === undefined || apiKey === "" || apiKey === "0") {
      throw new ApiError("api-key-not-found", "API key is required. Get it from Settings > Account.")
    }
    const account = core.accounts.get(apiKey)
    if (!account) throw new ApiError("invalid-api-key", "Invalid API key.")
    for (const arg of API_FUNCTIONS[name]) {
      if (fields.get(arg) === undefined) throw new ApiError("missing-argument", `Missing argument: ${arg}`)
    }
    const response = HANDLERS[name](core, account, fields)
    core.logger.info(`api.php ${name} -> ok`)
    return { success: true, response }
  } catch (err) {
    if (!(err instanceof ApiError)) throw err
    core.logger.info(`api.php ${fields.get("function") ?? "-"} -> ${err.code}`)
    return { success: false, error_code: err.code, message: err.message }
  }
}

const HANDLERS: Record<ApiFunction, Handler> = {
  "create-checkout-session": createCheckoutSession,
  "get-transaction": (core, account, f) => {
    const tx = core.ledger.transactionOf(account.config.apiKey, f.get("transaction_id") ?? "")
    return tx ? { ...tx.row } : false
  },
  "get-transactions": getTransactions,
  refund: (core, account, f) => core.refund(account, f.get("transaction_id") ?? ""),
  "get-balances": (core, account) => core.balances(account),
  "get-credit-balance": (core, account) => ({ credit_balance: core.creditBalance(account), credit_currency: "USD" }),
  "get-exchange-rates": (_core, _account, f) => {
    const rate = coinRate(f.get("cryptocurrency_code") ?? "", f.get("currency_code") ?? "")
    return Array.isArray(rate) ? rate : trimZeros(formatUnits(roundUnits(rate.perCoin, 8), 8))
  },
  "get-fiat-value": (_core, _account, f) => {
    const rate = coinRate(f.get("cryptocurrency_code") ?? "", f.get("currency_code") ?? "")
    if (Array.isArray(rate)) return rate
    const amount = ratio(f.get("amount") ?? "")
    if (!amount) return domainError("invalid-amount")
    return Number(formatUnits(roundUnits(mul(amount, rate.perCoin), 2), 2))
  },
}

/** Fiat price of one coin, or a domain error for an unknown code. */
function coinRate(coinCode: string, currencyCode: string): { perCoin: Ratio } | ["error", string] {
  const coin = coinOf(coinCode.toLowerCase())
  if (!coin) return domainError("invalid-cryptocurrency")
  const currency = fiatCode(currencyCode)
  if (!currency) return domainError("invalid-currency")
  return { perCoin: mul(mustRatio(coin.usd), mustRatio(FIAT_PER_USD[currency])) }
}

// ---------------------------------------------------------------------------------------------------------
// create-checkout-session

const PRICE = /^(0|[1-9]\d{0,11})(\.\d+)?$/

function createCheckoutSession(core: SimCore, account: Account, f: Fields): unknown {
  const price = f.get("price") ?? ""
  const currencyInput = f.get("currency") ?? ""
  const orderId = f.get("order_id") ?? ""
  const signature = f.value("signature")
  if (signature === undefined) {
    if (account.config.requireSignature) throw new ApiError("missing-argument", "Missing argument: signature")
  } else {
    verifySignature(core, account, f, signature, price, currencyInput)
  }

  const currency = fiatCode(currencyInput)
  if (!currency) return domainError("invalid-currency")
  const value = PRICE.test(price) ? ratio(price) : undefined
  if (!value || value.num === 0n || fractionDigits(price) > fiatDecimals(currency)) return domainError("invalid-price")
  const redirect = f.value("redirect") ?? null
  if (redirect !== null && !isHttpUrl(redirect)) return domainError("invalid-redirect")

  const existing = core.openSessionFor(account.config.apiKey, orderId)
  // Same order, same money: the open session is returned again. Anything else would silently charge the
  // old amount, so it is refused.
  if (existing && (existing.price !== price || existing.currency !== currency)) return domainError("duplicate-order-id")
  if (!existing && account.credit < 0n) return domainError("insufficient-credits")
  const session =
    existing ??
    core.openSession(account, {
      price,
      currency,
      order_id: orderId,
      title: f.get("title") ?? "",
      redirect,
      lang: f.value("lang") ?? null,
      signed: signature !== undefined,
    })
  return { payment_url: core.paymentUrl(session), checkout_id: session.id, expires_at: new Date(session.expiresAt).toISOString() }
}

/** `{price}|{currency}|{order_id}|{timestamp}` over the exact submitted strings, keyed with the webhook secret. */
function verifySignature(core: SimCore, account: Account, f: Fields, signature: string, price: string, currency: string): void {
  const timestamp = f.value("timestamp")
  if (timestamp === undefined) throw new ApiError("missing-argument", "Missing argument: timestamp")
  const orderId = f.value("order_id")
  if (orderId === undefined) throw new ApiError("missing-argument", "Missing argument: order_id")
  const nowS = Math.floor(core.clock.now() / 1000)
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowS - Number(timestamp)) > SIGNATURE_WINDOW_S) {
    throw new ApiError("request-expired", "Request expired")
  }
  const expected = quantapayCheckoutSignature(account.config.webhookSecret, { price, currency, orderId, timestamp })
  // Exact comparison: PHP's hash_equals is case-sensitive and hash_hmac yields lower-case hex.
  if (!secretsMatch(expected, signature)) throw new ApiError("invalid-signature", "Invalid signature")
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------------------
// get-transactions

const SEARCHED_FIELDS = ["id", "biz_id", "title", "description", "from", "to", "hash", "external_reference", "amount", "amount_fiat"] as const

function getTransactions(core: SimCore, account: Account, f: Fields): unknown {
  const pagination = f.value("pagination") ?? "0"
  if (!/^(-1|0|[1-9]\d*)$/.test(pagination)) return domainError("invalid-pagination")
  const search = f.value("search")?.toLowerCase()
  const status = f.value("status")?.toUpperCase()
  const coin = f.value("cryptocurrency")?.toLowerCase()
  const checkoutId = f.value("checkout_id")
  const dateRange = f.list("date_range")
  if (dateRange && dateRange.length !== 2) return domainError("invalid-date-range")

  let rows = core.ledger.transactionsOf(account.config.apiKey).map((t) => t.row)
  if (search) rows = rows.filter((r) => SEARCHED_FIELDS.some((k) => (r[k] ?? "").toLowerCase().includes(search)))
  if (status) rows = rows.filter((r) => r.status === status)
  if (coin) rows = rows.filter((r) => r.cryptocurrency === coin)
  if (checkoutId) rows = rows.filter((r) => r.checkout_id === checkoutId)
  if (dateRange) rows = rows.filter((r) => r.creation_time >= dateRange[0] && r.creation_time <= dateRange[1])
  const page = Number(pagination)
  if (page >= 0) rows = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)
  return rows.map((r) => ({ ...r, description: r.description ? (JSON.parse(r.description) as string[]) : [] }))
}
