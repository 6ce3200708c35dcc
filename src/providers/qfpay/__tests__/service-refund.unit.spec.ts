/**
 * QfpayProviderService.refundPayment against the real QFPay simulator over loopback (reference §10):
 * refund ids derived from Medusa's idempotency key, lost answers reconciled by lookup, at most one refund.
 */
import { MedusaError } from "@medusajs/framework/utils"
import type { QfpayProviderService } from "../service"
import { createQfpayService, paidDirectPayment, rejection, uniqueId, useQfpaySimulator, type Data } from "./helpers"

const APP = "SVCREFUNDAPP"
const KEY = "svc-refund-client-key-0004"

const sim = useQfpaySimulator({ appCode: APP, clientKey: KEY })

// ---------------------------------------------------------------------------------------------------------
// Helpers

const newSessionId = () => uniqueId("payses_01REFD")
const newRefundId = () => uniqueId("ref_01REFD")

function makeService(options: Record<string, unknown> = {}) {
  return createQfpayService(sim, { appCode: APP, clientKey: KEY }, { mode: "direct", ...options })
}

/** A direct-mode WeChat QR payment of `amount` HKD, paid by the shopper and authorized. */
function paidData(service: QfpayProviderService, amount?: unknown, currency?: string): Promise<Data> {
  return paidDirectPayment(sim, service, newSessionId(), amount, currency)
}

async function refund(service: QfpayProviderService, data: Data, amount: unknown, key?: string): Promise<Data> {
  const result = await service.refundPayment({
    data: data as Record<string, unknown>,
    amount: amount as any,
    ...(key ? { context: { idempotency_key: key } } : {}),
  })
  return result.data as Data
}

const refundsAtGateway = (syssn: string | null) =>
  sim.state().transactions.filter((t) => t.order_type === "refund" && t.origssn === syssn)
const payment = (syssn: string | null) => sim.state().transactions.find((t) => t.syssn === syssn)

// ---------------------------------------------------------------------------------------------------------

describe("refundPayment", () => {
  it("refunds part, then the rest ({ value, precision } amounts); the refund's out_trade_no is the idempotency key", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    const key1 = newRefundId()
    const key2 = newRefundId()

    const afterFirst = await refund(service, paid, { value: "4", precision: 20 }, key1)
    expect(afterFirst.refunds).toEqual([
      expect.objectContaining({ id: key1, amount: "4.00", currency: "HKD", status: "succeeded", gateway_reference: expect.any(String) }),
    ])
    const [r1] = refundsAtGateway(paid.gateway_reference)
    expect(r1).toMatchObject({ out_trade_no: key1, txamt: "400", respcd: "0000" })
    expect(afterFirst.refunds[0].gateway_reference).toBe(r1.syssn)
    expect(payment(paid.gateway_reference)).toMatchObject({ cancel: "5" })

    const afterSecond = await refund(service, afterFirst, { value: "6.5", precision: 20 }, key2)
    expect(afterSecond.refunds.map((r) => [r.id, r.amount, r.status])).toEqual([
      [key1, "4.00", "succeeded"],
      [key2, "6.50", "succeeded"],
    ])
    expect(refundsAtGateway(paid.gateway_reference).map((r) => [r.out_trade_no, r.txamt])).toEqual([
      [key1, "400"],
      [key2, "650"],
    ])
    expect(payment(paid.gateway_reference)).toMatchObject({ cancel: "3" })
    // Everything else in the data is kept.
    expect({ ...afterSecond, refunds: [] }).toEqual({ ...paid, refunds: [] })
  })

  it("maps a key that is not a safe gateway id to a stable hashed id", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    const key = "refund for order #1001 / line 2"
    const result = await refund(service, paid, 1, key)
    expect(result.refunds[0].id).toMatch(/^rf_[0-9a-f]+$/)
    expect(refundsAtGateway(paid.gateway_reference)[0].out_trade_no).toBe(result.refunds[0].id)
  })

  it("the same key twice refunds once, whether or not the first refund is already in the data", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    const key = newRefundId()
    const first = await refund(service, paid, 3, key)

    // Medusa retrying with the updated data: answered from the data, nothing sent.
    const fromData = await refund(service, first, 3, key)
    expect(fromData).toEqual(first)

    // Retrying with stale data (the first call's answer was lost): QFPay refuses the reused id (1251),
    // the refund is found by its id, and recorded once.
    const stale = await refund(service, paid, 3, key)
    expect(stale.refunds).toEqual([expect.objectContaining({ id: key, amount: "3.00", status: "succeeded" })])
    expect(stale.refunds[0].gateway_reference).toBe(first.refunds[0].gateway_reference)

    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(1)
  })

  it("works without an idempotency key, with a warning and a generated id", async () => {
    const { service, lines } = makeService()
    const paid = await paidData(service)
    const result = await refund(service, paid, 2)
    expect(result.refunds).toEqual([expect.objectContaining({ amount: "2.00", status: "succeeded" })])
    expect(result.refunds[0].id).toMatch(/^rf_/)
    expect(refundsAtGateway(paid.gateway_reference)).toEqual([
      expect.objectContaining({ out_trade_no: result.refunds[0].id, txamt: "200" }),
    ])
    expect(lines.some((l) => l.level === "warn" && /without an idempotency key/.test(l.message))).toBe(true)
  })

  it("a refund QFPay reports as processing (1143) is recorded as processing, once, and settles later", async () => {
    const { service, lines } = makeService()
    const paid = await paidData(service)
    const key = newRefundId()
    sim.setFault({ target: "/trade/v1/refund", mode: "respcd", respcd: "1143", settleAfterMs: 60_000 })

    const result = await refund(service, paid, 5, key)
    const atGateway = refundsAtGateway(paid.gateway_reference)
    expect(atGateway).toHaveLength(1)
    expect(atGateway[0]).toMatchObject({ out_trade_no: key, respcd: "1143", status: "processing" })
    expect(result.refunds).toEqual([
      expect.objectContaining({ id: key, amount: "5.00", status: "processing", gateway_reference: atGateway[0].syssn }),
    ])
    expect(lines.some((l) => l.level === "warn" && /still processing/.test(l.message))).toBe(true)

    // Medusa retrying with stale data while it still settles: found by id, not sent again.
    const retry = await refund(service, paid, 5, key)
    expect(retry.refunds).toEqual([expect.objectContaining({ id: key, status: "processing" })])
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(1)

    sim.advanceTime(60_000)
    expect(refundsAtGateway(paid.gateway_reference)[0]).toMatchObject({ respcd: "0000", status: "paid" })
    const settled = await refund(service, paid, 5, key)
    expect(settled.refunds).toEqual([expect.objectContaining({ id: key, status: "succeeded" })])
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(1)
  })

  it("another refund sent while one is still processing is refused by QFPay (1145) and is not recorded as made", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    sim.setFault({ target: "/trade/v1/refund", mode: "respcd", respcd: "1143", settleAfterMs: 60_000 })
    const first = await refund(service, paid, 2, newRefundId())
    expect(first.refunds[0].status).toBe("processing")

    const secondKey = newRefundId()
    const error = await rejection(refund(service, first, 3, secondKey))
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(error.message).toContain("1145")
    expect(error.message).toMatch(/nothing was refunded/i)
    // Only the first refund exists at QFPay.
    expect(refundsAtGateway(paid.gateway_reference).map((r) => r.txamt)).toEqual(["200"])

    // Once the first refund settled, the same refund goes through.
    sim.advanceTime(60_000)
    const second = await refund(service, first, 3, secondKey)
    expect(second.refunds.map((r) => [r.amount, r.status])).toEqual([
      ["2.00", "processing"],
      ["3.00", "succeeded"],
    ])
    expect(refundsAtGateway(paid.gateway_reference).map((r) => r.txamt)).toEqual(["200", "300"])
  })

  it("a refund processed but whose answer was lost (drop_after) is found by lookup: one refund", async () => {
    const { service, lines } = makeService()
    const paid = await paidData(service)
    const key = newRefundId()
    sim.setFault({ target: "/trade/v1/refund", mode: "drop_after" })

    const result = await refund(service, paid, 4, key)
    const atGateway = refundsAtGateway(paid.gateway_reference)
    expect(atGateway).toHaveLength(1)
    expect(result.refunds).toEqual([
      expect.objectContaining({ id: key, amount: "4.00", status: "succeeded", gateway_reference: atGateway[0].syssn }),
    ])
    expect(lines.some((l) => l.level === "warn" && /looking it up/.test(l.message))).toBe(true)
  })

  it("a refund dropped before QFPay processed it is sent once more with the same id: exactly one refund", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    const key = newRefundId()
    sim.setFault({ target: "/trade/v1/refund", mode: "drop_before" })

    const result = await refund(service, paid, 4, key)
    expect(result.refunds).toEqual([expect.objectContaining({ id: key, status: "succeeded" })])
    expect(refundsAtGateway(paid.gateway_reference)).toEqual([expect.objectContaining({ out_trade_no: key, txamt: "400" })])
  })

  it("a refund whose outcome stays unknown (both sends lost, lookups empty) throws without refunding", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    const key = newRefundId()
    sim.setFault({ target: "/trade/v1/refund", mode: "drop_before", times: 2 })

    const error = await rejection(refund(service, paid, 4, key))
    expect(error.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(error.message).toContain(key)
    expect(error.message).toMatch(/will not refund twice/)
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(0)

    // The admin retries: the same id goes through once.
    const retry = await refund(service, paid, 4, key)
    expect(retry.refunds).toEqual([expect.objectContaining({ id: key, status: "succeeded" })])
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(1)
  })

  it("an over-refund refused by QFPay (1272) is a NOT_ALLOWED MedusaError naming the code", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    sim.setFault({ target: "/trade/v1/refund", mode: "respcd", respcd: "1272" })
    const forced = await rejection(refund(service, paid, 1, newRefundId()))
    expect(forced.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(forced.message).toContain("1272")
    expect(forced.message).toMatch(/exceeds the amount still refundable/)

    // The real thing: 10.50 paid, 11 asked: refused before QFPay is called, saying what is left.
    const real = await rejection(refund(service, paid, 11, newRefundId()))
    expect(real.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(real.message).toBe(
      "QFPay: a refund of 11.00 HKD is more than is left to refund: 10.50 HKD was charged and 0.00 HKD is already refunded, so at most 10.50 HKD can be refunded."
    )
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(0)
  })

  it("partial refunds of an unrounded amount add up to exactly the charge; one cent more is refused", async () => {
    const { service } = makeService()
    const paid = await paidData(service, { value: "56.22375", precision: 20 })
    expect(paid.amount_minor).toBe("5622")
    const first = await refund(service, paid, { value: "3.33", precision: 20 }, newRefundId())
    const tooMuch = await rejection(refund(service, first, { value: "52.90", precision: 20 }, newRefundId()))
    expect(tooMuch.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(tooMuch.message).toContain("at most 52.89 HKD can be refunded")
    // What Medusa offers as the rest (52.89375) rounds to the last cent charged.
    const last = await refund(service, first, { value: "52.89375", precision: 20 }, newRefundId())
    expect(last.refunds.map((r) => r.amount)).toEqual(["3.33", "52.89"])
    expect(refundsAtGateway(paid.gateway_reference).map((r) => r.txamt)).toEqual(["333", "5289"])
    const more = await rejection(refund(service, last, { value: "0.01", precision: 20 }, newRefundId()))
    expect(more.message).toContain("at most 0.00 HKD can be refunded")
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(2)
  })

  it("a refund after a full refund is refused with QFPay's code", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    const full = await refund(service, paid, 10.5, newRefundId())
    // Our data knows the payment is fully refunded: refused without asking QFPay.
    const error = await rejection(refund(service, full, 1, newRefundId()))
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain("at most 0.00 HKD can be refunded")
    // Data that does not know of the refund (e.g. refunded in QFPay's portal): QFPay refuses with its code.
    const stale = await rejection(refund(service, paid, 1, newRefundId()))
    expect(stale.type).toBe(MedusaError.Types.NOT_ALLOWED)
    expect(stale.message).toContain("1264")
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(1)
  })

  it("refunds JPY in whole yen", async () => {
    const { service } = makeService()
    const paid = await paidData(service, 1000, "jpy")
    const result = await refund(service, paid, 300, newRefundId())
    expect(result.refunds[0]).toMatchObject({ amount: "300", currency: "JPY" })
    expect(refundsAtGateway(paid.gateway_reference)[0]).toMatchObject({ txamt: "300", txcurrcd: "JPY" })
  })

  it("is refused for data that is not paid (or not ours) without calling QFPay", async () => {
    sim.setFault({ target: "/trade/v1/refund", mode: "http500", times: -1 })
    const { service } = makeService()
    const init = await service.initiatePayment({ amount: 10, currency_code: "hkd", data: { session_id: newSessionId() } })
    for (const data of [init.data, { session_id: "payses_01ABC" }, {}, { ...init.data, status: "paid", gateway_reference: null }]) {
      const error = await rejection(service.refundPayment({ data: data as Record<string, unknown>, amount: 1, context: { idempotency_key: newRefundId() } }))
      expect(error.type).toBe(MedusaError.Types.NOT_ALLOWED)
      expect(error.message).toMatch(/no settled QFPay transaction to refund/)
    }
    expect(sim.state().faults[0].times).toBe(-1)
  })

  it("rounds an unrounded amount as Medusa does (1.005 -> 1.01)", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    const result = await refund(service, paid, { value: "1.005", precision: 20 }, newRefundId())
    expect(result.refunds[0]).toMatchObject({ amount: "1.01" })
    expect(refundsAtGateway(paid.gateway_reference)[0]).toMatchObject({ txamt: "101" })
  })

  it("refuses a zero, negative or unreadable amount", async () => {
    const { service } = makeService()
    const paid = await paidData(service)
    for (const amount of [0, 0.004, -1, "abc"]) {
      const error = await rejection(refund(service, paid, amount, newRefundId()))
      expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    }
    expect(refundsAtGateway(paid.gateway_reference)).toHaveLength(0)
  })
})
