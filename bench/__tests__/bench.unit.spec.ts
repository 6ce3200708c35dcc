import { readQbitpayEvent } from "../../src/providers/qbitpay/webhook"
import { readQfpayNotification } from "../../src/providers/qfpay/webhook"
import { readQuantapayWebhook } from "../../src/providers/quantapay/webhook"
import { phpJsonEncode } from "../../sandbox/quantapay/phpjson"
import { pyJsonDumps } from "../../sandbox/qfpay/pyjson"
import { qbitEventSignature, qfpayNotificationSignature } from "../../sandbox/shared/signatures"
import { median, medianRatio, quantile, seededRandom, shuffled, summarize } from "../stats"
import { firstDeliveries, invalidDeliveries, type Delivery } from "../webhooks"

const credentials = { qfpay: { clientKey: "bench-client-key-0123" }, qbitpay: { apiKey: "bench-qbitpay-key-0123" } }
const quantapaySecret = "bench-quantapay-secret"

// Genuine deliveries in each gateway's own serialisation (the simulators' encoders and signers).
const qfpayBody = pyJsonDumps({ status: "1", notify_type: "payment", syssn: "20261201000300020093755455", out_trade_no: "qf_ord_1", txamt: "1099", txcurrcd: "HKD", respcd: "0000", cancel: "0" })
const genuine: Record<"qfpay" | "quantapay" | "qbitpay", Delivery> = {
  qfpay: { provider: "qfpay_qfpay", body: qfpayBody, headers: { "content-type": "application/json", "x-qf-sign": qfpayNotificationSignature(qfpayBody, credentials.qfpay.clientKey) } },
  quantapay: {
    provider: "quantapay_quantapay",
    body: phpJsonEncode({ key: quantapaySecret, transaction: { id: "512", status: "C", external_reference: "qp_ord_1", amount_fiat: "18.23", currency: "usd", cryptocurrency: "eth" } }),
    headers: { "content-type": "application/json" },
  },
  qbitpay: (() => {
    const event = { id: "evt_1", type: "charge.succeeded", createdAt: "2026-12-01T00:00:00Z", object: "event", pendingWebhooks: 0, livemode: false, data: { id: "ch_1", status: "closed", paid: true, amount: "18.23", currency: "USD", externalOrderId: "qb_ord_1" } }
    return { provider: "qbitpay_qbitpay", body: JSON.stringify(event), headers: { "content-type": "application/json", "qbitpay-signature": qbitEventSignature(event, credentials.qbitpay.apiKey) } }
  })(),
}
const read = {
  qfpay: (d: Delivery) => readQfpayNotification(Buffer.from(d.body), d.headers, credentials.qfpay.clientKey),
  quantapay: (d: Delivery) => readQuantapayWebhook(Buffer.from(d.body), quantapaySecret),
  qbitpay: (d: Delivery) => readQbitpayEvent(Buffer.from(d.body), d.headers, credentials.qbitpay.apiKey),
}

describe("the bench's webhook bodies", () => {
  it.each(["qfpay", "quantapay", "qbitpay"] as const)("%s: first deliveries verify with the provider's own reader, each a new event of an order the store does not know", (gateway) => {
    expect(read[gateway](genuine[gateway])).toMatchObject({ ok: true })
    const deliveries = firstDeliveries(gateway, genuine[gateway], 50, credentials)
    const readings = deliveries.map((d) => read[gateway](d))
    expect(readings.every((r) => r.ok)).toBe(true)
    const events = readings.map((r) => (r.ok ? r.event : undefined)!)
    expect(new Set(events.map((e) => e.key)).size).toBe(50)
    expect(events.every((e) => e.kind === "paid" && e.merchantOrderId?.startsWith("bench-"))).toBe(true)
  })

  it.each(["qfpay", "quantapay", "qbitpay"] as const)("%s: two batches of first deliveries (the warm-up and the storm) share no event", (gateway) => {
    const keys = (prefix: string) =>
      firstDeliveries(gateway, genuine[gateway], 300, credentials, prefix).map((d) => {
        const r = read[gateway](d)
        return r.ok ? r.event.key : "unreadable"
      })
    const warm = new Set(keys("warm"))
    const storm = keys("")
    expect(warm.size).toBe(300)
    expect(storm.filter((k) => warm.has(k))).toEqual([])
  })

  it.each(["qfpay", "quantapay", "qbitpay"] as const)("%s: invalid deliveries are refused as not authentic, and no two are the same body", (gateway) => {
    const deliveries = invalidDeliveries(genuine[gateway], 20)
    for (const d of deliveries) expect(read[gateway](d)).toMatchObject({ ok: false })
    expect(deliveries.every((d) => { const r = read[gateway](d); return !r.ok && !r.authentic })).toBe(true)
    expect(new Set(deliveries.map((d) => d.body)).size).toBe(20)
  })
})

describe("the bench's statistics", () => {
  it("quantiles interpolate between order statistics", () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([1, 2, 3, 4])).toBe(2.5)
    expect(quantile([0, 10], 0.9)).toBeCloseTo(9)
    expect(Number.isNaN(median([]))).toBe(true)
    expect(summarize([5, 1, 3])).toEqual({ n: 3, median: 3, p90: expect.closeTo(4.6), p99: expect.closeTo(4.96), max: 5 })
  })

  it("the median ratio's interval contains the ratio and is the same for the same samples", () => {
    const random = seededRandom(7)
    const a = Array.from({ length: 30 }, () => 110 + random() * 20)
    const b = Array.from({ length: 30 }, () => 100 + random() * 20)
    const r = medianRatio(a, b)
    expect(r.low).toBeLessThanOrEqual(r.ratio)
    expect(r.high).toBeGreaterThanOrEqual(r.ratio)
    expect(r.ratio).toBeGreaterThan(1)
    expect(medianRatio(a, b)).toEqual(r)
  })

  it("shuffling keeps every item once", () => {
    const items = ["a", "b", "c", "d", "e", "f"]
    const out = shuffled(items, seededRandom(3))
    expect([...out].sort()).toEqual(items)
  })
})
