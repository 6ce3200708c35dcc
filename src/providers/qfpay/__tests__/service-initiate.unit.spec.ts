/**
 * QfpayProviderService.initiatePayment against the real QFPay simulator over loopback: the signed hosted
 * checkout URL (the simulator's page must accept it) and direct-mode order creation.
 */
import { MedusaError, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { QfpayProviderService, QfpaySessionData } from "../service"
import {
  CHECKOUT_OPTIONS,
  DIRECT_OVERRIDES,
  NOTIFY_URL,
  checkstandParams,
  createQfpayService,
  initiateSession,
  openCheckstand,
  rejection,
  uniqueId,
  useQfpaySimulator,
} from "./helpers"

const APP = "SVCINITAPP"
const KEY = "svc-init-client-key-0001"
const RETURN_URL = "https://shop.example.test/checkout/return?session={session_id}"
const FAILED_URL = "https://shop.example.test/checkout/failed/{session_id}"

const sim = useQfpaySimulator({ appCode: APP, clientKey: KEY })

// ---------------------------------------------------------------------------------------------------------
// Helpers

const newSessionId = () => uniqueId("payses_01INIT")

function makeService(options: Record<string, unknown> = {}) {
  return createQfpayService(sim, { appCode: APP, clientKey: KEY }, {
    ...CHECKOUT_OPTIONS,
    returnUrl: RETURN_URL,
    failedUrl: FAILED_URL,
    ...options,
  })
}

function directService(options: Record<string, unknown> = {}) {
  return makeService({ ...DIRECT_OVERRIDES, ...options })
}

async function initiate(
  service: QfpayProviderService,
  amount: unknown,
  currency = "hkd",
  extra: Record<string, unknown> = {}
): Promise<{ sessionId: string; data: QfpaySessionData; status: string; id: string }> {
  const { sessionId, result, data } = await initiateSession(service, newSessionId(), amount, currency, extra)
  return { sessionId, data, status: result.status as string, id: result.id }
}

function hashParams(url: string): Record<string, string> {
  expect(new URL(url).hash.startsWith("#/?")).toBe(true)
  return checkstandParams(url)
}

async function openPage(url: string) {
  return openCheckstand(sim, hashParams(url))
}

function redirectUrl(data: QfpaySessionData): string {
  expect(data.next_action.type).toBe("redirect")
  return (data.next_action as { type: "redirect"; url: string }).url
}

// ---------------------------------------------------------------------------------------------------------
// Hosted checkout

describe("initiatePayment, hosted checkout", () => {
  it.each(["SHA256", "MD5"])("builds a %s-signed URL the simulator's checkout page opens", async (signType) => {
    const { service } = makeService({ signType, goodsName: "網上訂單 Shop 1" })
    const { sessionId, data, status, id } = await initiate(service, 10.5)

    expect(status).toBe(PaymentSessionStatus.PENDING)
    expect(id).toBe(sessionId)
    expect(data).toMatchObject({
      session_id: sessionId,
      gateway: "qfpay",
      mode: "checkout",
      merchant_order_id: sessionId,
      attempt: 1,
      amount_minor: "1050",
      currency: "HKD",
      pay_type: null,
      gateway_reference: null,
      status: "pending",
      duplicate_references: [],
      refunds: [],
      last_error: null,
    })
    const url = redirectUrl(data)
    expect(url.startsWith(`${sim.url}/checkstand/#/?`)).toBe(true)
    const params = hashParams(url)
    expect(params).toMatchObject({
      appcode: APP,
      sign_type: signType.toLowerCase(),
      txamt: "1050",
      txcurrcd: "HKD",
      out_trade_no: sessionId,
      txdtm: data.txdtm,
      notify_url: NOTIFY_URL,
      goods_name: "網上訂單 Shop 1",
    })
    expect(params.sign).toMatch(signType === "SHA256" ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{32}$/)
    // The page deadline is the session's expires_at, as a 13-digit Unix time in ms.
    expect(params.checkout_expired_time).toBe(String(Date.parse(data.expires_at)))

    const res = await openPage(url)
    expect(res.status).toBe(200)
    expect(res.data).toMatchObject({ ok: true, order: { out_trade_no: sessionId, txamt: "1050", txcurrcd: "HKD" } })
    // Opening the page creates no transaction (none exists until the shopper pays).
    expect(sim.state().transactions).toHaveLength(0)
  })

  it("sends lang outside the signature, and the page still opens", async () => {
    const { service } = makeService({ lang: "zh-hk" })
    const { data } = await initiate(service, "88")
    const url = redirectUrl(data)
    expect(hashParams(url).lang).toBe("zh-hk")
    const res = await openPage(url)
    expect(res.status).toBe(200)
    expect(res.data.ok).toBe(true)
  })

  it("a URL whose amount was edited in the browser is refused by the page (the signature covers it)", async () => {
    const { service } = makeService()
    const { data } = await initiate(service, 10)
    const params = hashParams(redirectUrl(data))
    const res = await openCheckstand(sim, { ...params, txamt: "1" })
    expect(res.status).toBe(400)
    expect(res.data.error).toBe("QFSign_Error")
  })

  it("replaces {session_id} in return and failed URLs", async () => {
    const { service } = makeService()
    const { sessionId, data } = await initiate(service, 20)
    const params = hashParams(redirectUrl(data))
    expect(params.return_url).toBe(`https://shop.example.test/checkout/return?session=${sessionId}`)
    expect(params.failed_url).toBe(`https://shop.example.test/checkout/failed/${sessionId}`)
    const opened = await openPage(redirectUrl(data))
    expect(opened.data.order.return_url).toBe(params.return_url)
  })

  it("puts no client key (nor anything derived from it besides the URL signature) in session data", async () => {
    const { service } = makeService()
    const { data } = await initiate(service, 10)
    const json = JSON.stringify(data)
    expect(json).not.toContain(KEY)
    expect(json).not.toMatch(/client_?key/i)
    expect(Object.keys(data)).not.toContain("sign")
  })

  it("charges Medusa's unrounded 56.22375 HKD (tax and a promotion) as txamt 5622, signed, and the page opens", async () => {
    const { service } = makeService()
    const { data } = await initiate(service, { value: "56.22375", precision: 20 })
    expect(data.amount_minor).toBe("5622")
    const url = redirectUrl(data)
    expect(hashParams(url)).toMatchObject({ txamt: "5622", txcurrcd: "HKD" })
    const res = await openPage(url)
    expect(res.data).toMatchObject({ ok: true, order: { txamt: "5622" } })
  })

  it("rounds exactly half a cent up (10.005 HKD -> 1001) and JPY to whole yen (1234.5 -> 1235)", async () => {
    const { service } = makeService()
    expect((await initiate(service, 10.005)).data.amount_minor).toBe("1001")
    expect((await initiate(service, "1234.5", "jpy")).data.amount_minor).toBe("1235")
  })

  it("refuses an amount that rounds to zero with a clear MedusaError", async () => {
    const { service } = makeService()
    const error = await rejection(initiate(service, 0.004))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toBe("QFPay: the amount to pay must be greater than zero.")
  })

  it("charges JPY 1000 as txamt 1000 (no minor unit)", async () => {
    const { service } = makeService()
    const { data } = await initiate(service, 1000, "jpy")
    expect(data.amount_minor).toBe("1000")
    expect(data.currency).toBe("JPY")
    const url = redirectUrl(data)
    expect(hashParams(url)).toMatchObject({ txamt: "1000", txcurrcd: "JPY" })
    const res = await openPage(url)
    expect(res.data).toMatchObject({ ok: true, order: { amount: "JPY 1000" } })
  })

  it("accepts { value, precision } amounts", async () => {
    const { service } = makeService()
    const { data } = await initiate(service, { value: "12.3", precision: 20 })
    expect(data.amount_minor).toBe("1230")
  })

  it("refuses a currency QFPay does not take, naming it", async () => {
    const { service } = makeService()
    const error = await rejection(initiate(service, 10, "gbp"))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain("GBP")
    expect(error.message).toMatch(/does not accept/)
  })

  it("refuses a zero amount and a missing or malformed session id", async () => {
    const { service } = makeService()
    expect((await rejection(initiate(service, 0))).message).toMatch(/greater than zero/)
    const noId = await rejection(service.initiatePayment({ amount: 10, currency_code: "hkd", data: {} }))
    expect(noId.message).toMatch(/session id is missing/)
    const badId = await rejection(
      service.initiatePayment({ amount: 10, currency_code: "hkd", data: { session_id: "payses_01 OR 1=1" } })
    )
    expect(badId.type).toBe(MedusaError.Types.INVALID_DATA)
  })

  it("falls back to the context idempotency key (Medusa's session id) when the storefront sent no data", async () => {
    const { service } = makeService()
    const sessionId = newSessionId()
    const result = await service.initiatePayment({ amount: 5, currency_code: "hkd", context: { idempotency_key: sessionId } })
    expect((result.data as any).merchant_order_id).toBe(sessionId)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Direct API

describe("initiatePayment, direct mode", () => {
  it("creates a QR order with the default pay_type and returns a qr_code next action with its expiry", async () => {
    const { service } = directService()
    const before = Date.now()
    const { sessionId, data } = await initiate(service, 10.5)

    const [txn] = sim.state().transactions
    expect(txn).toMatchObject({
      out_trade_no: sessionId,
      pay_type: "800201",
      txamt: "1050",
      txcurrcd: "HKD",
      status: "open",
      respcd: "1143",
    })
    expect(data).toMatchObject({
      mode: "direct",
      merchant_order_id: sessionId,
      pay_type: "800201",
      gateway_reference: txn.syssn,
      amount_minor: "1050",
      status: "pending",
    })
    expect(data.next_action).toEqual({ type: "qr_code", content: `${sim.url}/sim/scan/${txn.syssn}`, expires_at: data.expires_at })
    const expiresAt = Date.parse(data.expires_at)
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 60_000 - 1000)
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1000)
  })

  it("uses the pay_type the storefront asks for when it is on the allow-list", async () => {
    const { service } = directService({ allowedPayTypes: ["800201", "800101", "801512"] })
    const { data } = await initiate(service, 10, "hkd", { pay_type: "800101" })
    expect(data.pay_type).toBe("800101")
    expect(sim.state().transactions[0].pay_type).toBe("800101")
    expect(data.next_action.type).toBe("qr_code")
  })

  it("a redirect pay_type (AlipayHK WAP) gives a redirect next action to the wallet page", async () => {
    const { service } = directService({ allowedPayTypes: ["800201", "801512"] })
    const { data } = await initiate(service, 10, "hkd", { pay_type: "801512" })
    expect(data.next_action).toEqual({ type: "redirect", url: `${sim.url}/sim/pay/${data.gateway_reference}` })
  })

  it("refuses a pay_type that is not on the allow-list, listing the allowed ones, and sends nothing", async () => {
    const { service } = directService({ allowedPayTypes: ["800201", "801512"] })
    const error = await rejection(initiate(service, 10, "hkd", { pay_type: "805801" }))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain("805801")
    expect(error.message).toContain("800201, 801512")
    const junk = await rejection(initiate(service, 10, "hkd", { pay_type: { evil: true } }))
    expect(junk.message).toContain("800201, 801512")
    expect(sim.state().transactions).toHaveLength(0)
  })

  it("refuses an HKD-only pay_type for USD; the default skips HKD-only codes", async () => {
    const { service } = directService({ allowedPayTypes: ["802001", "800201"] })
    const error = await rejection(initiate(service, 10, "usd", { pay_type: "802001" }))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toMatch(/802001.*only accepts HKD/)
    expect(sim.state().transactions).toHaveLength(0)

    const { data } = await initiate(service, 10, "usd")
    expect(data.pay_type).toBe("800201")
    expect(sim.state().transactions[0]).toMatchObject({ pay_type: "800201", txcurrcd: "USD" })
  })

  it("refuses when no allowed pay_type accepts the currency", async () => {
    const { service } = directService({ allowedPayTypes: ["802001"] })
    const error = await rejection(initiate(service, 10, "usd"))
    expect(error.message).toMatch(/none of the allowed pay types accepts USD/)
  })

  it("a signature rejection (1108) becomes a MedusaError pointing at the configuration", async () => {
    sim.setFault({ target: "/trade/v1/payment", mode: "respcd", respcd: "1108" })
    const { service } = directService()
    const error = await rejection(initiate(service, 10))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toMatch(/signature/i)
    expect(error.message).toContain("1108")
    expect(error.message).toMatch(/provider options/)
    expect(error.message).not.toContain(KEY)
  })

  it("a wrong client key is refused by the simulator with 1108", async () => {
    const { service } = directService({ clientKey: "not-the-right-key-000" })
    const error = await rejection(initiate(service, 10))
    expect(error.message).toContain("1108")
    expect(error.message).not.toContain("not-the-right-key-000")
  })

  it("when the create answer is lost after QFPay made the order, the order is found and closed; the error says nothing was taken", async () => {
    sim.setFault({ target: "/trade/v1/payment", mode: "drop_after" })
    const { service, lines } = directService()
    const sessionId = newSessionId()
    const error = await rejection(service.initiatePayment({ amount: 10, currency_code: "hkd", data: { session_id: sessionId } }))
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(error.message).toMatch(/No payment was taken/)
    const txns = sim.state().transactions.filter((t) => t.out_trade_no === sessionId)
    expect(txns).toHaveLength(1)
    expect(txns[0]).toMatchObject({ status: "closed", cancel: "2", respcd: "1264" })
    expect(lines.filter((l) => l.level === "warn").map((l) => l.message).join("\n")).not.toContain(KEY)
  })

  it("when the create never reached QFPay (dropped before processing), nothing exists at QFPay", async () => {
    sim.setFault({ target: "/trade/v1/payment", mode: "drop_before" })
    const { service } = directService()
    const error = await rejection(initiate(service, 10))
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(sim.state().transactions).toHaveLength(0)
  })
})
