/**
 * QfpayProviderService.authorizePayment / getPaymentStatus / retrievePayment against the real QFPay
 * simulator over loopback: how the records QFPay holds for our order are read (reference §7, §8, §18).
 */
import { MedusaError, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { QfpayProviderService, QfpaySessionData } from "../service"
import {
  CHECKOUT_OPTIONS,
  DIRECT_OVERRIDES,
  createQfpayService,
  followSimClock,
  initiateSession,
  submitAtCheckstand,
  uniqueId,
  useQfpaySimulator,
} from "./helpers"

const APP = "SVCSTATUSAPP"
const KEY = "svc-status-client-key-0002"

const sim = useQfpaySimulator({ appCode: APP, clientKey: KEY })

// ---------------------------------------------------------------------------------------------------------
// Helpers

const newSessionId = () => uniqueId("payses_01STAT")

function makeService(options: Record<string, unknown> = {}) {
  return createQfpayService(sim, { appCode: APP, clientKey: KEY }, { ...CHECKOUT_OPTIONS, ...options })
}

/** Moves the service's clock `aheadMs` ahead of the simulator's. */
function setClock(service: QfpayProviderService, aheadMs: number) {
  followSimClock(service, sim, aheadMs)
}

function directService(options: Record<string, unknown> = {}) {
  return makeService({ ...DIRECT_OVERRIDES, ...options })
}

async function initiate(service: QfpayProviderService, amount: unknown = 10.5, currency = "hkd", extra: Record<string, unknown> = {}) {
  const { sessionId, data } = await initiateSession(service, newSessionId(), amount, currency, extra)
  return { sessionId, data: data as QfpaySessionData }
}

/** Pays (or fails) on the simulator's hosted page, as its own script does. */
function submitAtPage(data: QfpaySessionData, outcome: "pay" | "fail" | "expire", payType?: string) {
  return submitAtCheckstand(sim, data, outcome, payType)
}

async function status(service: QfpayProviderService, data: unknown, via: "authorize" | "status" = "authorize") {
  const input = { data: data as Record<string, unknown> }
  const result = via === "authorize" ? await service.authorizePayment(input) : await service.getPaymentStatus(input)
  return { status: result.status, data: result.data as unknown as QfpaySessionData & Record<string, unknown> }
}

// ---------------------------------------------------------------------------------------------------------

describe("status of a hosted checkout payment", () => {
  it("is pending while the shopper has not paid (no record at QFPay yet)", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    for (const via of ["authorize", "status"] as const) {
      const result = await status(service, data, via)
      expect(result.status).toBe(PaymentSessionStatus.PENDING)
      expect(result.data).toEqual({ ...data, status: "pending" })
    }
  })

  it("with orderBeforePayment, authorize lets the order come first (pending_authorization) until paid; status stays pending", async () => {
    const { service } = makeService({ orderBeforePayment: true })
    const { data } = await initiate(service)
    expect(data.order_first).toBe(true)
    expect((await status(service, data, "authorize")).status).toBe(PaymentSessionStatus.PENDING_AUTHORIZATION)
    expect((await status(service, data, "status")).status).toBe(PaymentSessionStatus.PENDING)
    await submitAtPage(data, "pay", "801512")
    expect((await status(service, data, "authorize")).status).toBe(PaymentSessionStatus.CAPTURED)
    // A failed payment that cannot be retried is no order-first order: authorize answers error, the cart stays a cart.
    const { service: direct } = directService({ orderBeforePayment: true })
    const failed = await initiate(direct)
    sim.completeTransaction(failed.data.gateway_reference!, "fail")
    expect((await status(direct, failed.data, "authorize")).status).toBe(PaymentSessionStatus.ERROR)
  })

  it("is captured once paid, with the payment's syssn as gateway reference", async () => {
    const { service, lines } = makeService()
    const { data } = await initiate(service)
    const paid = await submitAtPage(data, "pay", "801512")
    expect(paid.syssn).toBeDefined()

    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(result.data).toMatchObject({
      status: "paid",
      gateway_reference: paid.syssn,
      pay_type: "801512",
      next_action: { type: "none" },
      duplicate_references: [],
      last_error: null,
    })
    expect(lines.filter((l) => l.level === "error")).toEqual([])

    // Paid data is final: no further query is needed (or made) to report it.
    sim.setFault({ target: "/trade/v1/query", mode: "http500", times: -1 })
    const again = await status(service, result.data, "status")
    expect(again.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(again.data).toEqual(result.data)
  })

  it("paid twice on the page (two tabs): keeps the earliest syssn and lists the later one to refund", async () => {
    const { service, lines } = makeService()
    const { data } = await initiate(service)
    const first = await submitAtPage(data, "pay")
    const second = await submitAtPage(data, "pay", "801512")
    expect(first.syssn! < second.syssn!).toBe(true)

    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(result.data.gateway_reference).toBe(first.syssn)
    expect(result.data.pay_type).toBe("800201")
    expect(result.data.duplicate_references).toEqual([second.syssn])
    const errors = lines.filter((l) => l.level === "error").map((l) => l.message)
    expect(errors.join("\n")).toContain(second.syssn!)
  })

  it("a failed attempt followed by a success is captured", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    await submitAtPage(data, "fail")
    const paid = await submitAtPage(data, "pay")
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(result.data.gateway_reference).toBe(paid.syssn)
    expect(result.data.duplicate_references).toEqual([])
  })

  it("a payment whose amount differs from the session is never treated as paid (mismatch)", async () => {
    const { service, lines } = makeService()
    const { data } = await initiate(service)
    await submitAtPage(data, "pay")
    const tampered = { ...data, amount_minor: "999" }

    const result = await status(service, tampered)
    expect(result.status).toBe(PaymentSessionStatus.ERROR)
    expect(result.data.status).toBe("mismatch")
    expect(result.data.gateway_reference).toBeNull()
    expect(result.data.last_error).toMatch(/different amount or currency/)
    expect(lines.some((l) => l.level === "error" && /1050 HKD/.test(l.message) && /999 HKD/.test(l.message))).toBe(true)
  })

  it("a currency that differs from the session is a mismatch too", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    await submitAtPage(data, "pay")
    const result = await status(service, { ...data, currency: "USD" })
    expect(result.status).toBe(PaymentSessionStatus.ERROR)
    expect(result.data.status).toBe("mismatch")
  })

  it("a failed attempt before the page expires stays pending (the shopper may try another method)", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    await submitAtPage(data, "fail")
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.PENDING)
    expect(result.data.status).toBe("pending")
    expect(result.data.last_error).toBe("a payment attempt failed")
    // The storefront can still send the shopper back to the page.
    expect(result.data.next_action.type).toBe("redirect")
  })

  it("a failed attempt after the page expired is an error (failed)", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    await submitAtPage(data, "fail")
    setClock(service, 40 * 60_000)
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.ERROR)
    expect(result.data.status).toBe("failed")
    expect(result.data.next_action).toEqual({ type: "none" })
  })

  it("no record at all, past the page expiry and the grace period, is canceled (expired)", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    // Still inside the 5-minute grace period after the 30-minute page: pending.
    setClock(service, 32 * 60_000)
    expect((await status(service, data)).status).toBe(PaymentSessionStatus.PENDING)
    setClock(service, 40 * 60_000)
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CANCELED)
    expect(result.data.status).toBe("expired")
    expect(result.data.next_action).toEqual({ type: "none" })
  })

  it("the page refuses payment once expired, and the session then reads as expired", async () => {
    const { service } = makeService({ pageExpiryMinutes: 1, expiryGraceMinutes: 0 })
    const { data } = await initiate(service)
    sim.advanceTime(2 * 60_000)
    const submitted = await submitAtPage(data, "pay")
    expect(submitted.expired).toBe(true)
    expect(sim.state().transactions).toHaveLength(0)
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CANCELED)
    expect(result.data.status).toBe("expired")
  })
})

describe("status of a direct-mode order", () => {
  it("is pending while open, captured once the shopper pays", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    expect((await status(service, data)).status).toBe(PaymentSessionStatus.PENDING)

    sim.completeTransaction(data.gateway_reference!, "pay")
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(result.data).toMatchObject({ status: "paid", gateway_reference: data.gateway_reference, next_action: { type: "none" } })
  })

  it("a failed wallet payment is an error (failed) at once: a direct order cannot be retried", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    sim.completeTransaction(data.gateway_reference!, "fail")
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.ERROR)
    expect(result.data.status).toBe("failed")
  })

  it("an order that expired at QFPay (1181) is canceled (expired)", async () => {
    const { service } = directService({ qrExpiryMinutes: 5 })
    const { data } = await initiate(service)
    sim.advanceTime(6 * 60_000)
    expect(sim.state().transactions[0].respcd).toBe("1181")
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CANCELED)
    expect(result.data.status).toBe("expired")
    expect(result.data.last_error).toMatch(/expired/)
  })

  it("an open record past our expiry plus grace is treated as expired", async () => {
    const { service } = directService({ qrExpiryMinutes: 120 })
    const { data } = await initiate(service, 10, "hkd")
    // QFPay still shows the order open (1143), but our own deadline (+ grace) has passed.
    setClock(service, 126 * 60_000)
    expect(sim.state().transactions[0].respcd).toBe("1143")
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CANCELED)
    expect(result.data.status).toBe("expired")
  })

  it("an order closed at QFPay is canceled", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    await service.cancelPayment({ data: data as unknown as Record<string, unknown> })
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CANCELED)
    expect(result.data.status).toBe("canceled")
  })
})

describe("status with data that is not ours, and when QFPay cannot be asked", () => {
  it.each([
    ["empty data", {}],
    ["the storefront's raw input", { session_id: "payses_01ABC", pay_type: "800201" }],
    ["another provider's data", { id: "pi_123", client_secret: "x" }],
    ["QFPay-tagged but incomplete", { gateway: "qfpay", session_id: "payses_01ABC" }],
    ["a non-integer amount", { gateway: "qfpay", session_id: "payses_01ABC", merchant_order_id: "payses_01ABC", amount_minor: "10.5", currency: "HKD", txdtm: "x", expires_at: "x" }],
  ])("%s gives status error, never throws, and calls nobody", async (_name, junk) => {
    sim.setFault({ target: "/trade/v1/query", mode: "http500", times: -1 })
    const { service } = makeService()
    for (const via of ["authorize", "status"] as const) {
      const result = await status(service, junk, via)
      expect(result.status).toBe(PaymentSessionStatus.ERROR)
      expect(result.data).toEqual({ ...junk, last_error: "not a QFPay payment session" })
    }
    expect(sim.state().faults[0].times).toBe(-1)
  })

  it("undefined data gives status error without throwing", async () => {
    const { service } = makeService()
    const result = await service.getPaymentStatus({})
    expect(result.status).toBe(PaymentSessionStatus.ERROR)
  })

  it("a query that keeps failing (HTTP 500) throws a clear MedusaError after one retry", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    sim.setFault({ target: "/trade/v1/query", mode: "http500", times: -1 })
    let caught: unknown
    try {
      await service.authorizePayment({ data: data as unknown as Record<string, unknown> })
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(MedusaError)
    const error = caught as MedusaError
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(error.message).toMatch(/^QFPay: could not check the payment/)
    expect(error.message).toMatch(/HTTP 500/)
    expect(error.message).toMatch(/try again later/)
    expect(error.message).not.toContain(KEY)
  })

  it("a single lost query answer is retried (a read is safe to repeat)", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    await submitAtPage(data, "pay")
    sim.setFault({ target: "/trade/v1/query", mode: "drop_after" })
    const result = await status(service, data)
    expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
  })

  it("an unreadable query answer throws, it is not read as 'no records'", async () => {
    const { service } = makeService()
    const { data } = await initiate(service)
    sim.setFault({ target: "/trade/v1/query", mode: "malformed" })
    await expect(service.getPaymentStatus({ data: data as unknown as Record<string, unknown> })).rejects.toThrow(MedusaError)
  })

  it("retrievePayment returns the evaluated data, and the stored data unchanged when QFPay is unreachable", async () => {
    const { service, lines } = makeService()
    const { data } = await initiate(service)
    const paid = await submitAtPage(data, "pay")
    const retrieved = await service.retrievePayment({ data: data as unknown as Record<string, unknown> })
    expect(retrieved.data).toMatchObject({ status: "paid", gateway_reference: paid.syssn })

    sim.setFault({ target: "/trade/v1/query", mode: "http500", times: -1 })
    const fallback = await service.retrievePayment({ data: data as unknown as Record<string, unknown> })
    expect(fallback.data).toEqual(data)
    expect(lines.some((l) => l.level === "warn" && /retrieve/.test(l.message))).toBe(true)

    expect((await service.retrievePayment({ data: { session_id: "payses_01X" } })).data).toEqual({ session_id: "payses_01X" })
  })
})
