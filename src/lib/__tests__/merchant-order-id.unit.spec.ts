import { createHash } from "node:crypto"
import { merchantOrderIdFor, refundMerchantIdFor, sessionIdFromMerchantOrderId } from "../merchant-order-id"

const SESSION = "payses_01JABCDEF0123456789XYZ"

describe("merchant-order-id: merchantOrderIdFor / sessionIdFromMerchantOrderId", () => {
  it("uses the session id itself for attempt 1 (and by default)", () => {
    expect(merchantOrderIdFor(SESSION)).toBe(SESSION)
    expect(merchantOrderIdFor(SESSION, 1)).toBe(SESSION)
  })

  it("suffixes later attempts with -<n>", () => {
    expect(merchantOrderIdFor(SESSION, 2)).toBe(`${SESSION}-2`)
    expect(merchantOrderIdFor(SESSION, 7)).toBe(`${SESSION}-7`)
  })

  it.each([1, 2, 7, 42, 9999])("round-trips attempt %i", (attempt) => {
    expect(sessionIdFromMerchantOrderId(merchantOrderIdFor(SESSION, attempt))).toBe(SESSION)
  })

  it("gives distinct ids for distinct attempts", () => {
    const ids = new Set([1, 2, 3, 7].map((n) => merchantOrderIdFor(SESSION, n)))
    expect(ids.size).toBe(4)
  })

  it.each(["", "pay_01ABC", "payses_", "payses_01-ABC", "payses_01 ABC", "PAYSES_01ABC", "cart_01ABC", " payses_01ABC", "payses_01ABC-2"])(
    "merchantOrderIdFor rejects the non-session id %p",
    (id) => {
      expect(() => merchantOrderIdFor(id)).toThrow(/Not a payment session id/)
    }
  )

  it("sessionIdFromMerchantOrderId trims surrounding whitespace", () => {
    expect(sessionIdFromMerchantOrderId(`  ${SESSION}-3\n`)).toBe(SESSION)
  })

  it.each<[unknown]>([
    [undefined],
    [null],
    [12345],
    [{}],
    [""],
    ["ORDER12345"],
    ["payses_"],
    ["payses_ABC-"],
    ["payses_ABC-x"],
    ["payses_ABC-12345"],
    ["payses_ABC-2-3"],
    ["xpayses_ABC"],
    ["payses_ABC/../x"],
    ["rf_payses_ABC"],
  ])("sessionIdFromMerchantOrderId returns undefined for %p", (value) => {
    expect(sessionIdFromMerchantOrderId(value)).toBeUndefined()
  })
})

describe("merchant-order-id: refundMerchantIdFor", () => {
  it("keeps a short, gateway-safe key as it is", () => {
    expect(refundMerchantIdFor("ref_01ABC")).toBe("ref_01ABC")
    expect(refundMerchantIdFor("ref-01_abc")).toBe("ref-01_abc")
    expect(refundMerchantIdFor("a".repeat(64))).toBe("a".repeat(64))
  })

  it("hashes a key longer than the limit to exactly the limit", () => {
    const key = "a".repeat(65)
    const id = refundMerchantIdFor(key)
    expect(id).not.toBe(key)
    expect(id).toMatch(/^rf_[0-9a-f]+$/)
    expect(id).toHaveLength(64)
    expect(id).toBe(`rf_${createHash("sha256").update(key).digest("hex").slice(0, 61)}`)
  })

  it.each(["ref 01ABC", "ref_01ABC!", "réf_01", "ref/01", "ref.01", "ref:01", ""])("hashes the odd key %p", (key) => {
    const id = refundMerchantIdFor(key)
    expect(id).toMatch(/^rf_[0-9a-f]{61}$/)
  })

  it("is deterministic and distinguishes different keys", () => {
    const long = "refund-" + "x".repeat(100)
    expect(refundMerchantIdFor(long)).toBe(refundMerchantIdFor(long))
    expect(refundMerchantIdFor("ref 1")).toBe(refundMerchantIdFor("ref 1"))
    expect(refundMerchantIdFor("ref 1")).not.toBe(refundMerchantIdFor("ref 2"))
    expect(refundMerchantIdFor(long)).not.toBe(refundMerchantIdFor(long + "y"))
  })

  it.each([19, 20, 32, 40, 64, 67, 128])("respects maxLength %i", (max) => {
    const key = "k".repeat(max + 1)
    const id = refundMerchantIdFor(key, max)
    expect(id.length).toBeLessThanOrEqual(max)
    expect(id).toMatch(/^rf_[0-9a-f]+$/)
    expect(refundMerchantIdFor("ref_01ABC", max)).toBe("ref_01ABC")
    expect(refundMerchantIdFor("odd key", max).length).toBeLessThanOrEqual(max)
  })

  it("keeps a key of exactly maxLength and hashes one over it", () => {
    expect(refundMerchantIdFor("x".repeat(32), 32)).toBe("x".repeat(32))
    expect(refundMerchantIdFor("x".repeat(33), 32)).toMatch(/^rf_[0-9a-f]{29}$/)
  })
})

describe("refundMerchantIdFor bounds", () => {
  it("refuses a maximum length that cannot hold a hashed id", () => {
    const { refundMerchantIdFor } = require("../merchant-order-id")
    expect(() => refundMerchantIdFor("x".repeat(40), 10)).toThrow("maxLength >= 19")
  })
})
