import { manualRefund } from "../manual-refund"

describe("manualRefund", () => {
  it("records what the merchant owes, with the marker and an instruction", () => {
    const refund = manualRefund({
      gateway: "CoinPay",
      refundId: "ref_01ABC",
      amountMinor: 1234n,
      currency: "KWD",
      gatewayReference: "197",
      now: new Date("2026-01-02T03:04:05Z"),
    })
    expect(refund).toEqual({
      id: "ref_01ABC",
      amount: "1.234",
      currency: "KWD",
      status: "manual_pending",
      gateway_reference: "197",
      created_at: "2026-01-02T03:04:05.000Z",
      note: "CoinPay cannot send refunds: pay 1.234 KWD back to the customer yourself (payment 197).",
    })
  })
})
