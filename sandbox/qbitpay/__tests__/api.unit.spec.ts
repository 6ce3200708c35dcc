/** The merchant API: auth, create (JSON and form), validation, retrieve, list pagination, update, tokens. */
import { startQbitpaySimulator, type QbitpaySimulator } from "../server"
import { KEY_A, KEY_B, chargeBody, client } from "./helpers"

let sim: QbitpaySimulator
const api = client(() => sim.url)

beforeAll(async () => {
  sim = await startQbitpaySimulator({ merchants: [{ apiKey: KEY_A }, { apiKey: KEY_B }] })
})
afterAll(() => sim.close())

const HEX24 = /^[0-9a-f]{24}$/
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/

describe("authentication (HTTP Basic, key as user, empty password)", () => {
  const exactly401 = { type: "authentication_error" }

  it.each([
    ["no header", { key: null }],
    ["an unknown key", { key: "nope" }],
    ["a non-empty password", { authorization: `Basic ${Buffer.from(`${KEY_A}:secret`).toString("base64")}` }],
    ["no colon", { authorization: `Basic ${Buffer.from(KEY_A).toString("base64")}` }],
    ["a Bearer token", { authorization: "Bearer abc" }],
  ])("answers 401 {type:authentication_error} for %s", async (_what, o) => {
    for (const path of ["/api/v1/charges", "/api/v1/accessToken"]) {
      const res = await api.get(path, o)
      expect(res.status).toBe(401)
      expect(res.data).toEqual(exactly401)
    }
    const created = await api.post("/api/v1/charges", chargeBody(), o)
    expect(created.status).toBe(401)
    expect(created.data).toEqual(exactly401)
  })

  it("accepts the key with an empty password, as curl -u key: sends it", async () => {
    const res = await api.get("/api/v1/charges")
    expect(res.status).toBe(200)
  })
})

describe("POST /api/v1/charges", () => {
  it("creates a pending charge from a JSON body with every 2019-05 field", async () => {
    const res = await api.post("/api/v1/charges", chargeBody({ externalOrderId: "JSON-1", payerName: "Wang Wei", paymentType: "Alipay" }))
    expect(res.status).toBe(200)
    const c = res.data
    expect(Object.keys(c)).toEqual([
      "id", "object", "createdAt", "paid", "status", "amount", "currency", "externalOrderId", "paymentPageUrl",
      "cbUrl", "redirectUrl", "price", "fee", "baseAmount", "baseCurrency", "totalCost", "quoteCurrency",
      "paymentMethod", "payerName", "expiresAt",
    ])
    expect(c).toMatchObject({
      object: "charge",
      paid: false,
      status: "pending",
      amount: 100,
      currency: "USD",
      externalOrderId: "JSON-1",
      cbUrl: "http://127.0.0.1:9/unused",
      redirectUrl: "https://shop.example/return?o=1",
      baseCurrency: "BTC",
      quoteCurrency: "CNY",
      // The doc's own example: 100 USD = 676 CNY = 0.017451 BTC at 38737.7 CNY/BTC.
      totalCost: 676,
      price: 38737.7,
      baseAmount: 0.017451,
      fee: 1,
      payerName: "Wang Wei",
      paymentMethod: { object: "paymentMethod", type: "Alipay", currency: "CNY", status: "active", typeLabel: { en: "Alipay", zh: "支付宝" } },
    })
    expect(c.id).toMatch(HEX24)
    expect(c.createdAt).toMatch(ISO_MS)
    expect(Date.parse(c.expiresAt) - Date.parse(c.createdAt)).toBe(30 * 60_000)
    expect(c.paymentPageUrl).toBe(`${sim.url}/h5/?zh#/otc/payment?tradeId=${c.id}`)
  })

  it("accepts a form body (v1 curl -d style) with a numeric-string amount", async () => {
    const res = await api.post(
      "/api/v1/charges",
      { amount: "12.5", currency: "USDT", externalOrderId: "FORM-1", cbUrl: "https://shop.example/hook", redirectUrl: "https://shop.example/r", baseCurrency: "USDT", quoteCurrency: "PHP", paymentType: "GCash" },
      { form: true }
    )
    expect(res.status).toBe(200)
    expect(res.data).toMatchObject({ amount: 12.5, currency: "USDT", externalOrderId: "FORM-1", baseCurrency: "USDT", quoteCurrency: "PHP" })
    expect(typeof res.data.amount).toBe("number")
    expect(res.data.payerName).toBeUndefined()
  })

  it("allows 6 decimals for USDT and 2 for USD", async () => {
    expect((await api.post("/api/v1/charges", chargeBody({ currency: "USDT", amount: 0.123456 }))).status).toBe(200)
    expect((await api.post("/api/v1/charges", chargeBody({ amount: 10.01 }))).status).toBe(200)
  })

  it("does not make externalOrderId unique", async () => {
    const a = await api.post("/api/v1/charges", chargeBody({ externalOrderId: "SAME" }))
    const b = await api.post("/api/v1/charges", chargeBody({ externalOrderId: "SAME" }))
    expect([a.status, b.status]).toEqual([200, 200])
    expect(a.data.id).not.toBe(b.data.id)
  })

  it.each([
    ["amount 0", { amount: 0 }, "amount"],
    ["negative amount", { amount: -5 }, "amount"],
    ['amount "abc"', { amount: "abc" }, "amount"],
    ["amount as a JSON string", { amount: "100" }, "amount"],
    ["10.001 USD", { amount: 10.001 }, "amount"],
    ["7 decimals of USDT", { amount: 0.1234567, currency: "USDT" }, "amount"],
    ["missing amount", { amount: undefined }, "amount"],
    ["currency EUR", { currency: "EUR" }, "currency"],
    ["lower-case currency", { currency: "usd" }, "currency"],
    ["missing externalOrderId", { externalOrderId: undefined }, "externalOrderId"],
    ["empty externalOrderId", { externalOrderId: "" }, "externalOrderId"],
    ["numeric externalOrderId", { externalOrderId: 42 }, "externalOrderId"],
    ["bad cbUrl", { cbUrl: "not a url" }, "cbUrl"],
    ["ftp cbUrl", { cbUrl: "ftp://shop.example/x" }, "cbUrl"],
    ["missing cbUrl", { cbUrl: undefined }, "cbUrl"],
    ["missing redirectUrl", { redirectUrl: undefined }, "redirectUrl"],
    ["baseCurrency ETH", { baseCurrency: "ETH" }, "baseCurrency"],
    ["quoteCurrency EUR", { quoteCurrency: "EUR" }, "quoteCurrency"],
    ["PayPal for CNY", { paymentType: "PayPal" }, "paymentType"],
  ])("answers 400 for %s", async (_what, patch, field) => {
    const res = await api.post("/api/v1/charges", chargeBody(patch))
    expect(res.status).toBe(400)
    expect(res.data.type).toBe("invalid_request_error")
    expect(typeof res.data.message).toBe("string")
    expect(res.data.detail).toEqual(expect.arrayContaining([expect.objectContaining({ field })]))
    for (const d of res.data.detail) expect(Object.keys(d).sort()).toEqual(["code", "field", "message"])
  })

  it.each([
    ["abc", "abc"],
    ["1e3", "1e3"],
    ["a leading plus", "+5"],
    ["a leading zero", "05"],
    ["10.001 USD", "10.001"],
    ["zero", "0"],
  ])("answers 400 for the form amount %s", async (_what, amount) => {
    const res = await api.post("/api/v1/charges", { ...chargeBody(), amount }, { form: true })
    expect(res.status).toBe(400)
    expect(res.data.detail[0].field).toBe("amount")
  })

  it("lists every problem of a request in detail, the first in message", async () => {
    const res = await api.post("/api/v1/charges", {})
    expect(res.status).toBe(400)
    expect(res.data.message).toBe("amount is required")
    expect(res.data.detail.map((d: { field: string }) => d.field)).toEqual(["amount", "currency", "externalOrderId", "cbUrl", "redirectUrl"])
    expect(res.data.detail[0].code).toBe("missing_field")
  })

  it("rejects malformed JSON, non-object JSON, other content types and repeated form fields", async () => {
    const raw = (data: string, contentType: string) =>
      fetch(`${sim.url}/api/v1/charges`, {
        method: "POST",
        headers: { Authorization: `Basic ${Buffer.from(`${KEY_A}:`).toString("base64")}`, "Content-Type": contentType },
        body: data,
      })
    for (const [body, type] of [
      ["{nope", "application/json"],
      ["[1,2]", "application/json"],
      ["amount=1", "text/plain"],
      ["amount=1&amount=2&currency=USD", "application/x-www-form-urlencoded"],
    ]) {
      const res = await raw(body, type)
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ type: "invalid_request_error" })
    }
  })
})

describe("GET /api/v1/charges/:id", () => {
  it("returns the merchant's own charge", async () => {
    const created = (await api.post("/api/v1/charges", chargeBody())).data
    const res = await api.get(`/api/v1/charges/${created.id}`)
    expect(res.status).toBe(200)
    expect(res.data).toEqual(created)
  })

  it("answers 404 No such charge for unknown ids and for another merchant's charge", async () => {
    const unknown = await api.get("/api/v1/charges/0123456789abcdef01234567")
    expect(unknown.status).toBe(404)
    expect(unknown.data).toEqual({ type: "invalid_request_error", message: "No such charge: 0123456789abcdef01234567" })

    const theirs = (await api.post("/api/v1/charges", chargeBody(), { key: KEY_B })).data
    const res = await api.get(`/api/v1/charges/${theirs.id}`)
    expect(res.status).toBe(404)
    expect(res.data.message).toContain("No such charge")
    expect((await api.get(`/api/v1/charges/${theirs.id}`, { key: KEY_B })).status).toBe(200)
  })

  it("answers 404 invalid_request_error for unknown routes", async () => {
    const res = await api.request("DELETE", "/api/v1/charges/abc")
    expect(res.status).toBe(404)
    expect(res.data.type).toBe("invalid_request_error")
  })
})

describe("GET /api/v1/charges (cursor pagination)", () => {
  let pager: QbitpaySimulator
  const p = client(() => pager.url)
  let ids: string[] = []

  beforeAll(async () => {
    pager = await startQbitpaySimulator({ merchants: [{ apiKey: KEY_A }, { apiKey: KEY_B }] })
    for (let i = 0; i < 25; i++) {
      const res = await p.post("/api/v1/charges", chargeBody({ externalOrderId: i % 5 === 0 ? "EVERY-5" : `P-${i}` }))
      ids.push(res.data.id)
      if (i % 7 === 0) pager.advanceTime(1000)
    }
    await p.post("/api/v1/charges", chargeBody(), { key: KEY_B })
    ids = ids.reverse() // newest first
  })
  afterAll(() => pager.close())

  const pageIds = async (query: string): Promise<string[]> => {
    const res = await p.get(`/api/v1/charges${query}`)
    expect(res.status).toBe(200)
    expect(res.data.object).toBe("list")
    expect(res.data.url).toBe("/api/v1/charges")
    expect(res.data).not.toHaveProperty("has_more")
    return res.data.data.map((c: { id: string }) => c.id)
  }

  it("defaults to 10, newest first, own charges only", async () => {
    expect(await pageIds("")).toEqual(ids.slice(0, 10))
  })

  it("walks forward with starting_after and back with ending_before, with no gaps or overlaps", async () => {
    const forward: string[][] = [await pageIds("?limit=10")]
    while (forward[forward.length - 1].length === 10) {
      const last = forward[forward.length - 1]
      forward.push(await pageIds(`?limit=10&starting_after=${last[last.length - 1]}`))
    }
    expect(forward.map((page) => page.length)).toEqual([10, 10, 5])
    expect(forward.flat()).toEqual(ids)

    const back: string[][] = [forward[2]]
    for (;;) {
      const page = await pageIds(`?limit=10&ending_before=${back[0][0]}`)
      if (page.length === 0) break
      back.unshift(page)
    }
    expect(back).toEqual(forward)
    expect(await pageIds(`?ending_before=${ids[3]}&limit=10`)).toEqual(ids.slice(0, 3))
    expect(await pageIds(`?starting_after=${ids[24]}`)).toEqual([])
  })

  it("filters by externalOrderId, paging within the filter", async () => {
    const every5 = await pageIds("?externalOrderId=EVERY-5&limit=2")
    expect(every5).toHaveLength(2)
    const rest = await pageIds(`?externalOrderId=EVERY-5&starting_after=${every5[1]}`)
    expect(rest).toHaveLength(3)
    expect([...every5, ...rest]).toEqual(ids.filter((_, i) => (24 - i) % 5 === 0))
    expect(await pageIds("?externalOrderId=none")).toEqual([])
  })

  it("accepts limit 1 and 100", async () => {
    expect(await pageIds("?limit=1")).toEqual([ids[0]])
    expect(await pageIds("?limit=100")).toEqual(ids)
  })

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=abc", "limit"],
    ["limit=2.5", "limit"],
    ["limit=-1", "limit"],
    ["limit=", "limit"],
    ["limit=5&limit=6", "limit"],
    ["starting_after=ID&ending_before=ID", "ending_before"],
    ["starting_after=ffffffffffffffffffffffff", "starting_after"],
    ["ending_before=nope", "ending_before"],
  ])("answers 400 for ?%s", async (query, field) => {
    const res = await p.get(`/api/v1/charges?${query.replace(/ID/g, ids[5])}`)
    expect(res.status).toBe(400)
    expect(res.data.type).toBe("invalid_request_error")
    expect(res.data.detail[0].field).toBe(field)
  })

  it("treats another merchant's charge id as an unknown cursor", async () => {
    const theirs = (await p.get("/api/v1/charges", { key: KEY_B })).data.data[0].id
    expect((await p.get(`/api/v1/charges?starting_after=${theirs}`)).status).toBe(400)
  })
})

describe("PUT /api/v1/charges/:id", () => {
  it("moves a pending charge to buyerPaid (JSON or form) and nothing else", async () => {
    const a = (await api.post("/api/v1/charges", chargeBody())).data
    const res = await api.put(`/api/v1/charges/${a.id}`, { status: "buyerPaid" })
    expect(res.status).toBe(200)
    expect(res.data).toMatchObject({ id: a.id, status: "buyerPaid", paid: false })

    const again = await api.put(`/api/v1/charges/${a.id}`, { status: "buyerPaid" })
    expect(again.status).toBe(402)
    expect(again.data.type).toBe("invalid_request_error")

    const b = (await api.post("/api/v1/charges", chargeBody())).data
    expect((await api.put(`/api/v1/charges/${b.id}`, { status: "buyerPaid" }, { form: true })).data.status).toBe("buyerPaid")
  })

  it.each([
    ["another status", { status: "closed" }],
    ["no status", {}],
    ["an extra field", { status: "buyerPaid", amount: 5 }],
  ])("answers 400 for %s", async (_what, body) => {
    const c = (await api.post("/api/v1/charges", chargeBody())).data
    const res = await api.put(`/api/v1/charges/${c.id}`, body)
    expect(res.status).toBe(400)
    expect(res.data.type).toBe("invalid_request_error")
    expect((await api.get(`/api/v1/charges/${c.id}`)).data.status).toBe("pending")
  })

  it("answers 402 for closed or cancelled charges and 404 for other merchants'", async () => {
    const paid = (await api.post("/api/v1/charges", chargeBody())).data
    sim.act(paid.id, "pay")
    expect((await api.put(`/api/v1/charges/${paid.id}`, { status: "buyerPaid" })).status).toBe(402)
    const failed = (await api.post("/api/v1/charges", chargeBody())).data
    sim.act(failed.id, "fail")
    expect((await api.put(`/api/v1/charges/${failed.id}`, { status: "buyerPaid" })).status).toBe(402)
    const theirs = (await api.post("/api/v1/charges", chargeBody(), { key: KEY_B })).data
    expect((await api.put(`/api/v1/charges/${theirs.id}`, { status: "buyerPaid" })).status).toBe(404)
  })
})

describe("GET /api/v1/accessToken", () => {
  it("returns a JWT-shaped token bound to the merchant, valid for 30 days", async () => {
    const res = await api.get("/api/v1/accessToken")
    expect(res.status).toBe(200)
    expect(Object.keys(res.data)).toEqual(["accessToken"])
    const [header, payload] = String(res.data.accessToken).split(".")
    expect(JSON.parse(Buffer.from(header, "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" })
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString())
    expect(claims._id).toMatch(HEX24)
    expect(claims.isAdmin).toBe(false)
    expect(claims.authCode).toMatch(/^\d{6}$/)
    expect(claims.exp - claims.iat).toBeGreaterThanOrEqual(30 * 86_400)
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(30 * 86_400 + 1)

    const other = JSON.parse(Buffer.from((await api.get("/api/v1/accessToken", { key: KEY_B })).data.accessToken.split(".")[1], "base64url").toString())
    expect(other._id).not.toBe(claims._id)
  })
})

describe("rate limit (403 rate_limit_error, never 429)", () => {
  it("throttles per API key", async () => {
    const limited = await startQbitpaySimulator({ merchants: [{ apiKey: KEY_A }, { apiKey: KEY_B }], rateLimit: { requests: 3, windowMs: 60_000 } })
    const l = client(() => limited.url)
    try {
      const statuses = []
      for (let i = 0; i < 5; i++) statuses.push((await l.get("/api/v1/charges")).status)
      expect(statuses).toEqual([200, 200, 200, 403, 403])
      const res = await l.get("/api/v1/charges")
      expect(res.data).toEqual({ type: "rate_limit_error", message: expect.any(String) })
      expect((await l.get("/api/v1/charges", { key: KEY_B })).status).toBe(200)
      limited.reset()
      expect((await l.get("/api/v1/charges")).status).toBe(200)
    } finally {
      await limited.close()
    }
  })
})
