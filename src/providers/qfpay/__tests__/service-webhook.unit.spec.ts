/**
 * QfpayProviderService.getWebhookActionAndData with the exact notifications the QFPay simulator sends
 * (Python json.dumps bodies, X-QF-SIGN = upper(md5(body + key))), checked against a payment session read
 * through a fake paymentSessionService (reference §12).
 */
import http from "node:http"
import type { AddressInfo } from "node:net"
import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { md5Hex } from "../../../lib/signing"
import type { StoredSession } from "../../../lib/webhook"
import type { NotificationAttempt } from "../../../../sandbox/qfpay/server"
import type { QfpayProviderService } from "../service"
import {
  CHECKOUT_OPTIONS,
  createQfpayService,
  initiateSession,
  submitAtCheckstand,
  uniqueId,
  useQfpaySimulator,
  type Data,
} from "./helpers"

const APP = "SVCHOOKAPP"
const KEY = "svc-hook-client-key-0005"

const sim = useQfpaySimulator({ appCode: APP, clientKey: KEY })
let receiver: http.Server
let notifyUrl: string
/** What the merchant's endpoint received: the exact bytes and headers. */
let received: Array<{ headers: http.IncomingHttpHeaders; body: Buffer }> = []

beforeAll(async () => {
  // The merchant's webhook endpoint: acknowledges everything, so each notification is sent (and recorded) once.
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) })
      res.writeHead(200, { "Content-Type": "text/plain" })
      res.end("SUCCESS")
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/payment/qfpay_qfpay`
})

afterAll(async () => {
  await new Promise<void>((resolve) => receiver?.close(() => resolve()))
})

beforeEach(() => {
  received = []
})

// ---------------------------------------------------------------------------------------------------------
// Helpers

const newSessionId = () => uniqueId("payses_01HOOK")

/** Sessions the fake paymentSessionService knows; retrieve() throws for anything else, as Medusa's does. */
let sessions: Map<string, StoredSession>
let retrieveCalls: string[]

beforeEach(() => {
  sessions = new Map()
  retrieveCalls = []
})

const fakeSessionService = {
  retrieve: async (id: string) => {
    retrieveCalls.push(id)
    const session = sessions.get(id)
    if (!session) throw new Error(`PaymentSession with id: ${id} was not found`)
    return session
  },
}

function makeService(cradleOverride?: Record<string, unknown>) {
  return createQfpayService(
    sim,
    { appCode: APP, clientKey: KEY },
    { ...CHECKOUT_OPTIONS, notifyUrl },
    cradleOverride ?? { paymentSessionService: fakeSessionService }
  )
}

function initiate(service: QfpayProviderService, amount: unknown, currency = "hkd") {
  return initiateSession(service, newSessionId(), amount, currency)
}

function storeSession(sessionId: string, amount: unknown, currency: string, data: Data, extra: Partial<StoredSession> = {}) {
  sessions.set(sessionId, {
    id: sessionId,
    provider_id: "pp_qfpay_qfpay",
    amount,
    currency_code: currency,
    status: PaymentSessionStatus.PENDING,
    data: data as Record<string, unknown>,
    ...extra,
  })
}

async function payAtPage(data: Data, payType?: string): Promise<string> {
  return (await submitAtCheckstand(sim, data, "pay", payType)).syssn as string
}

async function notificationFor(syssn: string, type: "payment" | "refund" = "payment"): Promise<NotificationAttempt> {
  const deadline = Date.now() + 3000
  for (;;) {
    const found = sim.state().notifications.find((n) => n.syssn === syssn && n.notify_type === type)
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no ${type} notification for ${syssn}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

async function requestFor(syssn: string) {
  const deadline = Date.now() + 3000
  for (;;) {
    const found = received.find((r) => r.body.toString("utf8").includes(`"syssn": "${syssn}"`))
    if (found) return found
    if (Date.now() > deadline) throw new Error(`the endpoint received nothing for ${syssn}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const signatureOf = (body: string) => md5Hex(body + KEY).toUpperCase()

function payloadOf(body: string, sign = signatureOf(body), rawData: unknown = Buffer.from(body, "utf8")) {
  return {
    data: JSON.parse(body) as Record<string, unknown>,
    rawData: rawData as Buffer,
    headers: { "content-type": "application/json", "x-qf-sign": sign } as Record<string, unknown>,
  }
}

/** A paid hosted checkout session of 10.50 HKD, its stored session and the notification QFPay sent. */
async function paidCheckout(service: QfpayProviderService, amount = 10.5) {
  const { sessionId, data } = await initiate(service, amount)
  storeSession(sessionId, amount, "hkd", data)
  const syssn = await payAtPage(data)
  const notification = await notificationFor(syssn)
  return { sessionId, data, syssn, notification }
}

// ---------------------------------------------------------------------------------------------------------

describe("getWebhookActionAndData", () => {
  it("a verified payment notification matching the session is reported captured with the major-unit amount", async () => {
    const { service, lines } = makeService()
    const { sessionId, notification } = await paidCheckout(service)
    expect(notification.acknowledged).toBe(true)
    // Python json.dumps formatting (", " and ": "), which a re-serialisation would not reproduce.
    expect(notification.body).toContain('", "')

    const result = await service.getWebhookActionAndData(payloadOf(notification.body))
    expect(result).toEqual({ action: PaymentActions.SUCCESSFUL, data: { session_id: sessionId, amount: "10.50" } })
    expect(result.action).toBe("captured")
    expect(retrieveCalls).toEqual([sessionId])
    expect(lines.filter((l) => l.level === "warn" || l.level === "error")).toEqual([])
  })

  it("accepts the raw body as a string, as a JSON-serialised Buffer, with any header case and a lower-case signature", async () => {
    const { service } = makeService()
    const { sessionId, notification } = await paidCheckout(service)
    const body = notification.body
    const expected = { action: "captured", data: { session_id: sessionId, amount: "10.50" } }

    expect(await service.getWebhookActionAndData(payloadOf(body, signatureOf(body), body))).toEqual(expected)
    const serialised = JSON.parse(JSON.stringify(Buffer.from(body, "utf8")))
    expect(serialised.type).toBe("Buffer")
    expect(await service.getWebhookActionAndData(payloadOf(body, signatureOf(body), serialised))).toEqual(expected)
    const upperHeader = { ...payloadOf(body), headers: { "X-QF-SIGN": signatureOf(body).toLowerCase() } }
    expect(await service.getWebhookActionAndData(upperHeader)).toEqual(expected)
  })

  it("a session amount given as { value, precision } is compared exactly", async () => {
    const { service } = makeService()
    const { sessionId, data, notification } = await paidCheckout(service)
    storeSession(sessionId, { value: "10.5", precision: 20 }, "HKD", data)
    const result = await service.getWebhookActionAndData(payloadOf(notification.body))
    expect(result).toEqual({ action: "captured", data: { session_id: sessionId, amount: "10.50" } })
  })

  it("an unrounded session amount (tax and a promotion) is compared as charged: 56.22375 HKD is txamt 5622", async () => {
    const { service } = makeService()
    const raw = { value: "56.22375", precision: 20 }
    const { sessionId, data } = await initiate(service, raw)
    storeSession(sessionId, raw, "hkd", data)
    const notification = await notificationFor(await payAtPage(data))
    expect(await service.getWebhookActionAndData(payloadOf(notification.body))).toEqual({
      action: "captured",
      data: { session_id: sessionId, amount: "56.22" },
    })
    // The same notification against a session whose amount rounds to another cent is not a payment.
    storeSession(sessionId, { value: "56.225", precision: 20 }, "hkd", data)
    expect(await service.getWebhookActionAndData(payloadOf(notification.body))).toEqual({ action: "not_supported" })
  })

  it("a JPY payment reports whole yen", async () => {
    const { service } = makeService()
    const { sessionId, data } = await initiate(service, 1000, "jpy")
    storeSession(sessionId, 1000, "jpy", data)
    const notification = await notificationFor(await payAtPage(data))
    expect(await service.getWebhookActionAndData(payloadOf(notification.body))).toEqual({
      action: "captured",
      data: { session_id: sessionId, amount: "1000" },
    })
  })

  it("a refund notification is not_supported (refunds are recorded by refundPayment)", async () => {
    const { service } = makeService()
    const { data } = await paidCheckout(service)
    const paid = (await service.authorizePayment({ data: data as Record<string, unknown> })).data as Data
    const refunded = (await service.refundPayment({ data: paid, amount: 2, context: { idempotency_key: "ref_01HOOKREFUND" } })).data as Data
    const refund = await notificationFor(refunded.refunds[0].gateway_reference!, "refund")
    expect(JSON.parse(refund.body)).toMatchObject({ notify_type: "refund", respcd: "0000" })

    retrieveCalls = []
    const result = await service.getWebhookActionAndData(payloadOf(refund.body))
    expect(result).toEqual({ action: PaymentActions.NOT_SUPPORTED })
    expect(retrieveCalls).toEqual([])
    // What the ledger gets from it: the refund's own ids, so one made from Medusa is recognised as ours.
    const reading = service.readWebhook(payloadOf(refund.body))
    expect(reading).toMatchObject({
      ok: true,
      event: { kind: "refunded", merchantOrderId: paid.merchant_order_id, gatewayReference: paid.gateway_reference, refundReference: refunded.refunds[0].gateway_reference, refundMerchantId: "ref_01HOOKREFUND", amountMinor: 200n, currency: "HKD" },
    })
  })

  it.each([
    ["a different amount", 11, "hkd"],
    ["a different currency", 10.5, "usd"],
  ])("a session with %s is not_supported, with an error logged", async (_name, amount, currency) => {
    const { service, lines } = makeService()
    const { sessionId, data, notification } = await paidCheckout(service)
    storeSession(sessionId, amount, currency, data)
    const result = await service.getWebhookActionAndData(payloadOf(notification.body))
    expect(result).toEqual({ action: "not_supported" })
    expect(lines.some((l) => l.level === "error" && l.message.includes(sessionId))).toBe(true)
  })

  it("an unknown session (retrieve throws) is not_supported", async () => {
    const { service, lines } = makeService()
    const { sessionId, notification } = await paidCheckout(service)
    sessions.delete(sessionId)
    const result = await service.getWebhookActionAndData(payloadOf(notification.body))
    expect(result).toEqual({ action: "not_supported" })
    expect(retrieveCalls).toEqual([sessionId])
    expect(lines.some((l) => l.level === "warn" && /no payment session/.test(l.message))).toBe(true)
  })

  it("a session of another provider is not_supported", async () => {
    const { service } = makeService()
    const { sessionId, data, notification } = await paidCheckout(service)
    storeSession(sessionId, 10.5, "hkd", data, { provider_id: "pp_stripe_stripe" })
    expect(await service.getWebhookActionAndData(payloadOf(notification.body))).toEqual({ action: "not_supported" })
  })

  it("a payment for a superseded attempt (the session moved on to `-2`) is not_supported, with an error to refund", async () => {
    const { service, lines } = makeService()
    const { sessionId, data } = await initiate(service, 10.5)
    const attempt2 = (await service.updatePayment({ data, amount: 12, currency_code: "hkd" })).data as Data
    expect(attempt2.merchant_order_id).toBe(`${sessionId}-2`)
    storeSession(sessionId, 12, "hkd", attempt2)

    // The shopper pays the old page (attempt 1) anyway.
    const syssn = await payAtPage(data)
    const old = await notificationFor(syssn)
    expect(JSON.parse(old.body).out_trade_no).toBe(sessionId)
    expect(await service.getWebhookActionAndData(payloadOf(old.body))).toEqual({ action: "not_supported" })
    expect(lines.some((l) => l.level === "error" && l.message.includes(syssn) && /refund/.test(l.message))).toBe(true)

    // Attempt 2 paid: captured with the new amount.
    const paid2 = await notificationFor(await payAtPage(attempt2))
    expect(await service.getWebhookActionAndData(payloadOf(paid2.body))).toEqual({
      action: "captured",
      data: { session_id: sessionId, amount: "12.00" },
    })
  })

  it("a bad or missing signature is not_supported, and the session is never read", async () => {
    const { service, lines } = makeService()
    const { notification } = await paidCheckout(service)
    const body = notification.body
    retrieveCalls = []

    expect(await service.getWebhookActionAndData(payloadOf(body, "0".repeat(32)))).toEqual({ action: "not_supported" })
    expect(await service.getWebhookActionAndData(payloadOf(body, md5Hex(body + "wrong-key").toUpperCase()))).toEqual({
      action: "not_supported",
    })
    expect(await service.getWebhookActionAndData({ ...payloadOf(body), headers: {} })).toEqual({ action: "not_supported" })
    // Same signature, body edited (amount raised): refused.
    const edited = body.replace(/"txamt": "1050"/, '"txamt": "9999"')
    expect(edited).not.toBe(body)
    expect(await service.getWebhookActionAndData(payloadOf(edited, signatureOf(body)))).toEqual({ action: "not_supported" })
    // Re-serialised JSON (not the bytes QFPay signed) does not verify either.
    const reserialised = JSON.stringify(JSON.parse(body))
    expect(await service.getWebhookActionAndData(payloadOf(reserialised, signatureOf(body)))).toEqual({ action: "not_supported" })

    expect(retrieveCalls).toEqual([])
    expect(lines.filter((l) => l.level === "warn").length).toBeGreaterThanOrEqual(5)
  })

  it("the request exactly as the merchant endpoint received it (bytes and headers) is captured", async () => {
    const { service } = makeService()
    const { sessionId, syssn } = await paidCheckout(service)
    const request = await requestFor(syssn)
    const result = await service.getWebhookActionAndData({ data: {}, rawData: request.body, headers: request.headers })
    expect(result).toEqual({ action: "captured", data: { session_id: sessionId, amount: "10.50" } })
  })

  it("a notification the simulator sends with a wrong X-QF-SIGN (notify fault) is not_supported", async () => {
    sim.setFault({ target: "notify", mode: "malformed" })
    const { service } = makeService()
    const { sessionId, data } = await initiate(service, 10.5)
    storeSession(sessionId, 10.5, "hkd", data)
    const syssn = await payAtPage(data)
    const request = await requestFor(syssn)
    retrieveCalls = []
    const result = await service.getWebhookActionAndData({ data: {}, rawData: request.body, headers: request.headers })
    expect(result).toEqual({ action: "not_supported" })
    expect(retrieveCalls).toEqual([])
  })

  it.each([
    ["an empty body", ""],
    ["a body that is not JSON", "status=1&respcd=0000"],
    ["a JSON array", "[1,2]"],
  ])("%s, even correctly signed, is not_supported", async (_name, body) => {
    const { service } = makeService()
    const result = await service.getWebhookActionAndData(payloadOf("{}", signatureOf(body), body))
    expect(result).toEqual({ action: "not_supported" })
  })

  it("a signed notification for an order id that is not ours, or not a success, is not_supported", async () => {
    const { service } = makeService()
    const { notification } = await paidCheckout(service)
    const fields = JSON.parse(notification.body) as Record<string, string>
    const resign = (changes: Record<string, string>) => {
      const body = JSON.stringify({ ...fields, ...changes }).replace(/","/g, '", "').replace(/":"/g, '": "')
      return payloadOf(body)
    }
    retrieveCalls = []
    expect(await service.getWebhookActionAndData(resign({ out_trade_no: "ORDER-1001" }))).toEqual({ action: "not_supported" })
    expect(await service.getWebhookActionAndData(resign({ respcd: "1205" }))).toEqual({ action: "not_supported" })
    expect(await service.getWebhookActionAndData(resign({ status: "0" }))).toEqual({ action: "not_supported" })
    expect(retrieveCalls).toEqual([])
  })

  it("a cradle whose paymentSessionService cannot be resolved gives not_supported and never throws", async () => {
    const cradle: Record<string, unknown> = {}
    Object.defineProperty(cradle, "paymentSessionService", {
      enumerable: true,
      get() {
        throw new Error("AwilixResolutionError: Could not resolve 'paymentSessionService'")
      },
    })
    const { service, lines } = makeService(cradle)
    const { notification } = await paidCheckout(makeService().service)
    const result = await service.getWebhookActionAndData(payloadOf(notification.body))
    expect(result).toEqual({ action: "not_supported" })
    expect(lines.some((l) => l.level === "warn" && /no payment session/.test(l.message))).toBe(true)

    // A service whose retrieve is missing altogether behaves the same.
    const { service: noRetrieve } = makeService({ paymentSessionService: {} })
    expect(await noRetrieve.getWebhookActionAndData(payloadOf(notification.body))).toEqual({ action: "not_supported" })
  })

  it("a session service that returns garbage (no amount) gives not_supported and never throws", async () => {
    const { service, lines } = makeService()
    const { sessionId, data, notification } = await paidCheckout(service)
    storeSession(sessionId, undefined, "hkd", data)
    expect(await service.getWebhookActionAndData(payloadOf(notification.body))).toEqual({ action: "not_supported" })
    storeSession(sessionId, 10.5, undefined as unknown as string, data)
    expect(await service.getWebhookActionAndData(payloadOf(notification.body))).toEqual({ action: "not_supported" })
    expect(lines.some((l) => /unreadable amount/.test(l.message))).toBe(true)
  })

  it("payload garbage never throws", async () => {
    const { service } = makeService()
    for (const payload of [undefined, null, {}, { rawData: 42, headers: "x" }, { rawData: { type: "Buffer", data: "nope" } }]) {
      expect(await service.getWebhookActionAndData(payload as any)).toEqual({ action: "not_supported" })
    }
  })
})
