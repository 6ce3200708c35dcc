import { PaymentSessionStatus } from "@medusajs/framework/utils"
import http from "node:http"
import type { AddressInfo } from "node:net"
import { hmacSha256Hex } from "../../../lib/signing"
import { parseQuantapayOptions } from "../options"
import { QuantapayProviderService, QuantapaySessionData } from "../service"
import { quantapayStatusFrom, SESSION_STATUS_BY_PAYMENT_STATUS } from "../status"
import { verifyQuantapayWebhook } from "../webhook"

const SECRET = "webhook-secret-123456"
const base = { apiKey: "api-key-123456", webhookSecret: SECRET }

/** A tiny stand-in for api.php that records what it receives and answers what the test says. */
async function fakeApi(answer: (fields: URLSearchParams) => unknown) {
  const received: URLSearchParams[] = []
  const server = http.createServer((req, res) => {
    let body = ""
    req.on("data", (c) => (body += c))
    req.on("end", () => {
      const fields = new URLSearchParams(body)
      received.push(fields)
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify(answer(fields)))
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) }
}

const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() }
const service = (options: Record<string, unknown>) => new QuantapayProviderService({ logger } as any, { ...base, ...options })

describe("QuantaPay options", () => {
  it("defaults to the cloud, signed checkouts, rejecting underpayments, manual refunds", () => {
    expect(parseQuantapayOptions(base)).toMatchObject({
      baseUrl: "https://cloud.quantapay.app",
      signCheckout: true,
      underpaymentPolicy: "reject",
      refundMode: "manual",
      sessionExpiryMinutes: 60,
    })
  })

  it("puts the order first by default (crypto confirms slowly), canceling it when the payment expires", () => {
    expect(parseQuantapayOptions(base)).toMatchObject({ orderBeforePayment: true, expiredOrders: "cancel", underpaymentTolerance: { minorUnits: 0, percent: 0 } })
    expect(parseQuantapayOptions({ ...base, orderBeforePayment: false, expiredOrders: "keep" })).toMatchObject({ orderBeforePayment: false, expiredOrders: "keep" })
  })

  it.each([
    [{ webhookSecret: SECRET }, "apiKey"],
    [{ apiKey: "api-key-123456" }, "webhookSecret"],
    [{ ...base, refundMode: "auto" }, "refundMode"],
    [{ ...base, underpaymentPolicy: "accept" }, "underpaymentPolicy"],
    [{ ...base, baseUrl: "http://cloud.quantapay.app" }, "baseUrl"],
    [{ ...base, redirectUrl: "nope" }, "redirectUrl"],
    [{ ...base, expiredOrders: "delete" }, "expiredOrders"],
    [{ ...base, orderBeforePayment: "yes" }, "orderBeforePayment"],
    [{ ...base, underpaymentTolerance: { percent: 25 } }, "underpaymentTolerance.percent"],
    [{ ...base, underpaymentTolerance: { minorUnits: -1 } }, "underpaymentTolerance.minorUnits"],
  ])("stops boot naming the field (%#)", (options, field) => {
    expect(() => QuantapayProviderService.validateOptions(options)).toThrow(`QuantaPay provider option "${field}"`)
  })
})

describe("QuantaPay checkout session request", () => {
  it.each([
    ["jpy", 1000, "1000", "JPY"],
    ["usd", 49.99, "49.99", "USD"],
    ["usd", "10", "10.00", "USD"],
    ["kwd", { value: "1.234", precision: 20 }, "1.234", "KWD"],
  ])("sends %s %p as the exact decimal string %s, signed over the same strings", async (currency, amount, price, code) => {
    const api = await fakeApi(() => ({ success: true, response: { payment_url: "https://pay.example/pay.php?checkout=1" } }))
    try {
      const now = new Date("2026-11-22T10:00:00Z")
      const s = service({ baseUrl: api.url, redirectUrl: "https://shop.example/r?s={session_id}" })
      ;(s as any).now_ = () => now
      const out = await s.initiatePayment({ amount: amount as any, currency_code: currency, data: { session_id: "payses_01ABC" }, context: {} })
      const f = api.received[0]
      expect(f.get("function")).toBe("create-checkout-session")
      expect(f.get("price")).toBe(price)
      expect(f.get("currency")).toBe(code)
      expect(f.get("order_id")).toBe("payses_01ABC")
      expect(f.get("redirect")).toBe("https://shop.example/r?s=payses_01ABC")
      expect(f.get("timestamp")).toBe(String(now.getTime() / 1000))
      expect(f.get("signature")).toBe(hmacSha256Hex(SECRET, `${price}|${code}|payses_01ABC|${now.getTime() / 1000}`))
      expect(out.data).toMatchObject({ amount: price, currency: code, status: "pending", next_action: { type: "redirect", url: "https://pay.example/pay.php?checkout=1" } })
      expect(JSON.stringify(out.data)).not.toContain(SECRET)
      expect(JSON.stringify(out.data)).not.toContain("api-key-123456")
    } finally {
      await api.close()
    }
  })

  it.each([
    ["usd", 10.005, "10.01"],
    ["usd", "18.2270359375", "18.23"],
    ["usd", { value: "56.22375", precision: 20 }, "56.22"],
    ["jpy", 1.5, "2"],
    ["kwd", "1.23449", "1.234"],
  ])("charges Medusa's unrounded %s amount %p rounded as Medusa rounds it: %s", async (currency, amount, price) => {
    const api = await fakeApi(() => ({ success: true, response: { payment_url: "https://x/pay.php" } }))
    try {
      const out = await service({ baseUrl: api.url }).initiatePayment({ amount: amount as any, currency_code: currency, data: { session_id: "payses_01ABC" }, context: {} })
      expect(api.received[0].get("price")).toBe(price)
      expect(out.data).toMatchObject({ amount: price })
    } finally {
      await api.close()
    }
  })

  it("refuses amounts that round to nothing, and negative ones, before calling QuantaPay", async () => {
    const api = await fakeApi(() => ({ success: true, response: { payment_url: "https://x/pay.php" } }))
    try {
      await expect(service({ baseUrl: api.url }).initiatePayment({ amount: 0.004, currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })).rejects.toThrow("greater than zero")
      await expect(service({ baseUrl: api.url }).initiatePayment({ amount: -5, currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })).rejects.toThrow("negative")
      expect(api.received).toHaveLength(0)
    } finally {
      await api.close()
    }
  })

  it("sends no signature when signing is off", async () => {
    const api = await fakeApi(() => ({ success: true, response: { payment_url: "https://x/pay.php" } }))
    try {
      await service({ baseUrl: api.url, signCheckout: false }).initiatePayment({ amount: 5, currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })
      expect(api.received[0].has("signature")).toBe(false)
      expect(api.received[0].has("timestamp")).toBe(false)
    } finally {
      await api.close()
    }
  })

  it.each([
    [{ success: false, error_code: "invalid-api-key", message: "Invalid API key" }, "the API key was refused; check apiKey"],
    [{ success: false, error_code: "function-not-found", message: "x" }, "check baseUrl"],
    [{ success: false, error_code: "missing-argument", message: "Missing argument: price" }, "Missing argument: price"],
    [{ success: false, error_code: "request-expired", message: "Request expired" }, "Request expired"],
    [{ success: false, error_code: "invalid-signature", message: "Invalid signature" }, "check webhookSecret"],
    [{ success: true, response: ["error", "invalid-price"] }, "returned invalid-price"],
    [{ success: true, response: "Boxcoin error [create]: boom" }, "returned Boxcoin error"],
    [{ success: true, response: false }, "returned false"],
    [{ nothing: true }, "envelope"],
  ])("maps %j to a clear error", async (answer, message) => {
    const api = await fakeApi(() => answer)
    try {
      await expect(
        service({ baseUrl: api.url, maxRetries: 0 }).initiatePayment({ amount: 5, currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })
      ).rejects.toThrow(message)
    } finally {
      await api.close()
    }
  })
})

describe("QuantaPay payment status", () => {
  const data: QuantapaySessionData = {
    session_id: "payses_01ABC",
    gateway: "quantapay",
    merchant_order_id: "payses_01ABC",
    attempt: 1,
    amount: "49.99",
    currency: "USD",
    checkout_id: null,
    gateway_reference: null,
    cryptocurrency: null,
    expires_at: new Date(Date.now() + 3600_000).toISOString(),
    status: "pending",
    next_action: { type: "redirect", url: "https://x/pay.php" },
    underpayment: null,
    refunds: [],
    last_error: null,
  }
  /** The pure status decision: transactions + now + options -> status and data, no gateway and no logger. */
  const evaluate = (transactions: unknown[], d: QuantapaySessionData, options: Record<string, unknown> = {}, now = new Date()) =>
    quantapayStatusFrom(transactions as any, d, now, { ...parseQuantapayOptions(base), ...options } as any, { acceptOverpayment: true, underpaymentToleranceMinor: 0n }).data
  const tx = (fields: Record<string, string>) => ({ id: "197", status: "C", amount_fiat: "49.99000000", currency: "usd", external_reference: "payses_01ABC", cryptocurrency: "eth", ...fields })

  it.each([
    [[], "pending"],
    [[tx({ status: "P" })], "pending"],
    [[tx({})], "paid"],
    [[tx({ amount_fiat: "50.00000000" })], "paid"],
    [[tx({ amount_fiat: "49.98000000" })], "mismatch"],
    [[tx({ currency: "eur" })], "mismatch"],
    [[tx({ status: "X", amount_fiat: "40.00000000" })], "underpaid"],
    [[tx({ status: "R" })], "refunded"],
    [[tx({ status: "X", id: "1" }), tx({ id: "2" })], "paid"],
  ])("transactions %j -> %s", (transactions, status) => {
    expect(evaluate(transactions, data).status).toBe(status)
  })

  it("reports an underpayment in session data, and `review` keeps the session pending", () => {
    const under = [tx({ status: "X", amount_fiat: "40.00000000" })]
    const rejected = evaluate(under, data)
    expect(rejected.underpayment).toEqual({ transaction_id: "197", expected: "49.99", received_fiat: "40.00000000", cryptocurrency: "eth" })
    expect(SESSION_STATUS_BY_PAYMENT_STATUS[rejected.status]).toBe(PaymentSessionStatus.ERROR)
    expect(rejected.last_error).toContain("less than the order total")
    const review = evaluate(under, data, { underpaymentPolicy: "review" })
    expect(review.status).toBe("underpaid_review")
    expect(SESSION_STATUS_BY_PAYMENT_STATUS[review.status]).toBe(PaymentSessionStatus.PENDING)
  })

  it("records what arrived: an overpayment is paid with amount_received and an alert; a shortfall only within the tolerance", () => {
    const rule = (bps: bigint) => ({ acceptOverpayment: true, underpaymentToleranceMinor: 0n, underpaymentToleranceBps: bps })
    const judge = (t: unknown, bps = 0n) => quantapayStatusFrom([t] as any, data, new Date(), parseQuantapayOptions(base) as any, rule(bps))
    const over = judge(tx({ amount_fiat: "52.49000000" }))
    expect(over.data).toMatchObject({ status: "paid", amount: "49.99", amount_received: "52.49" })
    expect(over.alerts).toEqual([expect.stringContaining("more than the 49.99 charged")])
    expect(service({}).attentionOf(over.data)).toBe("overpaid")
    // 1 % of 49.99 is 0.49 (floored): 49.50 is within, 49.49 is not.
    const within = judge(tx({ amount_fiat: "49.50000000" }), 100n)
    expect(within.data).toMatchObject({ status: "paid", amount_received: "49.50" })
    expect(within.alerts).toEqual([expect.stringContaining("within the underpayment tolerance")])
    expect(service({}).attentionOf(within.data)).toBe("underpaid_accepted")
    expect(judge(tx({ amount_fiat: "49.49000000" }), 100n).data.status).toBe("mismatch")
    const exact = judge(tx({}))
    expect(exact.alerts).toEqual([])
    expect(service({}).attentionOf(exact.data)).toBeNull()
  })

  it("expires a session with no transaction after the window and grace", () => {
    expect(evaluate([], data, { expiryGraceMinutes: 0 }, new Date(Date.parse(data.expires_at) + 1000)).status).toBe("expired")
    expect(SESSION_STATUS_BY_PAYMENT_STATUS.expired).toBe(PaymentSessionStatus.CANCELED)
  })

  it("only status C is captured", () => {
    expect(SESSION_STATUS_BY_PAYMENT_STATUS).toMatchObject({ paid: "captured", pending: "pending", underpaid: "error", refunded: "canceled" })
  })
})

describe("QuantaPay webhook key", () => {
  const body = (key: unknown, transaction: unknown = { id: "197", status: "C" }) => JSON.stringify({ key, transaction })
  it("accepts the secret and returns the transaction", () => {
    expect(verifyQuantapayWebhook(body(SECRET), SECRET)).toMatchObject({ ok: true, transaction: { id: "197" } })
    expect(verifyQuantapayWebhook(Buffer.from(body(SECRET)), SECRET).ok).toBe(true)
    expect(verifyQuantapayWebhook(body(SECRET, { id: 197, status: "C" }), SECRET)).toMatchObject({ ok: true, transaction: { id: "197" } })
  })
  it.each([
    ["wrong key", body("other-secret")],
    ["missing key", JSON.stringify({ transaction: { id: "1", status: "C" } })],
    ["key as number", body(123)],
    ["no transaction", JSON.stringify({ key: SECRET })],
    ["not json", "key=" + SECRET],
    ["empty", ""],
  ])("refuses %s without throwing", (_name, raw) => {
    expect(verifyQuantapayWebhook(raw, SECRET).ok).toBe(false)
  })
})
