import { decidePayment, EXACT_AMOUNT, GatewayEvent, judgeAmount } from "../payment-event"

const ORDER = "payses_01ABCDEF"
const paid = (fields: Partial<GatewayEvent> = {}): GatewayEvent => ({
  key: "acme:1",
  kind: "paid",
  merchantOrderId: ORDER,
  gatewayReference: "ref-1",
  amountMinor: 5622n,
  currency: "HKD",
  ...fields,
})
const expected = { merchantOrderId: ORDER, chargedMinor: 5622n, currency: "HKD" }

describe("decidePayment: the one decision whether an event pays an attempt", () => {
  it("pays for exactly our order id, amount and currency", () => {
    expect(decidePayment(paid(), expected, EXACT_AMOUNT)).toEqual({ pays: true, amount: { verdict: "exact" } })
  })

  it.each([`${ORDER}-2`, `${ORDER}-9999`, `${ORDER} `, `${ORDER}\n`, `${ORDER}\u00a0`, ` ${ORDER}`, ORDER.toUpperCase(), null])(
    "refuses the edited order id %j as another attempt",
    (merchantOrderId) => {
      expect(decidePayment(paid({ merchantOrderId }), expected, EXACT_AMOUNT)).toMatchObject({ pays: false, why: "other_attempt" })
    }
  )

  it("refuses a payment of another gateway payment when the attempt names one (a superseded charge)", () => {
    const withCharge = { ...expected, gatewayReference: "ch_current" }
    expect(decidePayment(paid({ gatewayReference: "ch_old" }), withCharge, EXACT_AMOUNT)).toMatchObject({ pays: false, why: "other_attempt" })
    expect(decidePayment(paid({ gatewayReference: "ch_current" }), withCharge, EXACT_AMOUNT)).toMatchObject({ pays: true })
  })

  it.each<[Partial<GatewayEvent>]>([[{ amountMinor: 5621n }], [{ amountMinor: 5623n }], [{ currency: "USD" }], [{ amountMinor: null }], [{ currency: null }]])(
    "refuses another amount or currency (case %#) with the reason in words",
    (fields) => {
      const decision = decidePayment(paid(fields), expected, EXACT_AMOUNT)
      expect(decision).toMatchObject({ pays: false, why: "amount" })
      expect((decision as { reason: string }).reason).toMatch(/56\.22 HKD was charged/)
    }
  )

  it.each(["failed", "expired", "underpaid", "refunded", "pending"] as const)("a %s event is not a payment", (kind) => {
    expect(decidePayment(paid({ kind }), expected, EXACT_AMOUNT)).toMatchObject({ pays: false, why: "not_a_payment" })
  })
})

describe("judgeAmount: the one amount rule", () => {
  const crypto = { acceptOverpayment: true, underpaymentToleranceMinor: 50n }

  it("exact is exact under every rule", () => {
    expect(judgeAmount({ amountMinor: 1000n, currency: "USD" }, { chargedMinor: 1000n, currency: "USD" }, EXACT_AMOUNT)).toEqual({ verdict: "exact" })
    expect(judgeAmount({ amountMinor: 1000n, currency: "usd" }, { chargedMinor: 1000n, currency: "USD" }, crypto)).toEqual({ verdict: "exact" })
  })

  it("records an overpayment where the gateway lets the shopper choose, else refuses it", () => {
    expect(judgeAmount({ amountMinor: 1010n, currency: "USD" }, { chargedMinor: 1000n, currency: "USD" }, crypto)).toEqual({ verdict: "overpaid", extraMinor: 10n })
    expect(judgeAmount({ amountMinor: 1010n, currency: "USD" }, { chargedMinor: 1000n, currency: "USD" }, EXACT_AMOUNT)).toMatchObject({ verdict: "mismatch" })
  })

  it("accepts a shortfall within the tolerance (recorded), and not one minor unit more", () => {
    expect(judgeAmount({ amountMinor: 950n, currency: "USD" }, { chargedMinor: 1000n, currency: "USD" }, crypto)).toEqual({ verdict: "within_tolerance", shortMinor: 50n })
    expect(judgeAmount({ amountMinor: 949n, currency: "USD" }, { chargedMinor: 1000n, currency: "USD" }, crypto)).toMatchObject({ verdict: "mismatch" })
  })

  it("a percentage tolerance scales with the charge, and the larger of minor units and percentage applies", () => {
    const share = { acceptOverpayment: true, underpaymentToleranceMinor: 0n, underpaymentToleranceBps: 50n } // 0.5 %
    const expected = { chargedMinor: 100_000n, currency: "USD" }
    expect(judgeAmount({ amountMinor: 99_500n, currency: "USD" }, expected, share)).toEqual({ verdict: "within_tolerance", shortMinor: 500n })
    expect(judgeAmount({ amountMinor: 99_499n, currency: "USD" }, expected, share)).toMatchObject({ verdict: "mismatch" })
    const both = { ...share, underpaymentToleranceMinor: 800n }
    expect(judgeAmount({ amountMinor: 99_200n, currency: "USD" }, expected, both)).toEqual({ verdict: "within_tolerance", shortMinor: 800n })
    // 0.5 % of 1.00 floors to nothing: not one minor unit is tolerated on a small charge.
    expect(judgeAmount({ amountMinor: 99n, currency: "USD" }, { chargedMinor: 100n, currency: "USD" }, share)).toMatchObject({ verdict: "mismatch" })
  })

  it("words amounts in the gateway's own minor units", () => {
    const verdict = judgeAmount({ amountMinor: 1n, currency: "USDT" }, { chargedMinor: 2n, currency: "USDT", minorUnitOverrides: { USDT: 6 } }, EXACT_AMOUNT)
    expect(verdict).toEqual({ verdict: "mismatch", reason: "the gateway reports 0.000001 USDT, 0.000002 USDT was charged" })
  })
})
