import { isRecord, NO_ACTION, recordedRefunds } from "../session-data"

describe("session-data: isRecord", () => {
  it("is true for plain objects only", () => {
    expect(isRecord({})).toBe(true)
    expect(isRecord({ a: 1 })).toBe(true)
    expect(isRecord(Object.create(null))).toBe(true)
  })

  it.each<[unknown]>([[null], [undefined], [[]], [[{ a: 1 }]], ["x"], [1], [true]])("is false for %p", (value) => {
    expect(isRecord(value)).toBe(false)
  })
})

describe("session-data: NO_ACTION", () => {
  it("is the 'none' next action", () => {
    expect(NO_ACTION).toEqual({ type: "none" })
  })
})

describe("session-data: recordedRefunds", () => {
  const good = {
    id: "ref_01ABC",
    amount: "10.50",
    currency: "HKD",
    status: "succeeded",
    gateway_reference: "2025111700001",
    created_at: "2025-11-17T10:00:00.000Z",
  }

  it("returns well-formed refunds in order", () => {
    const second = { ...good, id: "ref_02", status: "processing", gateway_reference: null }
    expect(recordedRefunds({ refunds: [good, second] })).toEqual([good, second])
  })

  it("drops malformed entries (browser-writable data is untrusted)", () => {
    const refunds = [
      good,
      null,
      "ref_x",
      [good],
      { ...good, id: 5 },
      { ...good, amount: 10.5 },
      { ...good, status: undefined },
      { amount: "1.00", status: "succeeded" },
    ]
    expect(recordedRefunds({ refunds })).toEqual([good])
  })

  it.each<[Record<string, unknown>]>([[{}], [{ refunds: null }], [{ refunds: "[]" }], [{ refunds: { 0: good } }]])(
    "returns [] when refunds is missing or not an array (%p)",
    (data) => {
      expect(recordedRefunds(data)).toEqual([])
    }
  )
})
