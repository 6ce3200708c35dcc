import { ledgerIdProblem, PaidBackBody } from "../admin/payment-ledger/validators"

describe("the paid-back body", () => {
  it("takes a reference, an optional note and a time not in the future", () => {
    expect(PaidBackBody.parse({ reference: " 0xabc ", note: "from the shop wallet" })).toEqual({ reference: "0xabc", note: "from the shop wallet" })
    expect(PaidBackBody.parse({ reference: "TRF-1", paid_at: "2026-11-30T10:00:00+08:00" }).paid_at).toBe("2026-11-30T10:00:00+08:00")
  })

  it.each([
    [{}, "reference"],
    [{ reference: "   " }, "reference"],
    [{ reference: "x".repeat(201) }, "reference"],
    [{ reference: "0xabc", paid_at: "yesterday" }, "paid_at"],
    [{ reference: "0xabc", paid_at: new Date(Date.now() + 86_400_000).toISOString() }, "paid_at"],
    [{ reference: "0xabc", amount: 5 }, "amount"],
  ])("refuses %j, naming %s", (body, field) => {
    const result = PaidBackBody.safeParse(body)
    expect(result.success).toBe(false)
    expect(JSON.stringify(result.error?.issues)).toContain(field)
  })
})

describe("ledger ids in routes", () => {
  it("accepts ids with their prefix and says what is expected otherwise", () => {
    expect(ledgerIdProblem("plrf_01KABCDEFGHJKMNPQRSTVWXYZ", "plrf_")).toBeUndefined()
    expect(ledgerIdProblem("plat_01KABCDEFGHJKMNPQRSTVWXYZ", "plrf_")).toBe('"plat_01KABCDEFGHJKMNPQRSTVWXYZ" is not a valid id; expected one starting with plrf_')
    expect(ledgerIdProblem("order_1; drop table", "order_")).toMatch(/not a valid id/)
  })
})
