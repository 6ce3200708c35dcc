import { constantTimeEqualHex, md5Hex, sha256Hex, signSortedParams, sortedParamString } from "../../../lib/signing"

// QFPay's documented signature vectors (reference gateway-qfpay.md §4 and §12.3), on the provider side; the
// simulator asserts the same vectors with its own signing code (sandbox/shared/__tests__/signatures).
const VECTOR_1 = { mchid: "ZaMVg12345", txamt: 100, txcurrcd: "HKD" }
const VECTOR_1_KEY = "abcd1234"
const VECTOR_1_STRING = "mchid=ZaMVg12345&txamt=100&txcurrcd=HKDabcd1234"
const VECTOR_1_MD5 = "3CB3AA9C21D818AB4CAFAA8FA3FEACF4"
const VECTOR_1_SHA256 = "99d9f7174823928b74c74b1c7a7e1538df733774dd21c9606a202cb8bb3d74e8"

const VECTOR_2 = {
  out_trade_no: "ORDER12345",
  pay_type: 800101,
  txamt: 2200,
  txcurrcd: "HKD",
  txdtm: "2025-11-17 18:00:00",
}
const VECTOR_2_KEY = "client_key_here"
const VECTOR_2_MD5 = "4C9CBCCC523916D80C07B3C30FF48A13"

describe("signing: QFPay reference vectors (§4)", () => {
  it("builds the documented string to sign for vector 1", () => {
    expect(sortedParamString(VECTOR_1) + VECTOR_1_KEY).toBe(VECTOR_1_STRING)
  })

  it("signs vector 1 with MD5 (lower-case hex, equal to the upper-case reference ignoring case)", () => {
    const sig = signSortedParams(VECTOR_1, VECTOR_1_KEY, "md5")
    expect(sig).toBe(VECTOR_1_MD5.toLowerCase())
    expect(sig.toUpperCase()).toBe(VECTOR_1_MD5)
    expect(md5Hex(VECTOR_1_STRING)).toBe(sig)
    expect(constantTimeEqualHex(sig, VECTOR_1_MD5)).toBe(true)
  })

  it("signs vector 1 with SHA256", () => {
    expect(signSortedParams(VECTOR_1, VECTOR_1_KEY, "sha256")).toBe(VECTOR_1_SHA256)
    expect(sha256Hex(VECTOR_1_STRING)).toBe(VECTOR_1_SHA256)
  })

  it("builds the documented string for vector 2 (raw value with a space, not URL-encoded)", () => {
    expect(sortedParamString(VECTOR_2) + VECTOR_2_KEY).toBe(
      "out_trade_no=ORDER12345&pay_type=800101&txamt=2200&txcurrcd=HKD&txdtm=2025-11-17 18:00:00client_key_here"
    )
  })

  it("signs vector 2 with MD5", () => {
    expect(signSortedParams(VECTOR_2, VECTOR_2_KEY, "md5").toUpperCase()).toBe(VECTOR_2_MD5)
  })

  it("gives the same signature whatever the insertion order of the params", () => {
    const shuffled = {
      txdtm: "2025-11-17 18:00:00",
      txcurrcd: "HKD",
      pay_type: "800101",
      out_trade_no: "ORDER12345",
      txamt: "2200",
    }
    expect(signSortedParams(shuffled, VECTOR_2_KEY, "md5").toUpperCase()).toBe(VECTOR_2_MD5)
  })

  it("matches the webhook sample of §12.3: MD5(raw body + key), no sorting", () => {
    const body =
      '{"status": "1", "notify_type": "payment", "syssn": "20200514000300020093755455", "out_trade_no": "ORD-1", "txamt": "10", "txcurrcd": "HKD", "respcd": "0000", "cancel": "0", "goods_name": "\\u6e2c\\u8a66"}'
    const key = "3ABB1BFFE2E0497BB9270978B0BXXXXX"
    expect(md5Hex(Buffer.from(body, "utf8"), key).toUpperCase()).toBe("2551A6EE435EBE27CD433F9D0D0D919E")
    expect(md5Hex(body + key)).toBe(md5Hex(body, key))
  })

  it("changes the signature when a value, a key or the algorithm changes", () => {
    const base = signSortedParams(VECTOR_1, VECTOR_1_KEY, "md5")
    expect(signSortedParams({ ...VECTOR_1, txamt: 101 }, VECTOR_1_KEY, "md5")).not.toBe(base)
    expect(signSortedParams(VECTOR_1, "abcd1235", "md5")).not.toBe(base)
    expect(signSortedParams(VECTOR_1, VECTOR_1_KEY, "sha256")).not.toBe(base)
  })
})

