/**
 * The storefront kit: framework-agnostic helpers for a storefront that takes payments through this package's
 * providers (`medusa-payments-hk-crypto/storefront`). It runs in the browser or on a server (Next.js server
 * actions, route handlers) and needs nothing but a `CheckoutClient`: three calls to Medusa's store API, which
 * `jsSdkClient` builds from a `@medusajs/js-sdk` instance, or a storefront builds from its own data layer.
 *
 * The rules it keeps (README "Storefront integration"): act on the session's `next_action`; never trust a
 * redirect back from a gateway (the order comes from completing the cart, which the provider checks with the
 * gateway); a registration with `order_first` completes the cart before the shopper pays.
 */
import type { BaseSessionData, NextAction } from "../lib/session-data"

export type { NextAction }

/** The parts of a Medusa store cart the kit reads. */
export type CartLike = {
  id: string
  completed_at?: string | Date | null
  payment_collection?: { id: string; payment_sessions?: SessionLike[] | null } | null
}

/** A payment session as Medusa's store API returns it. */
export type SessionLike = { id: string; provider_id: string; status: string; data?: Record<string, unknown> | null; created_at?: string | Date | null }

/** The parts of a Medusa store order the kit reads. */
export type OrderLike = { id: string; status?: string; payment_status?: string; display_id?: number }

/** Medusa's answer to `POST /store/carts/:id/complete`. */
export type CompleteCartResult =
  | { type: "order"; order: OrderLike }
  | { type: "cart"; cart?: CartLike; error?: { message?: string; name?: string; type?: string } | string }

/** What the kit needs from Medusa's store API. Every call may throw (network, HTTP 4xx/5xx). */
export interface CheckoutClient {
  /** Creates the cart's payment session for `provider_id` (Medusa replaces an earlier one). Returns the cart, the payment collection or `{payment_collection}`. */
  initiatePaymentSession(cart: CartLike, body: { provider_id: string; data?: Record<string, string> }): Promise<unknown>
  /** The cart with `payment_collection.payment_sessions` and their `data` (Medusa's default store fields have them). */
  retrieveCart(cartId: string): Promise<CartLike>
  completeCart(cartId: string): Promise<CompleteCartResult>
  /** Only needed to follow an order placed before its payment (`waitForOrderPayment`). */
  retrieveOrder?(orderId: string): Promise<OrderLike>
}

/** The parts of `@medusajs/js-sdk`'s `Medusa` instance used, so the kit does not depend on one version of it. */
export type JsSdkLike = {
  store: {
    cart: {
      retrieve(id: string, query?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ cart: CartLike }>
      complete(id: string, query?: Record<string, unknown>, headers?: Record<string, string>): Promise<unknown>
    }
    payment: {
      initiatePaymentSession(cart: any, body: { provider_id: string; data?: Record<string, unknown> }, query?: Record<string, unknown>, headers?: Record<string, string>): Promise<unknown>
    }
    order: { retrieve(id: string, query?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ order: OrderLike }> }
  }
}

/** A `CheckoutClient` over `@medusajs/js-sdk`. `headers` (e.g. a customer's authorization) go with every call. */
export function jsSdkClient(sdk: JsSdkLike, opts: { headers?: () => Record<string, string> | Promise<Record<string, string>> } = {}): CheckoutClient {
  const headers = async () => (opts.headers ? await opts.headers() : undefined)
  return {
    initiatePaymentSession: async (cart, body) => sdk.store.payment.initiatePaymentSession(cart, body, {}, await headers()),
    retrieveCart: async (cartId) => (await sdk.store.cart.retrieve(cartId, {}, await headers())).cart,
    completeCart: async (cartId) => (await sdk.store.cart.complete(cartId, {}, await headers())) as CompleteCartResult,
    retrieveOrder: async (orderId) => (await sdk.store.order.retrieve(orderId, { fields: "+payment_status,+status" }, await headers())).order,
  }
}

// ------------------------------------------------------------------ the registrations

export type Gateway = "qfpay" | "quantapay" | "qbitpay"

export type PaymentMethodInfo = {
  gateway: Gateway
  title: string
  description: string
  /** A small square SVG (markup), ours: show it with `<img src={iconDataUri}>` or inline. */
  icon: string
  iconDataUri: string
}

/** Medusa names a provider `pp_<identifier>_<id>`; these identifiers are ours. */
const PROVIDER_ID = /^pp_(qfpay|quantapay|qbitpay)_(.+)$/

/** True for a provider id registered by this package (any registration id, e.g. `pp_qfpay_qfpay-direct`). */
export function isGatewayProvider(providerId: string | null | undefined): boolean {
  return !!providerId && PROVIDER_ID.test(providerId)
}

function icon(background: string, letters: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" role="img" aria-hidden="true">` +
    `<rect width="24" height="24" rx="5" fill="${background}"/>` +
    `<text x="12" y="16" text-anchor="middle" font-family="Arial,Helvetica,sans-serif" font-size="10" font-weight="700" fill="#fff">${letters}</text></svg>`
  )
}

const dataUri = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`

const METHOD_INFO: Record<Gateway | "qfpay-direct", Omit<PaymentMethodInfo, "iconDataUri">> = {
  qfpay: { gateway: "qfpay", title: "Alipay, WeChat Pay, FPS, PayMe or card", description: "Pay on QFPay's secure checkout page.", icon: icon("#E4572E", "QF") },
  "qfpay-direct": { gateway: "qfpay", title: "Scan to pay (FPS, WeChat Pay, Alipay)", description: "Scan a QR code with your wallet app.", icon: icon("#E4572E", "QR") },
  quantapay: { gateway: "quantapay", title: "Cryptocurrency", description: "Pay with BTC, ETH, USDT and more on QuantaPay's page.", icon: icon("#3A57E8", "₿") },
  qbitpay: { gateway: "qbitpay", title: "Qbit Pay", description: "Pay on Qbit Pay's secure page.", icon: icon("#14A38B", "QB") },
}

/**
 * A title, a description and an icon for one of our provider ids, or undefined for anyone else's. A QFPay
 * registration whose id contains "direct" is taken to be a QR one (the dev store's `qfpay-direct`); pass
 * `overrides` for names of your own.
 */
export function paymentMethodInfo(providerId: string, overrides: Partial<Omit<PaymentMethodInfo, "gateway" | "iconDataUri">> = {}): PaymentMethodInfo | undefined {
  const match = PROVIDER_ID.exec(providerId)
  if (!match) return undefined
  const gateway = match[1] as Gateway
  const base = gateway === "qfpay" && /direct/i.test(match[2]) ? METHOD_INFO["qfpay-direct"] : METHOD_INFO[gateway]
  const info = { ...base, ...overrides }
  return { ...info, iconDataUri: dataUri(info.icon) }
}

// ------------------------------------------------------------------ reading a payment

/**
 * Where a payment stands for the shopper:
 * - `pending`: not paid yet (act on `nextAction`, or wait);
 * - `paid`: the gateway confirmed it (complete the cart, if the order did not come first);
 * - `failed`: this session will not be paid (start a new payment to retry);
 * - `review`: paid short, the merchant decides (QuantaPay `underpaid_review`): nothing for the shopper to do.
 */
export type PaymentState = "pending" | "paid" | "failed" | "review"

export type GatewayPayment = {
  sessionId: string
  providerId: string
  gateway: Gateway
  /** Medusa's session status ("pending", "authorized", "captured", "error", "canceled", ...). */
  sessionStatus: string
  /** The provider's status in session data ("pending", "paid", "failed", "expired", "mismatch", ...). */
  status: string
  state: PaymentState
  nextAction: NextAction
  /** Exact decimal string in the currency's unit ("56.22", "1000"). */
  amount: string | null
  currency: string | null
  expiresAt: string | null
  gatewayReference: string | null
  /** The order is placed before the payment: complete the cart first, then act on `nextAction`. */
  orderFirst: boolean
  /** A sentence for the shopper when the payment did not go through, else null. */
  lastError: string | null
}

const PAID_SESSION = new Set(["authorized", "captured"])
const DEAD_SESSION = new Set(["error", "canceled"])
const FAILED_STATUS = new Set(["failed", "expired", "canceled", "mismatch", "underpaid", "refunded"])
const NO_ACTION: NextAction = { type: "none" }

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null)

/** A `next_action` read defensively: only the three known shapes with the fields they need, and http(s) URLs only. */
function readNextAction(value: unknown): NextAction {
  if (!value || typeof value !== "object") return NO_ACTION
  const action = value as Record<string, unknown>
  if (action.type === "redirect" && typeof action.url === "string" && /^https?:\/\//i.test(action.url)) return { type: "redirect", url: action.url }
  if (action.type === "qr_code" && typeof action.content === "string" && action.content) {
    return { type: "qr_code", content: action.content, expires_at: typeof action.expires_at === "string" ? action.expires_at : "" }
  }
  return NO_ACTION
}

function stateOf(sessionStatus: string, status: string): PaymentState {
  if (PAID_SESSION.has(sessionStatus) || status === "paid") return "paid"
  if (status === "underpaid_review") return "review"
  if (DEAD_SESSION.has(sessionStatus) || FAILED_STATUS.has(status)) return "failed"
  return "pending"
}

/** Reads one of our sessions, or undefined for another provider's. */
export function readSession(session: SessionLike): GatewayPayment | undefined {
  const match = PROVIDER_ID.exec(session.provider_id)
  if (!match) return undefined
  const data = (session.data ?? {}) as Partial<Record<keyof BaseSessionData, unknown>>
  const status = str(data.status) ?? "pending"
  return {
    sessionId: session.id,
    providerId: session.provider_id,
    gateway: match[1] as Gateway,
    sessionStatus: session.status,
    status,
    state: stateOf(session.status, status),
    nextAction: readNextAction(data.next_action),
    amount: str(data.amount),
    currency: str(data.currency),
    expiresAt: str(data.expires_at),
    gatewayReference: str(data.gateway_reference),
    orderFirst: data.order_first === true,
    lastError: str(data.last_error),
  }
}

/** The cart's payment with one of our providers: the session `sessionId`, else the newest of ours. */
export function readPayment(cart: CartLike | null | undefined, sessionId?: string | null): GatewayPayment | undefined {
  const sessions = cart?.payment_collection?.payment_sessions ?? []
  const ours = sessions.map(readSession).filter((p): p is GatewayPayment => !!p)
  if (sessionId) return ours.find((p) => p.sessionId === sessionId)
  return ours[ours.length - 1]
}

/** A shopper-facing sentence for a payment that did not go through. */
export function failureReason(payment: GatewayPayment | undefined): string {
  const sentence = (s: string) => {
    const t = s.trim()
    return `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}`
  }
  if (payment?.lastError) return sentence(payment.lastError)
  switch (payment?.status) {
    case "expired":
      return "The payment expired before it was paid."
    case "canceled":
      return "The payment was cancelled."
    case "underpaid":
      return "Less than the order total arrived; the merchant will contact you."
    default:
      return "The payment did not go through."
  }
}

// ------------------------------------------------------------------ orders

const PAID_ORDER = new Set(["captured", "authorized", "partially_refunded", "refunded"])

/** True while an order placed before its payment still waits for it (and was not canceled). */
export function orderAwaitingPayment(order: OrderLike | null | undefined): boolean {
  if (!order || order.status === "canceled") return false
  return !PAID_ORDER.has(String(order.payment_status ?? ""))
}

// ------------------------------------------------------------------ starting a payment

/** A problem the storefront should show (Medusa's or the provider's message, e.g. a data allow-list refusal). */
export class CheckoutError extends Error {
  constructor(message: string, readonly cause?: unknown) {
    super(message)
    this.name = "CheckoutError"
  }
}

function messageOf(error: unknown): string {
  if (typeof error === "string") return error
  if (error && typeof error === "object") {
    const e = error as { message?: unknown; response?: { data?: { message?: unknown } } }
    if (typeof e.response?.data?.message === "string") return e.response.data.message
    if (typeof e.message === "string" && e.message) return e.message
  }
  return "Something went wrong."
}

function completionError(result: CompleteCartResult): string {
  if (result.type === "order") return ""
  const error = result.error
  return typeof error === "string" ? error : error?.message || "The order could not be placed."
}

/** The sessions in whatever `initiatePaymentSession` answered: a cart, a payment collection, or `{payment_collection}`. */
function sessionsIn(answer: unknown): SessionLike[] {
  if (!answer || typeof answer !== "object") return []
  const a = answer as { payment_collection?: { payment_sessions?: SessionLike[] }; cart?: CartLike; payment_sessions?: SessionLike[] }
  return a.payment_collection?.payment_sessions ?? a.cart?.payment_collection?.payment_sessions ?? a.payment_sessions ?? []
}

/** The cart's pending session with `providerId` that still has something for the shopper to do, before its expiry. */
function reusableSession(cart: CartLike, providerId: string, now: Date): GatewayPayment | undefined {
  const payment = readPayment(cart)
  if (!payment || payment.providerId !== providerId || payment.state !== "pending" || payment.sessionStatus !== "pending") return undefined
  if (payment.nextAction.type === "none") return undefined
  // A minute's margin: the shopper still has to get to the page or scan the code.
  if (payment.expiresAt && Date.parse(payment.expiresAt) - now.getTime() < 60_000) return undefined
  return payment
}

export type StartedPayment = {
  payment: GatewayPayment
  /** Present when the order came first: the cart is already an order, the payment is still to be made. */
  order?: OrderLike
}

/**
 * Starts (or, called again, retries) a payment with one of our providers: a new payment session, whose
 * `nextAction` the storefront then follows. When the registration places the order first, the cart is
 * completed here and the order returned with the payment. `data` is what the provider accepts from a
 * storefront (QFPay direct: `{ pay_type }`); anything else is refused by Medusa with a message.
 */
export async function startPayment(
  client: CheckoutClient,
  cart: CartLike,
  providerId: string,
  opts: { data?: Record<string, string>; reuse?: boolean; now?: () => Date } = {}
): Promise<StartedPayment> {
  if (!isGatewayProvider(providerId)) throw new CheckoutError(`${providerId} is not one of this package's payment providers`)
  // A session the checkout already made (e.g. on "Continue to review") that can still be paid: using it spares
  // a second gateway checkout (a new session makes Medusa delete this one, and the provider cancel it).
  const existing = opts.reuse ? reusableSession(cart, providerId, opts.now?.() ?? new Date()) : undefined
  let payment = existing
  if (!payment) {
    let answer: unknown
    try {
      answer = await client.initiatePaymentSession(cart, { provider_id: providerId, ...(opts.data ? { data: opts.data } : {}) })
    } catch (error) {
      throw new CheckoutError(messageOf(error), error)
    }
    payment = [...sessionsIn(answer)].reverse().map(readSession).find((p) => p?.providerId === providerId)
  }
  if (!payment) payment = readPayment(await client.retrieveCart(cart.id))
  if (!payment || payment.providerId !== providerId) throw new CheckoutError("The payment could not be started: Medusa returned no session for it.")
  if (payment.state === "failed") throw new CheckoutError(failureReason(payment))
  if (!payment.orderFirst) return { payment }
  const placed = await client.completeCart(cart.id)
  if (placed.type !== "order") throw new CheckoutError(completionError(placed))
  return { payment, order: placed.order }
}

// ------------------------------------------------------------------ waiting for a payment

export type WaitOptions = {
  /** Stops the wait (the result is `{type: "aborted"}`). */
  signal?: AbortSignal
  /** Called with every reading of the payment. */
  onUpdate?: (payment: GatewayPayment) => void
  /** First delay, then growing by half each time up to `maxDelayMs`. Defaults 1,500 and 10,000 ms. */
  initialDelayMs?: number
  maxDelayMs?: number
  /** Give up after this long (default 15 minutes, longer than the gateways' QR codes live). */
  timeoutMs?: number
  /**
   * Every n-th reading also tries to complete the cart (default 3): that makes the provider ask the gateway
   * itself, which is faster than the notification and the only way to learn of some failures.
   */
  completeEvery?: number
}

export type PaymentWaitResult =
  | { type: "order"; order: OrderLike }
  | { type: "failed"; payment: GatewayPayment | undefined; reason: string }
  | { type: "review"; payment: GatewayPayment }
  | { type: "timeout"; payment: GatewayPayment | undefined }
  | { type: "aborted" }

/** The delays between readings: bounded, growing backoff. */
export function backoffDelays(opts: Pick<WaitOptions, "initialDelayMs" | "maxDelayMs" | "timeoutMs"> = {}): number[] {
  const initial = Math.max(100, opts.initialDelayMs ?? 1500)
  const max = Math.max(initial, opts.maxDelayMs ?? 10_000)
  const timeout = opts.timeoutMs ?? 15 * 60_000
  const delays: number[] = []
  let total = 0
  for (let d = initial; total + d <= timeout; d = Math.min(max, Math.round(d * 1.5))) {
    delays.push(d)
    total += d
  }
  return delays
}

function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort)
      resolve(true)
    }, ms)
    signal?.addEventListener("abort", onAbort, { once: true })
  })
}

/**
 * Follows a cart's payment (a QR code on screen, or a shopper back from a gateway before it confirmed) until it
 * settles: the order once it is paid, the reason once it failed, or a timeout. Transient errors are retried
 * on the next reading. For an order that came first, use `waitForOrderPayment`.
 */
export async function waitForPayment(client: CheckoutClient, cartId: string, opts: WaitOptions & { sessionId?: string } = {}): Promise<PaymentWaitResult> {
  const every = Math.max(1, opts.completeEvery ?? 3)
  let last: GatewayPayment | undefined
  let reading = 0
  for (const delay of backoffDelays(opts)) {
    if (!(await pause(delay, opts.signal))) return { type: "aborted" }
    reading++
    try {
      if (reading % every === 0) {
        const done = await client.completeCart(cartId)
        if (done.type === "order") return { type: "order", order: done.order }
      }
      const cart = await client.retrieveCart(cartId)
      last = readPayment(cart, opts.sessionId) ?? last
      if (last) opts.onUpdate?.(last)
      if (cart.completed_at || last?.state === "paid") {
        const done = await client.completeCart(cartId)
        if (done.type === "order") return { type: "order", order: done.order }
      } else if (last?.state === "failed") {
        return { type: "failed", payment: last, reason: failureReason(last) }
      } else if (last?.state === "review") {
        return { type: "review", payment: last }
      } else if (!last && opts.sessionId) {
        return { type: "failed", payment: undefined, reason: "This payment was replaced by another one." }
      }
    } catch {
      // A reading that failed (network, a busy server) is retried on the next one.
    }
  }
  return opts.signal?.aborted ? { type: "aborted" } : { type: "timeout", payment: last }
}

export type OrderPaymentResult = { type: "paid"; order: OrderLike } | { type: "canceled"; order: OrderLike } | { type: "timeout"; order: OrderLike | undefined } | { type: "aborted" }

/** Follows an order placed before its payment until the payment is captured or the order canceled. */
export async function waitForOrderPayment(client: CheckoutClient, orderId: string, opts: Omit<WaitOptions, "onUpdate" | "completeEvery"> & { onUpdate?: (order: OrderLike) => void } = {}): Promise<OrderPaymentResult> {
  if (!client.retrieveOrder) throw new CheckoutError("waitForOrderPayment needs a CheckoutClient with retrieveOrder")
  let last: OrderLike | undefined
  for (const delay of backoffDelays(opts)) {
    if (!(await pause(delay, opts.signal))) return { type: "aborted" }
    try {
      last = await client.retrieveOrder(orderId)
      opts.onUpdate?.(last)
      if (last.status === "canceled") return { type: "canceled", order: last }
      if (!orderAwaitingPayment(last)) return { type: "paid", order: last }
    } catch {
      // Retried on the next reading.
    }
  }
  return opts.signal?.aborted ? { type: "aborted" } : { type: "timeout", order: last }
}

// ------------------------------------------------------------------ the shopper returns from a gateway

/** What the gateway's return URL says. Only a hint: the payment's state comes from Medusa. */
export function readReturnUrl(url: string | URL): { sessionId: string | null; failed: boolean } {
  const parsed = typeof url === "string" ? new URL(url, "http://localhost") : url
  const failed = parsed.searchParams.get("failed")
  return { sessionId: parsed.searchParams.get("session_id"), failed: failed !== null && failed !== "0" && failed !== "false" }
}

export type ReturnOutcome =
  | { type: "order"; order: OrderLike; awaitingPayment: boolean }
  | { type: "failed"; reason: string; providerId: string | null; payment: GatewayPayment | undefined }
  | { type: "pending"; reason: string; payment: GatewayPayment | undefined }

/**
 * Whether an order just returned by completing the cart still awaits its payment. Medusa's completion answer
 * may leave out `payment_status`: then the order as retrieved says, or else the cart's payment session.
 */
async function awaitingPayment(client: CheckoutClient, cartId: string, order: OrderLike, sessionId: string | null): Promise<boolean> {
  if (typeof order.payment_status === "string") return orderAwaitingPayment(order)
  if (client.retrieveOrder) {
    const retrieved = await client.retrieveOrder(order.id).catch(() => undefined)
    if (retrieved) return orderAwaitingPayment(retrieved)
  }
  const payment = await client.retrieveCart(cartId).then((cart) => readPayment(cart, sessionId), () => undefined)
  return payment ? payment.state !== "paid" : false
}

/**
 * The return page: completes the cart (the provider asks the gateway), a few times over a few seconds for a
 * payment still settling, and says what happened: the order (also when it came first, with
 * `awaitingPayment`), why the payment failed (offer a retry with `startPayment`), or that it is still pending.
 */
export async function handleReturn(client: CheckoutClient, cartId: string, url: string | URL, opts: { attempts?: number; delayMs?: number; signal?: AbortSignal } = {}): Promise<ReturnOutcome> {
  const back = readReturnUrl(url)
  const attempts = Math.max(1, opts.attempts ?? (back.failed ? 1 : 4))
  let message = ""
  let cart: CartLike | undefined
  for (let i = 0; i < attempts; i++) {
    cart = undefined
    if (i > 0 && !(await pause((opts.delayMs ?? 1500) * i, opts.signal))) break
    try {
      const done = await client.completeCart(cartId)
      if (done.type === "order") return { type: "order", order: done.order, awaitingPayment: await awaitingPayment(client, cartId, done.order, back.sessionId) }
      message = completionError(done)
    } catch (error) {
      message = messageOf(error)
    }
    // A failure reported by the gateway will not turn into a payment: stop asking.
    cart = await client.retrieveCart(cartId).catch(() => undefined)
    const payment = readPayment(cart, back.sessionId)
    if (payment?.state === "failed") return { type: "failed", reason: failureReason(payment), providerId: payment.providerId, payment }
  }
  // The last attempt's reading is still current: the cart is read again only when there was none (a wait
  // cut short, or a read that failed). Medusa's message is kept when it cannot be read.
  if (!cart) cart = await client.retrieveCart(cartId).catch(() => undefined)
  const payment = readPayment(cart, back.sessionId) ?? readPayment(cart)
  if (back.failed || payment?.state === "failed") {
    return { type: "failed", reason: payment?.lastError ? failureReason(payment) : "The payment was cancelled or did not go through.", providerId: payment?.providerId ?? null, payment }
  }
  if (payment?.state === "review") return { type: "pending", reason: "Your payment is being reviewed by the store; you will hear from them.", payment }
  return {
    type: "pending",
    reason: payment ? "The payment has not been confirmed yet. If you paid, check again in a moment." : message || "The payment was not completed.",
    payment,
  }
}
