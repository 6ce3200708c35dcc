import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { apiCodeMeaning, transactionStateFrom } from "../codes"
import { KNOWN_PAY_TYPES, PAY_TYPES } from "../pay-types"
import { SESSION_STATUS_BY_PAYMENT_STATUS } from "../status"

describe("QFPay transaction states", () => {
  it.each([
    ["0000", "succeeded"],
    ["1143", "processing"],
    ["1145", "processing"],
    ["1298", "processing"],
    ["1181", "expired"],
    ["1142", "closed"],
    ["1263", "closed"],
    ["1264", "closed"],
    ["1205", "failed"],
    ["1201", "failed"],
    ["", "failed"],
    [undefined, "failed"],
  ])("respcd %s is %s", (code, state) => {
    expect(transactionStateFrom(code)).toBe(state)
  })

  it("maps every payment status to a Medusa session status, and only paid to captured", () => {
    expect(SESSION_STATUS_BY_PAYMENT_STATUS).toEqual({
      pending: PaymentSessionStatus.PENDING,
      paid: PaymentSessionStatus.CAPTURED,
      failed: PaymentSessionStatus.ERROR,
      expired: PaymentSessionStatus.CANCELED,
      canceled: PaymentSessionStatus.CANCELED,
      mismatch: PaymentSessionStatus.ERROR,
    })
  })
})

describe("QFPay API codes", () => {
  it.each([
    ["0000", "payment", { outcome: "ok" }],
    ["1143", "refund", { outcome: "processing" }],
    ["1145", "payment", { outcome: "processing" }],
    ["1102", "payment", { outcome: "duplicate" }],
    ["2011", "payment", { outcome: "duplicate" }],
    ["1251", "refund", { outcome: "duplicate" }],
    ["1264", "cancel", { outcome: "already_closed" }],
    ["1181", "cancel", { outcome: "already_closed" }],
    ["1260", "cancel", { outcome: "already_paid" }],
  ] as const)("%s on %s -> %o", (code, op, expected) => {
    expect(apiCodeMeaning(code, "", op)).toEqual(expected)
  })

  it.each([
    ["1108", "config"],
    ["1100", "retry_later"],
    ["1104", "invalid_request"],
    ["1269", "retry_later"],
    ["1272", "declined"],
    ["1270", "declined"],
    ["1271", "declined"],
    ["1124", "declined"],
    ["1125", "declined"],
    ["1252", "indeterminate"],
    ["9999", "declined"],
  ])("%s is an error of kind %s", (code, kind) => {
    const meaning = apiCodeMeaning(code, "", "refund")
    expect(meaning).toMatchObject({ outcome: "error", kind })
  })

  it("tells the 1265 night window (retry later) from the refund window being over (final)", () => {
    expect(apiCodeMeaning("1265", "23:30-00:30 不可退款", "refund")).toMatchObject({ kind: "retry_later" })
    expect(apiCodeMeaning("1265", "該筆訂單被禁止退款，已經超出可退款時限", "refund")).toMatchObject({ kind: "declined" })
  })

  it("1251 on a payment without an out_trade_no message is a store configuration error", () => {
    expect(apiCodeMeaning("1251", "store disabled", "payment")).toMatchObject({ outcome: "error", kind: "config" })
  })

  it("knows only online pay types, with HKD-only wallets flagged", () => {
    expect(KNOWN_PAY_TYPES.has("800201")).toBe(true)
    expect(KNOWN_PAY_TYPES.has("800208")).toBe(false) // CPM needs a scanner
    expect(PAY_TYPES["802001"]).toMatchObject({ flow: "qr_code", hkdOnly: true })
    expect(PAY_TYPES["800201"].cancel).toBe("close")
    expect(PAY_TYPES["800101"].cancel).toBe("reversal")
  })
})
