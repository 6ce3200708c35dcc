import {
  qbitEventSignature,
  qfpayNotificationSignature,
  qfpayParamsSignature,
  quantapayCheckoutSignature,
  secretsMatch,
} from "../signatures"

// The gateway docs' own test vectors (reference gateway-*.md), asserted here against the simulators' signing
// code and, independently, against the providers' code in src/providers/*/__tests__ and src/lib/__tests__.

describe("QFPay request signature (reference §4)", () => {
  it("vector 1: MD5 and SHA256", () => {
    const params = { mchid: "ZaMVg12345", txamt: "100", txcurrcd: "HKD" }
    expect(qfpayParamsSignature(params, "abcd1234", "md5").toUpperCase()).toBe("3CB3AA9C21D818AB4CAFAA8FA3FEACF4")
    expect(qfpayParamsSignature(params, "abcd1234", "sha256")).toBe("99d9f7174823928b74c74b1c7a7e1538df733774dd21c9606a202cb8bb3d74e8")
  })

  it("vector 2: raw values (a space, not URL-encoded), any parameter order", () => {
    const params = { txdtm: "2025-11-17 18:00:00", txcurrcd: "HKD", pay_type: "800101", out_trade_no: "ORDER12345", txamt: "2200" }
    expect(qfpayParamsSignature(params, "client_key_here", "md5").toUpperCase()).toBe("4C9CBCCC523916D80C07B3C30FF48A13")
  })

  it("leaves out the names that are not signed (checkout `sign`, `lang`)", () => {
    const params = { mchid: "ZaMVg12345", txamt: "100", txcurrcd: "HKD" }
    const signed = qfpayParamsSignature(params, "abcd1234", "md5")
    expect(qfpayParamsSignature({ ...params, sign: "x", lang: "en" }, "abcd1234", "md5", ["sign", "lang"])).toBe(signed)
    expect(qfpayParamsSignature({ ...params, lang: "en" }, "abcd1234", "md5")).not.toBe(signed)
  })
})

describe("QFPay notification signature (reference §12.3)", () => {
  it("is upper-case MD5 of the raw body bytes followed by the key, with no sorting", () => {
    const body =
      '{"status": "1", "notify_type": "payment", "syssn": "20200514000300020093755455", "out_trade_no": "ORD-1", "txamt": "10", "txcurrcd": "HKD", "respcd": "0000", "cancel": "0", "goods_name": "\\u6e2c\\u8a66"}'
    expect(qfpayNotificationSignature(body, "3ABB1BFFE2E0497BB9270978B0BXXXXX")).toBe("2551A6EE435EBE27CD433F9D0D0D919E")
    expect(qfpayNotificationSignature(Buffer.from(body, "utf8"), "3ABB1BFFE2E0497BB9270978B0BXXXXX")).toBe("2551A6EE435EBE27CD433F9D0D0D919E")
  })
})

describe("QuantaPay checkout signature (reference §5)", () => {
  it("is lower-case hex HMAC-SHA256 of price|currency|order_id|timestamp, as `openssl dgst -sha256 -hmac` computes it", () => {
    // printf '%s' "49.99|usd|ORD-12345|1762000000" | openssl dgst -sha256 -hmac "whsec-example-123"
    expect(quantapayCheckoutSignature("whsec-example-123", { price: "49.99", currency: "usd", orderId: "ORD-12345", timestamp: "1762000000" })).toBe(
      "a02c15500e19a58060790e4f9c8f7f906449f656c3c0fb4105c1fe39dbe9d042"
    )
  })
})

describe("Qbit Pay event signature (reference §8.4)", () => {
  const OFFICIAL_EVENT_JSON =
    '{"id":"fDOuTy95uSiTi","type":"charge.succeeded","createdAt":"2019-02-25T16:13:12.278Z","object":"event","pendingWebhooks":0,"livemode":true,"data":{"id":"5","object":"charge","createdAt":"2019-02-25T16:13:12.278Z","paid":false,"status":"pending","amount":1000,"currency":"USD","externalOrderId":"DTSifOuTy95ui","paymentPageUrl":"https://qbitpay.blockscape.co/?zh#/otc/payment?tradeId=DTSifOuTy95ifOuTy95","cbUrl":"https://api.blockscape.co","redirectUrl":"https://qbitpay.blockscape.co"}}'

  it("signs the doc's event as EE53810FF1341779F2FF25989A67DCFC", () => {
    expect(qbitEventSignature(JSON.parse(OFFICIAL_EVENT_JSON), "T9uTy95uSifOOuTy")).toBe("EE53810FF1341779F2FF25989A67DCFC")
  })

  it("drops empty top-level fields but keeps 0 and false", () => {
    const event = JSON.parse(OFFICIAL_EVENT_JSON)
    expect(qbitEventSignature({ ...event, extra: "", other: null }, "T9uTy95uSifOOuTy")).toBe("EE53810FF1341779F2FF25989A67DCFC")
    expect(qbitEventSignature({ ...event, pendingWebhooks: 1 }, "T9uTy95uSifOOuTy")).not.toBe("EE53810FF1341779F2FF25989A67DCFC")
  })
})

describe("secretsMatch", () => {
  it("compares exactly, or hex ignoring case and surrounding space", () => {
    expect(secretsMatch("abc", "abc")).toBe(true)
    expect(secretsMatch("abc", "ABC")).toBe(false)
    expect(secretsMatch("abcdef", " ABCDEF ", { hex: true })).toBe(true)
    expect(secretsMatch("abc", "abcd")).toBe(false)
    expect(secretsMatch("abc", undefined)).toBe(false)
    expect(secretsMatch("", "")).toBe(false)
  })
})
