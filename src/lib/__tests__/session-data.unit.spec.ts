import { isRecord, NO_ACTION, readStorefrontInput, recordedRefunds } from "../session-data"

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

describe("session-data: readStorefrontInput (untrusted data from the browser)", () => {
  const spec = { pay_type: "one of 800201, 802001" }

  it("returns only the allowed keys' values, ignoring Medusa's own session_id and empty values", () => {
    expect(readStorefrontInput({ session_id: "payses_1", pay_type: "802001" }, spec)).toEqual({ ok: true, values: { pay_type: "802001" } })
    expect(readStorefrontInput({ pay_type: "" }, spec)).toEqual({ ok: true, values: {} })
    expect(readStorefrontInput(undefined, spec)).toEqual({ ok: true, values: {} })
    expect(readStorefrontInput({}, {})).toEqual({ ok: true, values: {} })
  })

  it.each<[unknown, string]>([
    [{ next_action: { type: "redirect", url: "https://evil.example/pay" } }, 'data.next_action is not accepted; send only "pay_type" (one of 800201, 802001).'],
    [{ pay_type: "800201", status: "paid" }, 'data.status is not accepted; send only "pay_type" (one of 800201, 802001).'],
    [{ pay_type: { toString: "x" } }, 'data.pay_type must be a string; send only "pay_type" (one of 800201, 802001).'],
    [{ pay_type: 800201 }, 'data.pay_type must be a string; send only "pay_type" (one of 800201, 802001).'],
    [{ pay_type: "800201\u0000" }, 'data.pay_type must be a short plain string without control characters; send only "pay_type" (one of 800201, 802001).'],
    [{ pay_type: "8".repeat(65) }, 'data.pay_type must be a short plain string without control characters; send only "pay_type" (one of 800201, 802001).'],
    [["800201"], 'data must be an object; send only "pay_type" (one of 800201, 802001).'],
    ["800201", 'data must be an object; send only "pay_type" (one of 800201, 802001).'],
  ])("refuses %j saying what to send", (data, problem) => {
    expect(readStorefrontInput(data, spec)).toEqual({ ok: false, problem })
  })

  it("refuses anything for a provider that reads nothing, and big documents whatever their keys", () => {
    expect(readStorefrontInput({ note: "hi" }, {})).toEqual({ ok: false, problem: "data.note is not accepted; send no data for this provider." })
    const big = readStorefrontInput({ blob: "x".repeat(5000) }, spec)
    expect(big).toMatchObject({ ok: false, problem: expect.stringMatching(/^data is 50\d\d bytes, more than 1024;/) })
  })

  it("shows an odd key safely (printable, short)", () => {
    const read = readStorefrontInput({ ["a\u0000b" + "c".repeat(60)]: "1" }, {})
    expect(read).toMatchObject({ ok: false })
    expect((read as { problem: string }).problem).toMatch(/^data\.a\?bc{37}\.\.\. is not accepted/)
  })
})
