import { md5Hex } from "../../../lib/signing"
import { verifyQfpayNotification } from "../webhook"

const key = "3ABB1BFFE2E0497BB9270978B0BXXXXX"
// Python json.dumps formatting, as QFPay sends it (reference §12.3).
const body =
  '{"status": "1", "notify_type": "payment", "syssn": "20200514000300020093755455", "out_trade_no": "ORD-1", ' +
  '"txamt": "10", "txcurrcd": "HKD", "respcd": "0000", "cancel": "0", "goods_name": "\\u6e2c\\u8a66"}'

describe("QFPay notification signature", () => {
  it("matches the reference sample", () => {
    expect(md5Hex(body, key).toUpperCase()).toBe("2551A6EE435EBE27CD433F9D0D0D919E")
  })

  it("accepts the exact bytes with the right signature (any case) and parses after verifying", () => {
    const sig = "2551A6EE435EBE27CD433F9D0D0D919E"
    for (const header of [sig, sig.toLowerCase()]) {
      const result = verifyQfpayNotification(Buffer.from(body), { "x-qf-sign": header }, key)
      expect(result).toMatchObject({ ok: true, notifyType: "payment", body: { out_trade_no: "ORD-1", goods_name: "測試" } })
    }
  })

  it("accepts raw bytes serialised by Redis as {type: Buffer}", () => {
    const raw = { type: "Buffer", data: [...Buffer.from(body)] }
    expect(verifyQfpayNotification(raw, { "X-QF-SIGN": "2551A6EE435EBE27CD433F9D0D0D919E" }, key).ok).toBe(true)
  })

  it.each([
    ["wrong key", Buffer.from(body), { "x-qf-sign": md5Hex(body, "other-key").toUpperCase() }],
    ["one byte tampered", Buffer.from(body.replace('"10"', '"11"')), { "x-qf-sign": "2551A6EE435EBE27CD433F9D0D0D919E" }],
    ["re-serialised JSON", Buffer.from(JSON.stringify(JSON.parse(body))), { "x-qf-sign": "2551A6EE435EBE27CD433F9D0D0D919E" }],
    ["missing header", Buffer.from(body), {}],
    ["empty header", Buffer.from(body), { "x-qf-sign": "" }],
    ["short header", Buffer.from(body), { "x-qf-sign": "2551" }],
    ["empty body", Buffer.alloc(0), { "x-qf-sign": md5Hex("", key) }],
    ["no body at all", undefined, { "x-qf-sign": "2551A6EE435EBE27CD433F9D0D0D919E" }],
    ["no headers", Buffer.from(body), undefined],
  ])("refuses %s without throwing", (_name, raw, headers) => {
    expect(verifyQfpayNotification(raw, headers, key).ok).toBe(false)
  })

  it("refuses a correctly signed body that is not a JSON object", () => {
    const raw = "not json"
    expect(verifyQfpayNotification(raw, { "x-qf-sign": md5Hex(raw, key) }, key)).toEqual({
      ok: false,
      reason: "signed body is not a JSON object",
    })
  })

  it("takes the type of card notifications from order_type", () => {
    const raw = '{"order_type": "payment", "respcd": "0000", "out_trade_no": "X"}'
    expect(verifyQfpayNotification(raw, { "x-qf-sign": md5Hex(raw, key) }, key)).toMatchObject({ ok: true, notifyType: "payment" })
  })
})
