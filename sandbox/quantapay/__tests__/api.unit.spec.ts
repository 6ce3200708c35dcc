/**
 * api.php of the QuantaPay simulator: the dispatcher's error codes and order, create-checkout-session
 * (signing, expiry, price rules, duplicates), the utility functions and the api.php faults.
 */
import { startQuantapaySimulator, type QuantapaySimulator } from "../server"
import { api, signCheckout, unixNow } from "./helpers"

const KEY = "qp-api-key-main"
const SECRET = "qp-webhook-secret-main"
const STRICT_KEY = "qp-api-key-strict"
const STRICT_SECRET = "qp-webhook-secret-strict"
const TIME_SCALE = 0.001

let sim: QuantapaySimulator
beforeAll(async () => {
  sim = await startQuantapaySimulator({
    timeScale: TIME_SCALE,
    accounts: [
      { apiKey: KEY, webhookSecret: SECRET },
      { apiKey: STRICT_KEY, webhookSecret: STRICT_SECRET, requireSignature: true },
    ],
  })
})
afterAll(() => sim.close())
afterEach(() => sim.reset())

let seq = 0
const orderId = () => `ORD-${Date.now()}-${++seq}`
const checkout = (fields: Record<string, string>, key = KEY) =>
  api(sim, { function: "create-checkout-session", "api-key": key, ...fields })

/** Fields of a correctly signed session request. */
function signed(fields: { price: string; currency: string; order_id: string }, secret = SECRET, timestamp = String(unixNow(sim))) {
  return { ...fields, timestamp, signature: signCheckout(secret, fields.price, fields.currency, fields.order_id, timestamp) }
}

describe("dispatcher", () => {
  it("answers HTTP 200 with PHP's default content type, even for errors", async () => {
    const answer = await api(sim, { function: "get-credit-balance" })
    expect(answer.status).toBe(200)
    expect(answer.contentType).toBe("text/html; charset=UTF-8")
    expect(answer.json).toEqual({ success: false, error_code: "api-key-not-found", message: expect.any(String) })
  })

  it("missing-function-name when there is no function field", async () => {
    const answer = await api(sim, { "api-key": KEY })
    expect(answer.json).toEqual({ success: false, error_code: "missing-function-name", message: "Function name is required." })
  })

  it("treats a JSON body (or no body at all) as no fields: missing-function-name", async () => {
    const json = await api(sim, {}, { body: JSON.stringify({ function: "get-balances", "api-key": KEY }), contentType: "application/json" })
    expect(json.json.error_code).toBe("missing-function-name")
    const multipartLike = await api(sim, {}, { body: "function=get-balances&api-key=" + KEY, contentType: "text/plain" })
    expect(multipartLike.json.error_code).toBe("missing-function-name")
    const get = await api(sim, {}, { body: "", method: "GET" })
    expect(get.status).toBe(200)
    expect(get.json.error_code).toBe("missing-function-name")
  })

  it("function-not-found is checked before the API key", async () => {
    const noKey = await api(sim, { function: "create-transaction" })
    expect(noKey.json).toEqual({ success: false, error_code: "function-not-found", message: "Function create-transaction not found." })
    const badKey = await api(sim, { function: "nope", "api-key": "wrong" })
    expect(badKey.json.error_code).toBe("function-not-found")
  })

  it("api-key-not-found for a missing or empty key (PHP empty(), so also \"0\")", async () => {
    const variants: Array<Record<string, string>> = [{}, { "api-key": "" }, { "api-key": "0" }]
    for (const fields of variants) {
      const answer = await api(sim, { function: "get-balances", ...fields })
      expect(answer.json).toEqual({
        success: false,
        error_code: "api-key-not-found",
        message: "API key is required. Get it from Settings > Account.",
      })
    }
  })

  it("invalid-api-key for an unknown key", async () => {
    const answer = await api(sim, { function: "get-balances", "api-key": "not-a-key" })
    expect(answer.json).toEqual({ success: false, error_code: "invalid-api-key", message: "Invalid API key." })
  })

  it("missing-argument names the first missing argument, after the key check", async () => {
    const tx = await api(sim, { function: "get-transaction", "api-key": KEY })
    expect(tx.json).toEqual({ success: false, error_code: "missing-argument", message: "Missing argument: transaction_id" })
    expect((await checkout({})).json.message).toBe("Missing argument: price")
    expect((await checkout({ price: "10.00" })).json.message).toBe("Missing argument: currency")
    const fiat = await api(sim, { function: "get-fiat-value", "api-key": KEY, amount: "1" })
    expect(fiat.json.message).toBe("Missing argument: cryptocurrency_code")
    // The key is checked first: a bad key wins over a missing argument.
    const badKey = await api(sim, { function: "get-transaction", "api-key": "wrong" })
    expect(badKey.json.error_code).toBe("invalid-api-key")
  })
})

describe("create-checkout-session", () => {
  it("opens an unsigned session: payment_url, checkout_id cs-cs_<20 hex>, expires_at after 60 min × timeScale", async () => {
    const before = Date.parse(sim.state().now)
    const answer = await checkout({ price: "49.99", currency: "USD", order_id: orderId(), title: "Tea" })
    expect(answer.json.success).toBe(true)
    const { payment_url, checkout_id, expires_at } = answer.json.response
    expect(checkout_id).toMatch(/^cs-cs_[0-9a-f]{20}$/)
    expect(payment_url).toBe(`${sim.url}/pay.php?checkout=${checkout_id}`)
    // PHP's json_encode escapes slashes.
    expect(answer.text).toContain(`"payment_url":"http:\\/\\/127.0.0.1:${sim.port}\\/pay.php?checkout=${checkout_id}"`)
    const lifetime = Date.parse(expires_at) - before
    expect(lifetime).toBeGreaterThanOrEqual(3600_000 * TIME_SCALE - 5)
    expect(lifetime).toBeLessThan(3600_000 * TIME_SCALE + 1000)
    expect(sim.state().sessions).toEqual([
      expect.objectContaining({ checkout_id, price: "49.99", currency: "USD", title: "Tea", signed: false, status: "open" }),
    ])
  })

  it("accepts a correctly signed request over the exact submitted strings (lower-case currency)", async () => {
    const answer = await checkout(signed({ price: "49.99", currency: "usd", order_id: orderId() }))
    expect(answer.json.success).toBe(true)
    expect(sim.state().sessions[0]).toEqual(expect.objectContaining({ currency: "USD", signed: true }))
  })

  it("invalid-signature for a wrong secret, other casing or upper-case hex", async () => {
    const id = orderId()
    const wrongSecret = signed({ price: "49.99", currency: "usd", order_id: id }, "other-secret")
    const expected = { success: false, error_code: "invalid-signature", message: "Invalid signature" }
    expect((await checkout(wrongSecret)).json).toEqual(expected)
    // Signed as "USD" but submitted as "usd".
    const ts = String(unixNow(sim))
    const casing = { price: "49.99", currency: "usd", order_id: id, timestamp: ts, signature: signCheckout(SECRET, "49.99", "USD", id, ts) }
    expect((await checkout(casing)).json).toEqual(expected)
    const good = signed({ price: "49.99", currency: "usd", order_id: id })
    expect((await checkout({ ...good, signature: good.signature.toUpperCase() })).json).toEqual(expected)
    // A tampered price.
    expect((await checkout({ ...good, price: "4.99" })).json).toEqual(expected)
    expect(sim.state().sessions).toHaveLength(0)
  })

  it("request-expired for a timestamp more than 300 s away from the simulator clock, past or future", async () => {
    const now = unixNow(sim)
    const expected = { success: false, error_code: "request-expired", message: "Request expired" }
    for (const ts of [now - 301, now + 301, now - 3600]) {
      expect((await checkout(signed({ price: "5.00", currency: "USD", order_id: orderId() }, SECRET, String(ts)))).json).toEqual(expected)
    }
    expect((await checkout({ ...signed({ price: "5.00", currency: "USD", order_id: orderId() }), timestamp: "soon" })).json).toEqual(expected)
    for (const ts of [now - 290, now + 290]) {
      expect((await checkout(signed({ price: "5.00", currency: "USD", order_id: orderId() }, SECRET, String(ts)))).json.success).toBe(true)
    }
  })

  it("measures the window against the simulator clock, so advancing time expires a real-time timestamp", async () => {
    const realNow = String(Math.floor(Date.now() / 1000))
    sim.advanceTime(10 * 60_000)
    const stale = await checkout(signed({ price: "5.00", currency: "USD", order_id: orderId() }, SECRET, realNow))
    expect(stale.json.error_code).toBe("request-expired")
    const fresh = await checkout(signed({ price: "5.00", currency: "USD", order_id: orderId() }))
    expect(fresh.json.success).toBe(true)
  })

  it("a signature needs timestamp and order_id", async () => {
    const good = signed({ price: "5.00", currency: "USD", order_id: orderId() })
    const { timestamp: _t, ...noTimestamp } = good
    expect((await checkout(noTimestamp)).json).toEqual({ success: false, error_code: "missing-argument", message: "Missing argument: timestamp" })
    const { order_id: _o, ...noOrder } = good
    expect((await checkout(noOrder)).json).toEqual({ success: false, error_code: "missing-argument", message: "Missing argument: order_id" })
  })

  it("requireSignature refuses unsigned requests and accepts signed ones", async () => {
    const unsigned = await checkout({ price: "5.00", currency: "USD", order_id: orderId() }, STRICT_KEY)
    expect(unsigned.json).toEqual({ success: false, error_code: "missing-argument", message: "Missing argument: signature" })
    const ok = await checkout(signed({ price: "5.00", currency: "USD", order_id: orderId() }, STRICT_SECRET), STRICT_KEY)
    expect(ok.json.success).toBe(true)
  })

  it.each([
    ["JPY", "1000", true],
    ["JPY", "1000.5", false],
    ["JPY", "1000.0", false],
    ["KRW", "15000", true],
    ["KWD", "1.234", true],
    ["KWD", "1.2345", false],
    ["BHD", "0.5", true],
    ["USD", "49.99", true],
    ["USD", "49.9", true],
    ["usd", "49.99", true],
    ["USD", "49.999", false],
    ["USD", "10.005", false],
    ["USD", "1e3", false],
    ["USD", "-5", false],
    ["USD", "0", false],
    ["USD", "0.00", false],
    ["USD", " 10", false],
    ["USD", "10.", false],
    ["USD", ".5", false],
    ["USD", "010", false],
    ["USD", "1,000.00", false],
    ["USD", "", false],
    ["HKD", "0.01", true],
  ])("%s %j -> accepted %s", async (currency, price, ok) => {
    const answer = await checkout({ price, currency, order_id: orderId() })
    expect(answer.json.success).toBe(true)
    if (ok) expect(answer.json.response.checkout_id).toMatch(/^cs-cs_/)
    else expect(answer.json.response).toEqual(["error", "invalid-price"])
  })

  it("refuses an unknown currency and a non-http redirect as domain errors inside success:true", async () => {
    expect((await checkout({ price: "5.00", currency: "XYZ" })).json).toEqual({ success: true, response: ["error", "invalid-currency"] })
    expect((await checkout({ price: "5.00", currency: " USD" })).json.response).toEqual(["error", "invalid-currency"])
    const redirect = await checkout({ price: "5.00", currency: "USD", redirect: "javascript:alert(1)" })
    expect(redirect.json).toEqual({ success: true, response: ["error", "invalid-redirect"] })
    expect(sim.state().sessions).toHaveLength(0)
  })

  it("returns the open session again for a duplicate order_id with the same price, refuses another price", async () => {
    const id = orderId()
    const first = await checkout({ price: "20.00", currency: "EUR", order_id: id })
    const again = await checkout({ price: "20.00", currency: "eur", order_id: id })
    expect(again.json.response).toEqual(first.json.response)
    const changed = await checkout({ price: "25.00", currency: "EUR", order_id: id })
    expect(changed.json.response).toEqual(["error", "duplicate-order-id"])
    // Once the first session expired, the order id opens a new one.
    sim.advanceTime(3600_000 * TIME_SCALE + 1)
    const renewed = await checkout({ price: "25.00", currency: "EUR", order_id: id })
    expect(renewed.json.response.checkout_id).not.toBe(first.json.response.checkout_id)
    // Without an order_id there is nothing to deduplicate.
    const a = await checkout({ price: "1.00", currency: "USD" })
    const b = await checkout({ price: "1.00", currency: "USD" })
    expect(a.json.response.checkout_id).not.toBe(b.json.response.checkout_id)
  })
})

describe("utilities", () => {
  it("get-credit-balance: a number in USD", async () => {
    const answer = await api(sim, { function: "get-credit-balance", "api-key": KEY })
    expect(answer.json).toEqual({ success: true, response: { credit_balance: 150, credit_currency: "USD" } })
  })

  it("get-balances: {coin: {amount, fiat}} strings for every coin", async () => {
    const answer = await api(sim, { function: "get-balances", "api-key": KEY })
    expect(answer.json.response.btc).toEqual({ amount: "0", fiat: "0.00" })
    expect(Object.keys(answer.json.response)).toEqual(expect.arrayContaining(["btc", "eth", "usdt_tron", "usdc", "sol"]))
  })

  it("get-exchange-rates: fiat price of one coin as a string; unknown codes are domain errors", async () => {
    const rate = (coin: string, fiat: string) =>
      api(sim, { function: "get-exchange-rates", "api-key": KEY, cryptocurrency_code: coin, currency_code: fiat })
    expect((await rate("btc", "USD")).json).toEqual({ success: true, response: "65000" })
    expect((await rate("BTC", "hkd")).json.response).toBe("507000")
    expect((await rate("doge", "EUR")).json.response).toBe("0.138")
    expect((await rate("nope", "USD")).json.response).toEqual(["error", "invalid-cryptocurrency"])
    expect((await rate("btc", "XYZ")).json.response).toEqual(["error", "invalid-currency"])
  })

  it("get-fiat-value: a number rounded to 2 decimals", async () => {
    const value = (amount: string, coin = "eth", fiat = "USD") =>
      api(sim, { function: "get-fiat-value", "api-key": KEY, amount, cryptocurrency_code: coin, currency_code: fiat })
    expect((await value("0.5")).json).toEqual({ success: true, response: 1600 })
    expect((await value("0.00076907", "btc")).json.response).toBe(49.99)
    expect((await value("abc")).json.response).toEqual(["error", "invalid-amount"])
  })
})

describe("api.php faults", () => {
  const countSessions = () => sim.state().sessions.length

  it("http500: HTML 500 and nothing processed; the fault is used up", async () => {
    sim.setFault({ target: "api.php", mode: "http500" })
    const failed = await checkout({ price: "5.00", currency: "USD" })
    expect(failed.status).toBe(500)
    expect(failed.json).toBeUndefined()
    expect(countSessions()).toBe(0)
    expect((await checkout({ price: "5.00", currency: "USD" })).json.success).toBe(true)
  })

  it("http429 and malformed answer without processing", async () => {
    sim.setFault({ target: "api.php", mode: "http429" })
    sim.setFault({ target: "api.php", mode: "malformed" })
    const limited = await checkout({ price: "5.00", currency: "USD" })
    expect(limited.status).toBe(429)
    const garbled = await checkout({ price: "5.00", currency: "USD" })
    expect(garbled.status).toBe(200)
    expect(garbled.json).toBeUndefined()
    expect(garbled.text).toContain("Fatal error")
    expect(countSessions()).toBe(0)
  })

  it("a fault aimed at one function leaves the others alone; times counts uses", async () => {
    sim.setFault({ target: "api.php:get-credit-balance", mode: "http500", times: 2 })
    expect((await checkout({ price: "5.00", currency: "USD" })).status).toBe(200)
    const balance = () => api(sim, { function: "get-credit-balance", "api-key": KEY })
    expect((await balance()).status).toBe(500)
    expect((await balance()).status).toBe(500)
    expect((await balance()).status).toBe(200)
  })

  it("drop_before processes nothing, drop_after processes then hangs up", async () => {
    sim.setFault({ target: "api.php", mode: "drop_before" })
    await expect(checkout({ price: "5.00", currency: "USD" })).rejects.toThrow()
    expect(countSessions()).toBe(0)
    sim.setFault({ target: "api.php", mode: "drop_after" })
    await expect(checkout({ price: "5.00", currency: "USD" })).rejects.toThrow()
    expect(countSessions()).toBe(1)
  })

  it.each(["delay_before", "delay_after"] as const)("%s holds the answer back (real ms) and still processes", async (mode) => {
    sim.setFault({ target: "api.php", mode, delayMs: 150 })
    const started = Date.now()
    const answer = await checkout({ price: "5.00", currency: "USD" })
    expect(answer.json.success).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(countSessions()).toBe(1)
  })

  it("rejects unusable faults over the control API with 400", async () => {
    const post = (fault: unknown) =>
      fetch(`${sim.url}/__sim/faults`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(fault) })
    expect((await post({ target: "api.php:nope", mode: "http500" })).status).toBe(400)
    expect((await post({ target: "webhook", mode: "http500" })).status).toBe(400)
    expect((await post({ target: "api.php", mode: "suppress" })).status).toBe(400)
    expect((await post({ target: "api.php", mode: "delay_before" })).status).toBe(400)
    const ok = await post({ target: "webhook", mode: "delay", delayMs: 10, times: -1 })
    expect(ok.status).toBe(200)
    expect(sim.state().faults).toEqual([{ target: "webhook", mode: "delay", delayMs: 10, times: -1 }])
  })
})
