import {
  backoffDelays,
  CheckoutError,
  failureReason,
  handleReturn,
  isGatewayProvider,
  jsSdkClient,
  orderAwaitingPayment,
  paymentMethodInfo,
  readPayment,
  readReturnUrl,
  startPayment,
  waitForOrderPayment,
  waitForPayment,
  type CartLike,
  type CheckoutClient,
  type CompleteCartResult,
  type OrderLike,
  type SessionLike,
} from "../index"

/**
 * The kit's decisions over a scripted store: each test says what Medusa answers, call by call. The kit
 * against a real Medusa and the simulators, through @medusajs/js-sdk, is integration-tests/http/storefront-kit.spec.ts.
 */
type Script = {
  sessions: SessionLike[]
  completed?: boolean
  /** What the next completions answer; the last one repeats. */
  completions?: CompleteCartResult[]
  order?: OrderLike
  orders?: OrderLike[]
  initiateError?: Error
  retrieveErrors?: number
}

function store(script: Script) {
  const calls: string[] = []
  const client: CheckoutClient = {
    async initiatePaymentSession(cart, body) {
      calls.push(`initiate ${body.provider_id}${body.data ? ` ${JSON.stringify(body.data)}` : ""}`)
      if (script.initiateError) throw script.initiateError
      return { payment_collection: { id: "paycol_1", payment_sessions: script.sessions } }
    },
    async retrieveCart(cartId) {
      calls.push("retrieve")
      if (script.retrieveErrors && script.retrieveErrors-- > 0) throw new Error("socket hang up")
      return cart(cartId)
    },
    async completeCart() {
      calls.push("complete")
      const list = script.completions ?? [{ type: "cart", error: { message: "Payment authorization failed" } }]
      const next = list.length > 1 ? list.shift()! : list[0]
      if (next.type === "order") script.completed = true
      return next
    },
    async retrieveOrder(orderId) {
      calls.push("order")
      const list = script.orders ?? [script.order ?? { id: orderId }]
      return list.length > 1 ? list.shift()! : list[0]
    },
  }
  const cart = (id = "cart_1"): CartLike => ({ id, completed_at: script.completed ? "2026-12-01T00:00:00Z" : null, payment_collection: { id: "paycol_1", payment_sessions: script.sessions } })
  return { client, calls, cart }
}

const session = (over: Partial<SessionLike> & { data?: Record<string, unknown> } = {}): SessionLike => ({
  id: "payses_1",
  provider_id: "pp_quantapay_quantapay",
  status: "pending",
  ...over,
  data: { status: "pending", amount: "56.22", currency: "USD", next_action: { type: "redirect", url: "https://pay.example/checkout/1" }, last_error: null, ...over.data },
})
const ORDER: OrderLike = { id: "order_1", payment_status: "captured", status: "pending" }
const FAST = { initialDelayMs: 100, maxDelayMs: 100, timeoutMs: 2_000 }

describe("registrations", () => {
  it("knows our provider ids, whatever the registration id, and no one else's", () => {
    expect(["pp_qfpay_qfpay", "pp_qfpay_qfpay-direct", "pp_quantapay_quantapay", "pp_qbitpay_shop2"].every(isGatewayProvider)).toBe(true)
    expect(["pp_system_default", "pp_stripe_stripe", "qfpay", "", undefined, "pp_qfpay_"].some(isGatewayProvider)).toBe(false)
  })

  it("names each registration, a direct QFPay one as a QR payment, with an icon usable as an image", () => {
    expect(paymentMethodInfo("pp_qfpay_qfpay")).toMatchObject({ gateway: "qfpay", title: expect.stringContaining("FPS") })
    expect(paymentMethodInfo("pp_qfpay_qfpay-direct")!.title).toMatch(/scan/i)
    expect(paymentMethodInfo("pp_quantapay_quantapay")!.title).toBe("Cryptocurrency")
    expect(paymentMethodInfo("pp_qbitpay_qbitpay", { title: "Qbit" })!.title).toBe("Qbit")
    expect(paymentMethodInfo("pp_system_default")).toBeUndefined()
    const { icon, iconDataUri } = paymentMethodInfo("pp_qbitpay_qbitpay")!
    expect(icon).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    expect(decodeURIComponent(iconDataUri.replace(/^data:image\/svg\+xml;charset=utf-8,/, ""))).toBe(icon)
  })
})

describe("reading a payment", () => {
  it("reads the newest of our sessions and ignores other providers'", () => {
    const cart: CartLike = { id: "c", payment_collection: { id: "p", payment_sessions: [session({ id: "a" }), { id: "b", provider_id: "pp_system_default", status: "pending", data: {} }] } }
    expect(readPayment(cart)).toMatchObject({ sessionId: "a", gateway: "quantapay", state: "pending", amount: "56.22", nextAction: { type: "redirect" } })
    expect(readPayment(cart, "b")).toBeUndefined()
    expect(readPayment({ id: "c" })).toBeUndefined()
  })

  it.each([
    ["authorized", "pending", "paid"],
    ["pending", "paid", "paid"],
    ["pending", "expired", "failed"],
    ["pending", "mismatch", "failed"],
    ["error", "pending", "failed"],
    ["canceled", "pending", "failed"],
    ["pending", "underpaid_review", "review"],
    ["requires_more", "pending", "pending"],
  ])("Medusa %s with provider status %s is %s", (sessionStatus, status, state) => {
    expect(readPayment({ id: "c", payment_collection: { id: "p", payment_sessions: [session({ status: sessionStatus, data: { status } })] } })!.state).toBe(state)
  })

  it("keeps only a well-formed next_action: http(s) redirects, QR codes with content", () => {
    const read = (next_action: unknown) => readPayment({ id: "c", payment_collection: { id: "p", payment_sessions: [session({ data: { next_action } })] } })!.nextAction
    expect(read({ type: "redirect", url: "javascript:alert(1)" })).toEqual({ type: "none" })
    expect(read({ type: "redirect", url: "https://x.example/p" })).toEqual({ type: "redirect", url: "https://x.example/p" })
    expect(read({ type: "qr_code", content: "" })).toEqual({ type: "none" })
    expect(read({ type: "qr_code", content: "https://qr.example/1", expires_at: "2026-12-01T10:00:00Z", extra: 1 })).toEqual({ type: "qr_code", content: "https://qr.example/1", expires_at: "2026-12-01T10:00:00Z" })
    expect(read("redirect")).toEqual({ type: "none" })
  })

  it("says why a payment failed as a sentence", () => {
    const p = (data: Record<string, unknown>) => readPayment({ id: "c", payment_collection: { id: "p", payment_sessions: [session({ data })] } })
    expect(failureReason(p({ status: "failed", last_error: "the payment failed" }))).toBe("The payment failed.")
    expect(failureReason(p({ status: "expired" }))).toBe("The payment expired before it was paid.")
    expect(failureReason(undefined)).toBe("The payment did not go through.")
  })

  it("an order awaits its payment until it is captured or authorized; a canceled one does not", () => {
    expect(orderAwaitingPayment({ id: "o", payment_status: "awaiting" })).toBe(true)
    expect(orderAwaitingPayment({ id: "o", payment_status: "not_paid" })).toBe(true)
    expect(orderAwaitingPayment({ id: "o", payment_status: "captured" })).toBe(false)
    expect(orderAwaitingPayment({ id: "o", payment_status: "awaiting", status: "canceled" })).toBe(false)
  })

  it("reads the return URL as a hint only", () => {
    expect(readReturnUrl("https://shop.example/hk/checkout/return?session_id=payses_1")).toEqual({ sessionId: "payses_1", failed: false })
    expect(readReturnUrl("/checkout/return?session_id=payses_1&failed=1")).toEqual({ sessionId: "payses_1", failed: true })
    expect(readReturnUrl(new URL("https://shop.example/checkout/return"))).toEqual({ sessionId: null, failed: false })
  })
})

describe("starting a payment", () => {
  it("creates the session with the storefront's data and returns its next action", async () => {
    const s = store({ sessions: [session({ provider_id: "pp_qfpay_qfpay-direct", data: { next_action: { type: "qr_code", content: "https://qr.example/x", expires_at: "" } } })] })
    const { payment, order } = await startPayment(s.client, s.cart(), "pp_qfpay_qfpay-direct", { data: { pay_type: "802001" } })
    expect(payment.nextAction).toMatchObject({ type: "qr_code", content: "https://qr.example/x" })
    expect(order).toBeUndefined()
    expect(s.calls).toEqual(['initiate pp_qfpay_qfpay-direct {"pay_type":"802001"}'])
  })

  it("reuses the checkout's pending session when asked, while it can still be paid; otherwise starts a new one", async () => {
    const now = () => new Date("2026-12-01T10:00:00Z")
    const open = session({ data: { expires_at: "2026-12-01T10:30:00Z" } })
    const s = store({ sessions: [open] })
    expect((await startPayment(s.client, s.cart(), "pp_quantapay_quantapay", { reuse: true, now })).payment.sessionId).toBe("payses_1")
    expect(s.calls).toEqual([])
    // About to expire, another provider's, already paid, or not asked: a new session.
    for (const [sessions, providerId, reuse] of [
      [[session({ data: { expires_at: "2026-12-01T10:00:30Z" } })], "pp_quantapay_quantapay", true],
      [[open], "pp_qbitpay_qbitpay", true],
      [[session({ status: "authorized" })], "pp_quantapay_quantapay", true],
      [[open], "pp_quantapay_quantapay", false],
    ] as Array<[SessionLike[], string, boolean]>) {
      const t = store({ sessions })
      await startPayment(t.client, t.cart(), providerId, { reuse, now }).catch(() => undefined)
      expect(t.calls[0]).toBe(`initiate ${providerId}`)
    }
  })

  it("completes the cart first when the registration places the order before the payment", async () => {
    const s = store({ sessions: [session({ data: { order_first: true } })], completions: [{ type: "order", order: { id: "order_1", payment_status: "awaiting" } }] })
    const started = await startPayment(s.client, s.cart(), "pp_quantapay_quantapay")
    expect(started.order).toEqual({ id: "order_1", payment_status: "awaiting" })
    expect(started.payment.nextAction.type).toBe("redirect")
    expect(s.calls).toEqual(["initiate pp_quantapay_quantapay", "complete"])
  })

  it("an order-first cart that cannot be completed is an error with Medusa's message, not a redirect", async () => {
    const s = store({ sessions: [session({ data: { order_first: true } })], completions: [{ type: "cart", error: { message: "Some variant does not have the required inventory" } }] })
    await expect(startPayment(s.client, s.cart(), "pp_quantapay_quantapay")).rejects.toThrow("Some variant does not have the required inventory")
  })

  it("passes Medusa's refusal on as a CheckoutError, and refuses other providers' ids", async () => {
    const refusal = Object.assign(new Error("Request failed"), { response: { data: { message: 'QFPay: data.next_action is not accepted; send only "pay_type"' } } })
    const s = store({ sessions: [], initiateError: refusal })
    const error = await startPayment(s.client, s.cart(), "pp_qfpay_qfpay").catch((e) => e)
    expect(error).toBeInstanceOf(CheckoutError)
    expect(error.message).toContain("data.next_action is not accepted")
    await expect(startPayment(s.client, s.cart(), "pp_system_default")).rejects.toThrow("not one of this package's payment providers")
  })
})

describe("waiting for a payment", () => {
  it("backs off from the first delay to the cap, and stops inside the timeout", () => {
    const delays = backoffDelays({ initialDelayMs: 1000, maxDelayMs: 5000, timeoutMs: 60_000 })
    expect(delays.slice(0, 6)).toEqual([1000, 1500, 2250, 3375, 5000, 5000])
    expect(delays.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60_000)
    expect(Math.max(...backoffDelays())).toBe(10_000)
    expect(backoffDelays().reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(15 * 60_000)
  })

  it("returns the order once the session is paid, retrying readings that fail", async () => {
    const s = store({ sessions: [session({ status: "pending" })], retrieveErrors: 1, completions: [{ type: "order", order: ORDER }] })
    const updates: string[] = []
    setTimeout(() => (s.cart().payment_collection!.payment_sessions![0].status = "authorized"), 150)
    const result = await waitForPayment(s.client, "cart_1", { ...FAST, completeEvery: 100, onUpdate: (p) => updates.push(p.state) })
    expect(result).toEqual({ type: "order", order: ORDER })
    expect(updates[updates.length - 1]).toBe("paid")
    expect(s.calls.filter((c) => c === "complete")).toHaveLength(1)
  })

  it("stops on a failed payment with its reason", async () => {
    const s = store({ sessions: [session({ data: { status: "expired", last_error: "the payment window closed before a payment arrived" } })] })
    const result = await waitForPayment(s.client, "cart_1", FAST)
    expect(result).toMatchObject({ type: "failed", reason: "The payment window closed before a payment arrived." })
  })

  it("asks for completion every n-th reading (the provider then asks the gateway)", async () => {
    const s = store({ sessions: [session()], completions: [{ type: "cart", error: "not yet" }, { type: "order", order: ORDER }] })
    const result = await waitForPayment(s.client, "cart_1", { ...FAST, completeEvery: 2 })
    expect(result).toEqual({ type: "order", order: ORDER })
    expect(s.calls).toEqual(["retrieve", "complete", "retrieve", "retrieve", "complete"])
  })

  it("times out, and can be aborted", async () => {
    const s = store({ sessions: [session()] })
    expect((await waitForPayment(s.client, "cart_1", { ...FAST, timeoutMs: 350, completeEvery: 99 })).type).toBe("timeout")
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    expect(await waitForPayment(s.client, "cart_1", { ...FAST, signal: controller.signal })).toEqual({ type: "aborted" })
  })

  it("a session replaced by another one is over", async () => {
    const s = store({ sessions: [session({ id: "payses_2" })] })
    expect(await waitForPayment(s.client, "cart_1", { ...FAST, sessionId: "payses_1", completeEvery: 99 })).toMatchObject({ type: "failed", reason: "This payment was replaced by another one." })
  })

  it("follows an order placed first until it is paid or canceled", async () => {
    const s = store({ sessions: [], orders: [{ id: "o", payment_status: "awaiting" }, { id: "o", payment_status: "captured" }] })
    expect(await waitForOrderPayment(s.client, "o", FAST)).toEqual({ type: "paid", order: { id: "o", payment_status: "captured" } })
    const c = store({ sessions: [], orders: [{ id: "o", payment_status: "awaiting", status: "canceled" }] })
    expect((await waitForOrderPayment(c.client, "o", FAST)).type).toBe("canceled")
    await expect(waitForOrderPayment({ ...s.client, retrieveOrder: undefined }, "o", FAST)).rejects.toThrow("retrieveOrder")
  })
})

describe("the return page", () => {
  it("completes the cart into the order", async () => {
    const s = store({ sessions: [session({ status: "authorized" })], completions: [{ type: "order", order: ORDER }] })
    expect(await handleReturn(s.client, "cart_1", "/checkout/return?session_id=payses_1")).toEqual({ type: "order", order: ORDER, awaitingPayment: false })
  })

  it("an order that came first is returned as awaiting its payment", async () => {
    const s = store({ sessions: [session()], completed: true, completions: [{ type: "order", order: { id: "o", payment_status: "awaiting" } }] })
    expect(await handleReturn(s.client, "cart_1", "/checkout/return?session_id=payses_1")).toMatchObject({ type: "order", awaitingPayment: true })
  })

  it("a failure the gateway reported stops at once, with the reason and the provider to retry with", async () => {
    const s = store({ sessions: [session({ data: { status: "failed", last_error: "the payment failed" } })] })
    const outcome = await handleReturn(s.client, "cart_1", "/checkout/return?session_id=payses_1", { delayMs: 10 })
    expect(outcome).toMatchObject({ type: "failed", reason: "The payment failed.", providerId: "pp_quantapay_quantapay" })
    expect(s.calls.filter((c) => c === "complete")).toHaveLength(1)
  })

  it("a failed return URL without a failed session is reported as failed after one completion", async () => {
    const s = store({ sessions: [session()] })
    const outcome = await handleReturn(s.client, "cart_1", "/checkout/return?session_id=payses_1&failed=1", { delayMs: 10 })
    expect(outcome).toMatchObject({ type: "failed", providerId: "pp_quantapay_quantapay" })
    expect(s.calls.filter((c) => c === "complete")).toHaveLength(1)
  })

  it("a payment still settling is pending after a few tries, never an order", async () => {
    const s = store({ sessions: [session()] })
    const outcome = await handleReturn(s.client, "cart_1", "/checkout/return?session_id=payses_1", { attempts: 3, delayMs: 10 })
    expect(outcome).toMatchObject({ type: "pending", reason: expect.stringContaining("not been confirmed yet") })
    expect(s.calls.filter((c) => c === "complete")).toHaveLength(3)
    // One reading of the cart per attempt; the last one also decides the answer.
    expect(s.calls.filter((c) => c === "retrieve")).toHaveLength(3)
  })
})

describe("jsSdkClient", () => {
  it("maps the kit's calls to @medusajs/js-sdk's, with the headers given", async () => {
    const seen: unknown[][] = []
    const sdk = {
      store: {
        cart: {
          retrieve: async (...args: unknown[]) => (seen.push(["cart.retrieve", ...args]), { cart: { id: "c" } }),
          complete: async (...args: unknown[]) => (seen.push(["cart.complete", ...args]), { type: "order", order: ORDER }),
        },
        payment: { initiatePaymentSession: async (...args: unknown[]) => (seen.push(["payment.initiatePaymentSession", ...args]), {}) },
        order: { retrieve: async (...args: unknown[]) => (seen.push(["order.retrieve", ...args]), { order: ORDER }) },
      },
    }
    const client = jsSdkClient(sdk, { headers: () => ({ authorization: "Bearer t" }) })
    await client.initiatePaymentSession({ id: "c" }, { provider_id: "pp_qbitpay_qbitpay" })
    expect(await client.retrieveCart("c")).toEqual({ id: "c" })
    expect(await client.completeCart("c")).toEqual({ type: "order", order: ORDER })
    expect(await client.retrieveOrder!("order_1")).toEqual(ORDER)
    expect(seen.map((s) => s[0])).toEqual(["payment.initiatePaymentSession", "cart.retrieve", "cart.complete", "order.retrieve"])
    expect(seen.every((s) => (s[s.length - 1] as Record<string, string>).authorization === "Bearer t")).toBe(true)
  })
})
