/**
 * QfpayProviderService.cancelPayment / deletePayment / updatePayment / capturePayment against the real
 * QFPay simulator over loopback (reference §9: close or reverse unpaid orders per pay_type).
 */
import http from "node:http"
import type { AddressInfo } from "node:net"
import { MedusaError, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { QfpayProviderService } from "../service"
import {
  CHECKOUT_OPTIONS,
  DIRECT_OVERRIDES,
  asInput,
  checkstandParams,
  createQfpayService,
  initiateSession,
  openCheckstand,
  paidDirectPayment,
  rejection,
  uniqueId,
  useQfpaySimulator,
  type Data,
} from "./helpers"

const APP = "SVCCANCELAPP"
const KEY = "svc-cancel-client-key-0003"

const sim = useQfpaySimulator({ appCode: APP, clientKey: KEY })

// ---------------------------------------------------------------------------------------------------------
// Helpers

const newSessionId = () => uniqueId("payses_01CANC")

function makeService(options: Record<string, unknown> = {}) {
  return createQfpayService(sim, { appCode: APP, clientKey: KEY }, { ...CHECKOUT_OPTIONS, ...options })
}

function directService(options: Record<string, unknown> = {}) {
  return makeService({
    ...DIRECT_OVERRIDES,
    allowedPayTypes: ["800201", "802001", "800101", "801512"],
    ...options,
  })
}

async function initiate(service: QfpayProviderService, amount: unknown = 10.5, extra: Record<string, unknown> = {}) {
  const { sessionId, data } = await initiateSession(service, newSessionId(), amount, "hkd", extra)
  return { sessionId, data }
}

const txn = (syssn: string | null) => sim.state().transactions.find((t) => t.syssn === syssn)

const paidData = (service: QfpayProviderService) => paidDirectPayment(sim, service, newSessionId())

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

// ---------------------------------------------------------------------------------------------------------

describe("cancelPayment", () => {
  it("closes an open WeChat QR order at QFPay and reports it canceled; a second cancel is tolerated", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    expect(txn(data.gateway_reference)).toMatchObject({ status: "open", respcd: "1143", cancel: "0" })

    const result = await service.cancelPayment(asInput(data))
    expect(txn(data.gateway_reference)).toMatchObject({ status: "closed", respcd: "1264", cancel: "2" })
    expect(result.data).toEqual({ ...data, status: "canceled", next_action: { type: "none" } })

    // Medusa may cancel again (retry, or after a crash): QFPay answers "already closed", that is fine.
    const again = await service.cancelPayment(asInput(data))
    expect(again.data).toMatchObject({ status: "canceled" })
    const thrice = await service.cancelPayment(asInput(again.data))
    expect(thrice.data).toMatchObject({ status: "canceled" })
    expect(txn(data.gateway_reference)).toMatchObject({ status: "closed" })

    // The wallet can no longer pay it.
    expect(() => sim.completeTransaction(data.gateway_reference!, "pay")).toThrow(/not open/)
  })

  it("reverses an open Alipay QR order (pay_type whose cancel is a reversal)", async () => {
    const { service } = directService()
    const { data } = await initiate(service, 10, { pay_type: "800101" })
    const result = await service.cancelPayment(asInput(data))
    expect(txn(data.gateway_reference)).toMatchObject({ status: "reversed", cancel: "1", respcd: "1263" })
    expect(result.data).toMatchObject({ status: "canceled" })
  })

  it("leaves a paid payment untouched (it is refunded instead)", async () => {
    const { service } = directService()
    const paid = await paidData(service)
    const result = await service.cancelPayment(asInput(paid))
    expect(result.data).toEqual(paid)
    expect(txn(paid.gateway_reference)).toMatchObject({ status: "paid", cancel: "0" })
  })

  it("when the shopper paid just before the cancel, QFPay refuses the close (1260) and the payment reads as paid", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    sim.completeTransaction(data.gateway_reference!, "pay")
    // Our data still says pending.
    const result = await service.cancelPayment(asInput(data))
    expect(result.data).toMatchObject({ status: "paid", gateway_reference: data.gateway_reference })
    expect(txn(data.gateway_reference)).toMatchObject({ status: "paid" })
  })

  it("skips the gateway for a pay_type without close or reversal (FPS) and still returns canceled data", async () => {
    const { service } = directService()
    const { data } = await initiate(service, 10, { pay_type: "802001" })
    const result = await service.cancelPayment(asInput(data))
    expect(result.data).toEqual({ ...data, status: "canceled", next_action: { type: "none" } })
    // Nothing was sent: the order simply expires at QFPay.
    expect(txn(data.gateway_reference)).toMatchObject({ status: "open" })
  })

  it("a hosted checkout payment has no order to close: canceled without a gateway call", async () => {
    sim.setFault({ target: "/trade/v1/close", mode: "http500", times: -1 })
    sim.setFault({ target: "/trade/v1/reversal", mode: "http500", times: -1 })
    const { service } = makeService()
    const { data } = await initiate(service)
    const result = await service.cancelPayment(asInput(data))
    expect(result.data).toMatchObject({ status: "canceled", next_action: { type: "none" } })
    expect(sim.state().faults.every((f) => f.times === -1)).toBe(true)
  })

  it("data that is not ours is returned as it is", async () => {
    const { service } = makeService()
    expect((await service.cancelPayment({ data: { session_id: "payses_01ABC" } })).data).toEqual({ session_id: "payses_01ABC" })
    expect((await service.cancelPayment({})).data).toEqual({})
  })

  it("a close QFPay keeps failing does not throw; the order is reported canceled and left to expire", async () => {
    sim.setFault({ target: "/trade/v1/close", mode: "http500", times: -1 })
    const { service, lines } = directService()
    const { data } = await initiate(service)
    const result = await service.cancelPayment(asInput(data))
    expect(result.data).toMatchObject({ status: "canceled" })
    expect(lines.some((l) => l.level === "warn" && /could not close order/.test(l.message))).toBe(true)
  })
})

describe("deletePayment", () => {
  it("with the storefront's raw data is a no-op that never throws", async () => {
    sim.setFault({ target: "/trade/v1/close", mode: "http500", times: -1 })
    const { service } = directService()
    const raw = { session_id: "payses_01ABCDEF", pay_type: "800201" }
    expect((await service.deletePayment({ data: raw })).data).toEqual(raw)
    expect((await service.deletePayment({})).data).toEqual({})
    expect((await service.deletePayment({ data: { gateway: "qfpay" } })).data).toEqual({ gateway: "qfpay" })
    expect(sim.state().faults[0].times).toBe(-1)
  })

  it("closes an open direct order", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    const result = await service.deletePayment(asInput(data))
    expect(result.data).toEqual(data)
    expect(txn(data.gateway_reference)).toMatchObject({ status: "closed", cancel: "2" })
  })

  it("does not throw when QFPay drops every close", async () => {
    sim.setFault({ target: "/trade/v1/close", mode: "drop_before", times: -1 })
    const { service, lines } = directService()
    const { data } = await initiate(service)
    const result = await service.deletePayment(asInput(data))
    expect(result.data).toEqual(data)
    expect(txn(data.gateway_reference)).toMatchObject({ status: "open" })
    expect(lines.some((l) => l.level === "warn" && /expires unpaid/.test(l.message))).toBe(true)
  })

  it("does not throw when QFPay cannot be reached at all", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    const { service: offline, lines } = directService({ baseUrl: `http://127.0.0.1:${await closedPort()}` })
    const result = await offline.deletePayment(asInput(data))
    expect(result.data).toEqual(data)
    expect(lines.some((l) => l.level === "warn" && /could not close order/.test(l.message))).toBe(true)
    // Cancel behaves the same way.
    expect((await offline.cancelPayment(asInput(data))).data).toMatchObject({ status: "canceled" })
  })

  it("logs an error to refund when the order turns out to be paid", async () => {
    const { service, lines } = directService()
    const { data } = await initiate(service)
    sim.completeTransaction(data.gateway_reference!, "pay")
    const result = await service.deletePayment(asInput(data))
    expect(result.data).toEqual(data)
    const errors = lines.filter((l) => l.level === "error").map((l) => l.message)
    expect(errors.join("\n")).toMatch(new RegExp(`${data.gateway_reference}.*refund`))
  })

  it("leaves a paid payment alone", async () => {
    sim.setFault({ target: "/trade/v1/close", mode: "http500", times: -1 })
    const { service } = directService()
    const paid = await paidData(service)
    expect((await service.deletePayment(asInput(paid))).data).toEqual(paid)
    expect(sim.state().faults[0].times).toBe(-1)
  })
})

describe("updatePayment", () => {
  it("with the same amount and currency returns the data unchanged and calls nobody", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    sim.setFault({ target: "/trade/v1/payment", mode: "http500", times: -1 })
    const result = await service.updatePayment({ ...asInput(data), amount: { value: "10.50", precision: 20 }, currency_code: "HKD" })
    expect(result.data).toEqual(data)
    expect(sim.state().transactions).toHaveLength(1)
  })

  it("with a new amount (direct) closes the old order and starts attempt 2 under `<session>-2`", async () => {
    const { service } = directService()
    const { sessionId, data } = await initiate(service)
    const result = await service.updatePayment({ ...asInput(data), amount: 12, currency_code: "hkd" })
    const next = result.data as Data

    expect(result.status).toBe(PaymentSessionStatus.PENDING)
    expect(next).toMatchObject({
      session_id: sessionId,
      attempt: 2,
      merchant_order_id: `${sessionId}-2`,
      amount_minor: "1200",
      currency: "HKD",
      pay_type: "800201",
      status: "pending",
    })
    expect(next.gateway_reference).not.toBe(data.gateway_reference)
    expect(txn(data.gateway_reference)).toMatchObject({ status: "closed", cancel: "2" })
    expect(txn(next.gateway_reference)).toMatchObject({ out_trade_no: `${sessionId}-2`, txamt: "1200", status: "open" })
    expect(next.next_action).toMatchObject({ type: "qr_code", content: `${sim.url}/sim/scan/${next.gateway_reference}` })

    // A third amount gives attempt 3 and closes attempt 2.
    const third = (await service.updatePayment({ data: next, amount: 13, currency_code: "hkd" })).data as Data
    expect(third).toMatchObject({ attempt: 3, merchant_order_id: `${sessionId}-3` })
    expect(txn(next.gateway_reference)).toMatchObject({ status: "closed" })
  })

  it("keeps the pay_type of the current attempt", async () => {
    const { service } = directService()
    const { data } = await initiate(service, 10, { pay_type: "801512" })
    const next = (await service.updatePayment({ ...asInput(data), amount: 11, currency_code: "hkd" })).data as Data
    expect(next.pay_type).toBe("801512")
    expect(next.next_action.type).toBe("redirect")
  })

  it("with a new amount (hosted checkout) signs a new URL for attempt 2 that the page opens", async () => {
    const { service } = makeService()
    const { sessionId, data } = await initiate(service)
    const next = (await service.updatePayment({ ...asInput(data), amount: 99.9, currency_code: "hkd" })).data as Data
    expect(next).toMatchObject({ attempt: 2, merchant_order_id: `${sessionId}-2`, amount_minor: "9990" })
    const url = (next.next_action as { url: string }).url
    const params = checkstandParams(url)
    expect(params).toMatchObject({ out_trade_no: `${sessionId}-2`, txamt: "9990" })
    const res = await openCheckstand(sim, params)
    expect(res.data.ok).toBe(true)
  })

  it("is refused once paid", async () => {
    const { service } = directService()
    const paid = await paidData(service)
    const error = await rejection(service.updatePayment({ ...asInput(paid), amount: 20, currency_code: "hkd" }))
    expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(error.message).toMatch(/already paid/)
    expect(sim.state().transactions).toHaveLength(1)
    // The same amount is still fine (Medusa may re-send the session unchanged).
    expect((await service.updatePayment({ ...asInput(paid), amount: 10.5, currency_code: "hkd" })).data).toEqual(paid)
  })

  it("is refused when the shopper paid the current order meanwhile (close answers 1260): no second order", async () => {
    const { service } = directService()
    const { data } = await initiate(service)
    sim.completeTransaction(data.gateway_reference!, "pay")
    // Our data still says pending; QFPay refuses to close a paid order.
    const error = await rejection(service.updatePayment({ ...asInput(data), amount: 12, currency_code: "hkd" }))
    expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(error.message).toMatch(/paid/)
    expect(sim.state().transactions).toHaveLength(1)
    // The session still leads to the payment that was made.
    const status = await service.authorizePayment(asInput(data))
    expect(status.status).toBe(PaymentSessionStatus.CAPTURED)
  })

  it("is refused for data that is not ours, and for a bad new amount", async () => {
    const { service } = directService()
    const notOurs = await rejection(service.updatePayment({ data: { session_id: "payses_01ABC" }, amount: 10, currency_code: "hkd" }))
    expect(notOurs.type).toBe(MedusaError.Types.INVALID_DATA)
    const { data } = await initiate(service)
    for (const amount of [-1, "abc", 0.001]) {
      const badAmount = await rejection(service.updatePayment({ ...asInput(data), amount: amount as any, currency_code: "hkd" }))
      expect(badAmount.type).toBe(MedusaError.Types.INVALID_DATA)
    }
    expect(txn(data.gateway_reference)).toMatchObject({ status: "open" })
  })

  it("keeps the order when Medusa's new unrounded amount rounds to what is already charged", async () => {
    const { service } = directService()
    const { data } = await initiate(service, 10.5)
    const same = await service.updatePayment({ ...asInput(data), amount: { value: "10.50375", precision: 20 } as any, currency_code: "hkd" })
    expect(same.data).toEqual(data)
    expect(txn(data.gateway_reference)).toMatchObject({ status: "open" })
  })
})

describe("capturePayment", () => {
  it("is a no-op that returns the data (QFPay settles at once)", async () => {
    const { service } = directService()
    const paid = await paidData(service)
    expect((await service.capturePayment(asInput(paid))).data).toEqual(paid)
    expect((await service.capturePayment({})).data).toEqual({})
  })
})
