import { constantTimeEqual, md5Hex } from "../../../lib/signing"
import { qbitStyleSignature, qbitStyleStringToSign } from "../signature"

// Official vector of the Qbit Pay doc (commit 5c499d0), reference /work/shared/reference/gateway-qbitpay.md §8.4.
const OFFICIAL_KEY = "T9uTy95uSifOOuTy"
const OFFICIAL_EVENT_JSON =
  '{"id":"fDOuTy95uSiTi","type":"charge.succeeded","createdAt":"2019-02-25T16:13:12.278Z","object":"event","pendingWebhooks":0,"livemode":true,"data":{"id":"5","object":"charge","createdAt":"2019-02-25T16:13:12.278Z","paid":false,"status":"pending","amount":1000,"currency":"USD","externalOrderId":"DTSifOuTy95ui","paymentPageUrl":"https://qbitpay.blockscape.co/?zh#/otc/payment?tradeId=DTSifOuTy95ifOuTy95","cbUrl":"https://api.blockscape.co","redirectUrl":"https://qbitpay.blockscape.co"}}'
const OFFICIAL_STRING_A =
  'createdAt=2019-02-25T16:13:12.278Z&data={"id":"5","object":"charge","createdAt":"2019-02-25T16:13:12.278Z","paid":false,"status":"pending","amount":1000,"currency":"USD","externalOrderId":"DTSifOuTy95ui","paymentPageUrl":"https://qbitpay.blockscape.co/?zh#/otc/payment?tradeId=DTSifOuTy95ifOuTy95","cbUrl":"https://api.blockscape.co","redirectUrl":"https://qbitpay.blockscape.co"}&id=fDOuTy95uSiTi&livemode=true&object=event&pendingWebhooks=0&type=charge.succeeded'
const OFFICIAL_SIGNATURE = "EE53810FF1341779F2FF25989A67DCFC"

const officialEvent = (): Record<string, unknown> => JSON.parse(OFFICIAL_EVENT_JSON) as Record<string, unknown>

describe("qbitStyleSignature: the official §8.4 vector", () => {
  it("builds the doc's stringA exactly", () => {
    expect(qbitStyleStringToSign(officialEvent())).toBe(OFFICIAL_STRING_A)
  })

  it("signs the parsed event as EE53810FF1341779F2FF25989A67DCFC", () => {
    expect(qbitStyleSignature(officialEvent(), OFFICIAL_KEY)).toBe(OFFICIAL_SIGNATURE)
  })

  it("is upper-case MD5 of stringA + '&key=' + key", () => {
    expect(md5Hex(`${OFFICIAL_STRING_A}&key=${OFFICIAL_KEY}`).toUpperCase()).toBe(OFFICIAL_SIGNATURE)
    expect(constantTimeEqual(qbitStyleSignature(officialEvent(), OFFICIAL_KEY), OFFICIAL_SIGNATURE)).toBe(true)
  })

  it("does not depend on the top-level key order, but does on the nested one", () => {
    const event = officialEvent()
    const reversedTop = Object.fromEntries(Object.entries(event).reverse())
    expect(qbitStyleSignature(reversedTop, OFFICIAL_KEY)).toBe(OFFICIAL_SIGNATURE)

    const data = event.data as Record<string, unknown>
    const reversedNested = { ...event, data: Object.fromEntries(Object.entries(data).reverse()) }
    expect(qbitStyleSignature(reversedNested, OFFICIAL_KEY)).not.toBe(OFFICIAL_SIGNATURE)
  })

  it("changes with the key, with pendingWebhooks and with livemode", () => {
    expect(qbitStyleSignature(officialEvent(), "another-key")).not.toBe(OFFICIAL_SIGNATURE)
    expect(qbitStyleSignature({ ...officialEvent(), pendingWebhooks: 1 }, OFFICIAL_KEY)).not.toBe(OFFICIAL_SIGNATURE)
    expect(qbitStyleSignature({ ...officialEvent(), livemode: false }, OFFICIAL_KEY)).not.toBe(OFFICIAL_SIGNATURE)
  })
})

describe("qbitStyleStringToSign: field rules", () => {
  it("sorts names case-sensitively in ASCII order (upper case before lower case)", () => {
    expect(qbitStyleStringToSign({ b: "1", a: "2", B: "3", A: "4", _x: "5", Z: "6" })).toBe("A=4&B=3&Z=6&_x=5&a=2&b=1")
    // A case-insensitive sort would give aB, Ab or interleave them; ASCII puts "Ab" first.
    expect(qbitStyleStringToSign({ aB: 1, Ab: 2 })).toBe("Ab=2&aB=1")
  })

  it("drops null, undefined and empty strings", () => {
    expect(qbitStyleStringToSign({ a: null, b: undefined, c: "", d: "x" })).toBe("d=x")
    expect(qbitStyleStringToSign({ a: null })).toBe("")
  })

  it("keeps 0, false, a blank-looking string and empty objects", () => {
    expect(qbitStyleStringToSign({ zero: 0, no: false, space: " ", obj: {}, arr: [] })).toBe(
      "arr=[]&no=false&obj={}&space= &zero=0"
    )
  })

  it("formats numbers like JS String(n) and booleans as true/false", () => {
    expect(qbitStyleStringToSign({ a: 1000, b: 10.5, c: 1e-7, d: -2, e: true })).toBe("a=1000&b=10.5&c=1e-7&d=-2&e=true")
  })

  it("puts strings in raw: no quotes, no URL-encoding, non-ASCII as is", () => {
    expect(qbitStyleStringToSign({ url: "https://x.test/?a=1&b=2 c", name: "支付宝" })).toBe(
      "name=支付宝&url=https://x.test/?a=1&b=2 c"
    )
  })

  it("serialises objects and arrays compactly in their own key order, nulls inside kept", () => {
    expect(qbitStyleStringToSign({ data: { z: 1, a: null, m: "支付宝", n: [1, { y: true, b: "" }] } })).toBe(
      'data={"z":1,"a":null,"m":"支付宝","n":[1,{"y":true,"b":""}]}'
    )
  })

  it("signs non-ASCII as UTF-8", () => {
    const fields = { name: "支付宝" }
    expect(qbitStyleSignature(fields, "k")).toBe(md5Hex(Buffer.from("name=支付宝&key=k", "utf8")).toUpperCase())
  })
})
