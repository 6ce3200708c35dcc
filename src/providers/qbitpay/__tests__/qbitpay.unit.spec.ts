import { PaymentSessionStatus } from "@medusajs/framework/utils"
import http from "node:http"
import type { AddressInfo } from "node:net"
import { qbitStyleSignature } from "../signature"
import { jwtExpiry } from "../client"
import { QbitpayProviderService, QbitpaySessionData } from "../service"
import { ACTION_BY_EVENT, PAYMENT_STATUS_BY_CHARGE_STATUS, qbitpayStatusFrom, SESSION_STATUS_BY_PAYMENT_STATUS } from "../status"
import { verifyQbitpayEvent } from "../webhook"
import { qbitEventSignature } from "../../../../sandbox/shared/signatures"

const API_KEY = "T9uTy95uSifOOuTy"
const base = { apiKey: API_KEY, webhookUrl: "https://api.example/hooks/payment/qbitpay_qbitpay", redirectUrl: "https://shop.example/return?s={session_id}" }

type Reply = { status?: number; body: unknown }
async function fakeApi(route: (method: string, url: string, body: string, auth: string | undefined) => Reply) {
  const seen: Array<{ method: string; url: string; body: string; auth?: string }> = []
  const server = http.createServer((req, res) => {
    let body = ""
    req.on("data", (c) => (body += c))
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, body, auth: req.headers.authorization })
      const reply = route(req.method!, req.url!, body, req.headers.authorization)
      res.statusCode = reply.status ?? 200
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) }
}

const logger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() }
const service = (options: Record<string, unknown>) => new QbitpayProviderService({ logger } as any, { ...base, ...options })
const charge = (fields: Record<string, unknown> = {}) => ({
  id: "5b8ea1a5ea9eb76264250dda",
  object: "charge",
  status: "pending",
  paid: false,
  amount: 49.99,
  currency: "USD",
  externalOrderId: "payses_01ABC",
  paymentPageUrl: "https://h5.example/?zh#/otc/payment?tradeId=5b8ea1a5ea9eb76264250dda",
  expiresAt: new Date(Date.now() + 1800_000).toISOString(),
  ...fields,
})

describe("Qbit Pay signature", () => {
  it("reproduces the documented test vector through the webhook verifier", () => {
    const raw =
      '{"id":"fDOuTy95uSiTi","type":"charge.succeeded","createdAt":"2019-02-25T16:13:12.278Z","object":"event","pendingWebhooks":0,"livemode":true,"data":{"id":"5","object":"charge","createdAt":"2019-02-25T16:13:12.278Z","paid":false,"status":"pending","amount":1000,"currency":"USD","externalOrderId":"DTSifOuTy95ui","paymentPageUrl":"https://qbitpay.blockscape.co/?zh#/otc/payment?tradeId=DTSifOuTy95ifOuTy95","cbUrl":"https://api.blockscape.co","redirectUrl":"https://qbitpay.blockscape.co"}}'
    expect(qbitStyleSignature(JSON.parse(raw), API_KEY)).toBe("EE53810FF1341779F2FF25989A67DCFC")
    expect(verifyQbitpayEvent(raw, { "qbitpay-signature": "EE53810FF1341779F2FF25989A67DCFC" }, API_KEY)).toMatchObject({
      ok: true,
      type: "charge.succeeded",
      charge: { id: "5", externalOrderId: "DTSifOuTy95ui" },
    })
    expect(verifyQbitpayEvent(raw, { "QbitPay-Signature": "ee53810ff1341779f2ff25989a67dcfc" }, API_KEY).ok).toBe(true)
    expect(verifyQbitpayEvent(raw.replace('"amount":1000', '"amount":1001'), { "qbitpay-signature": "EE53810FF1341779F2FF25989A67DCFC" }, API_KEY).ok).toBe(false)
    expect(verifyQbitpayEvent(raw, { "qbitpay-signature": "EE53810FF1341779F2FF25989A67DCFC" }, "other-key-123").ok).toBe(false)
    expect(verifyQbitpayEvent(raw, {}, API_KEY).ok).toBe(false)
    expect(verifyQbitpayEvent("nope", { "qbitpay-signature": "x" }, API_KEY).ok).toBe(false)
  })
})

describe("Qbit Pay status table", () => {
  it("maps every charge status, and only a paid closed charge is captured", () => {
    expect(PAYMENT_STATUS_BY_CHARGE_STATUS).toEqual({
      pending: "pending",
      buyerPaid: "pending",
      sellerConfirmed: "pending",
      closed: "paid",
      cancelled: "canceled",
      dispute: "disputed",
    })
    expect(SESSION_STATUS_BY_PAYMENT_STATUS.paid).toBe(PaymentSessionStatus.CAPTURED)
    expect(SESSION_STATUS_BY_PAYMENT_STATUS.disputed).toBe(PaymentSessionStatus.REQUIRES_MORE)
    expect(ACTION_BY_EVENT).toMatchObject({ "charge.succeeded": "captured", "charge.failed": "failed", "charge.expired": "canceled" })
  })

  const data: QbitpaySessionData = {
    session_id: "payses_01ABC",
    gateway: "qbitpay",
    merchant_order_id: "payses_01ABC",
    attempt: 1,
    amount: "49.99",
    currency: "USD",
    gateway_reference: "5b8ea1a5ea9eb76264250dda",
    charge_status: "pending",
    expires_at: null,
    status: "pending",
    next_action: { type: "redirect", url: "https://h5.example/x" },
    refunds: [],
    last_error: null,
  }

  it.each([
    [{}, "pending"],
    [{ status: "buyerPaid" }, "pending"],
    [{ status: "closed", paid: true }, "paid"],
    [{ status: "closed", paid: false }, "pending"],
    [{ status: "closed", paid: true, amount: 49.98 }, "mismatch"],
    [{ status: "closed", paid: true, currency: "USDT" }, "mismatch"],
    [{ status: "cancelled" }, "canceled"],
    [{ status: "dispute" }, "disputed"],
    [{ expiresAt: new Date(Date.now() - 3600_000).toISOString() }, "expired"],
    [{ status: "weird" }, "pending"],
  ])("charge %j -> %s", (fields, status) => {
    // The pure status decision: charge + now + options -> status, no gateway and no logger.
    expect(qbitpayStatusFrom(charge(fields) as any, data as any, new Date(), { expiryGraceMinutes: 10 }).data.status).toBe(status)
  })
})

describe("Qbit Pay charge creation", () => {
  it("sends the amount as an exact JSON number in major units, with Basic auth and our ids, and opens the page with the token", async () => {
    const api = await fakeApi((method, url) => {
      if (method === "POST" && url === "/api/v1/charges") return { body: charge({ amount: 1234.5 }) }
      if (url === "/api/v1/accessToken") return { body: { accessToken: "tok.en" } }
      return { status: 404, body: { type: "invalid_request_error" } }
    })
    try {
      const out = await service({ baseUrl: api.url }).initiatePayment({ amount: "1234.50", currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })
      const create = api.seen.find((s) => s.url === "/api/v1/charges")!
      expect(create.body).toBe(
        '{"amount":1234.50,"currency":"USD","externalOrderId":"payses_01ABC","cbUrl":"https://api.example/hooks/payment/qbitpay_qbitpay","redirectUrl":"https://shop.example/return?s=payses_01ABC"}'
      )
      expect(create.auth).toBe(`Basic ${Buffer.from(`${API_KEY}:`).toString("base64")}`)
      expect(out.data).toMatchObject({ amount: "1234.50", currency: "USD", gateway_reference: "5b8ea1a5ea9eb76264250dda", status: "pending" })
      expect((out.data as any).next_action.url).toBe("https://h5.example/?zh#/otc/payment?tradeId=5b8ea1a5ea9eb76264250dda&accessToken=tok.en")
    } finally {
      await api.close()
    }
  })

  it("refuses a currency other than the account's", async () => {
    await expect(service({}).initiatePayment({ amount: 5, currency_code: "eur", data: { session_id: "payses_01ABC" }, context: {} })).rejects.toThrow(
      "Qbit Pay does not accept EUR"
    )
  })

  it("caches the access token only while valid", async () => {
    let tokens = 0
    const exp = Math.floor(Date.now() / 1000) + 120 // valid two more minutes
    const jwt = `x.${Buffer.from(JSON.stringify({ exp })).toString("base64url")}.y`
    const api = await fakeApi((method, url) => {
      if (url === "/api/v1/accessToken") return { body: { accessToken: `${jwt}${++tokens}` } }
      return { body: charge() }
    })
    try {
      const s = service({ baseUrl: api.url })
      const init = () => s.initiatePayment({ amount: 49.99, currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })
      await init()
      await init()
      expect(tokens).toBe(1)
      ;(s as any).now_ = () => new Date(Date.now() + 90_000) // within a minute of expiry: refetch
      await init()
      expect(tokens).toBe(2)
    } finally {
      await api.close()
    }
    expect(jwtExpiry(jwt)).toBe(exp * 1000)
    expect(jwtExpiry("opaque")).toBeUndefined()
  })

  it.each([
    [401, { type: "authentication_error" }, "the API key was refused"],
    [400, { type: "invalid_request_error", message: "amount invalid", detail: [{ field: "amount", code: "invalid", message: "amount invalid" }] }, "amount: amount invalid"],
    [402, { type: "invalid_request_error", message: "limit" }, "Qbit Pay refused the request"],
  ])("maps HTTP %s to a clear error", async (status, body, message) => {
    const api = await fakeApi(() => ({ status, body }))
    try {
      await expect(service({ baseUrl: api.url }).initiatePayment({ amount: 5, currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })).rejects.toThrow(message)
    } finally {
      await api.close()
    }
  })

  it("retries a 403 rate_limit_error on reads like a 429", async () => {
    let calls = 0
    const api = await fakeApi(() => (++calls === 1 ? { status: 403, body: { type: "rate_limit_error" } } : { body: charge({ status: "closed", paid: true }) }))
    try {
      const s = service({ baseUrl: api.url, maxRetries: 1 })
      const data = { session_id: "payses_01ABC", gateway: "qbitpay", merchant_order_id: "payses_01ABC", gateway_reference: "5b8ea1a5ea9eb76264250dda", amount: "49.99", currency: "USD", attempt: 1, status: "pending" }
      await expect(s.getPaymentStatus({ data })).resolves.toMatchObject({ status: "captured" })
      expect(calls).toBe(2)
    } finally {
      await api.close()
    }
  })

  it("adopts the charge when the create answer is lost, instead of creating a second one", async () => {
    let creates = 0
    const api = await fakeApi((method, url) => {
      if (method === "POST") {
        creates++
        return { status: 502, body: { type: "api_error" } }
      }
      if (url.startsWith("/api/v1/charges?")) return { body: { object: "list", url: "/api/v1/charges", data: [charge()] } }
      return { body: { accessToken: "tok" } }
    })
    try {
      const out = await service({ baseUrl: api.url }).initiatePayment({ amount: 49.99, currency_code: "usd", data: { session_id: "payses_01ABC" }, context: {} })
      expect(creates).toBe(1)
      expect(out.data).toMatchObject({ gateway_reference: "5b8ea1a5ea9eb76264250dda" })
    } finally {
      await api.close()
    }
  })

  it("records refunds as manual, once per refund id, or refuses them when disabled", async () => {
    const data = { session_id: "payses_01ABC", gateway: "qbitpay", merchant_order_id: "payses_01ABC", gateway_reference: "ch1", amount: "49.99", currency: "USD", attempt: 1, status: "paid", refunds: [] }
    const s = service({})
    const first = await s.refundPayment({ data, amount: { value: "10", precision: 20 } as any, context: { idempotency_key: "ref_01" } })
    expect((first.data as any).refunds).toEqual([expect.objectContaining({ id: "ref_01", amount: "10.00", status: "manual_pending", gateway_reference: "ch1" })])
    const again = await s.refundPayment({ data: first.data, amount: { value: "10", precision: 20 } as any, context: { idempotency_key: "ref_01" } })
    expect((again.data as any).refunds).toHaveLength(1)
    await expect(service({ refundMode: "disabled" }).refundPayment({ data, amount: 10, context: {} })).rejects.toThrow("refunds are disabled")
  })
})

describe("Qbit Pay webhook: only the session's current order and charge pay it", () => {
  const SESSION = "payses_01QBITEDIT"
  const CHARGE = "5b8ea1a5ea9eb76264250dda"
  const sessionData = {
    session_id: SESSION,
    gateway: "qbitpay",
    merchant_order_id: SESSION,
    attempt: 1,
    amount: "49.99",
    currency: "USD",
    gateway_reference: CHARGE,
    charge_status: "pending",
    expires_at: null,
    status: "pending",
    next_action: { type: "none" },
    refunds: [],
    last_error: null,
  }
  const sessions = {
    retrieve: async (id: string) => {
      if (id !== SESSION) throw new Error(`PaymentSession with id: ${id} was not found`)
      return { id, provider_id: "pp_qbitpay_qbitpay", amount: 49.99, raw_amount: { value: "49.99", precision: 20 }, currency_code: "usd", status: "pending", data: sessionData }
    },
  }
  const hookService = () => new QbitpayProviderService({ logger, paymentSessionService: sessions } as any, base)
  /** A genuine event as Qbit Pay signs it (the simulator's signer, not the provider's). */
  const event = (chargeFields: Record<string, unknown>, type = "charge.succeeded") => {
    const body = JSON.stringify({
      id: `ev_${Math.random().toString(36).slice(2)}`,
      type,
      createdAt: new Date().toISOString(),
      object: "event",
      pendingWebhooks: 0,
      livemode: true,
      data: charge({ status: "closed", paid: true, externalOrderId: SESSION, ...chargeFields }),
    })
    return { data: JSON.parse(body), rawData: Buffer.from(body), headers: { "qbitpay-signature": qbitEventSignature(JSON.parse(body), API_KEY) } }
  }

  it("the genuine event is captured for the session's amount", async () => {
    await expect(hookService().getWebhookActionAndData(event({}))).resolves.toEqual({ action: "captured", data: { session_id: SESSION, amount: "49.99" } })
  })

  it.each([`${SESSION}-2`, `${SESSION}-9999`, `${SESSION} `, `${SESSION}\n`, `${SESSION}\u00a0`])(
    "a signed event whose externalOrderId is %j does not complete the session",
    async (externalOrderId) => {
      await expect(hookService().getWebhookActionAndData(event({ externalOrderId }))).resolves.toEqual({ action: "not_supported" })
    }
  )

  it("an event for another charge of the session does not complete it, nor is a failure of it recorded", async () => {
    await expect(hookService().getWebhookActionAndData(event({ id: "6b0000000000000000000001" }))).resolves.toEqual({ action: "not_supported" })
    const failedOther = event({ id: "6b0000000000000000000001", status: "cancelled", paid: false }, "charge.failed")
    await expect(hookService().getWebhookActionAndData(failedOther)).resolves.toEqual({ action: "not_supported" })
    const failedCurrent = event({ status: "cancelled", paid: false }, "charge.failed")
    await expect(hookService().getWebhookActionAndData(failedCurrent)).resolves.toEqual({ action: "failed", data: { session_id: SESSION, amount: "49.99" } })
  })
})
