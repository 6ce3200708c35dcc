import {
  compactParams,
  constantTimeEqual,
  constantTimeEqualHex,
  digestHex,
  hmacSha256Hex,
  md5Hex,
  sha256Hex,
  signSortedParams,
  sortedParamString,
} from "../signing"

// Sorted-parameter vectors as a gateway documents them (the gateway's own vector tests live with its provider).
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

describe("signing: parameter handling", () => {
  it("drops undefined, null and empty-string values but keeps 0 and '0'", () => {
    const params = { a: "1", b: undefined, c: null, d: "", e: 0, f: "0" }
    expect(compactParams(params)).toEqual({ a: "1", e: "0", f: "0" })
    expect(sortedParamString(params)).toBe("a=1&e=0&f=0")
  })

  it("signs the same with and without empty params", () => {
    expect(signSortedParams({ ...VECTOR_1, goods_name: "", udid: undefined, extra: null }, VECTOR_1_KEY, "md5")).toBe(
      VECTOR_1_MD5.toLowerCase()
    )
  })

  it("stringifies numbers", () => {
    expect(compactParams({ n: 12.5, m: -3 })).toEqual({ n: "12.5", m: "-3" })
  })

  it("sorts by ASCII code unit: upper case before lower case, '_' between them, digits first", () => {
    const params = { b: "1", a: "2", B: "3", A: "4", _x: "5", "1k": "6", aa: "7" }
    expect(sortedParamString(params)).toBe("1k=6&A=4&B=3&_x=5&a=2&aa=7&b=1")
  })

  it("sorts a prefix before its extensions (txamt before txamt_x)", () => {
    expect(sortedParamString({ txamt_x: "2", txamt: "1" })).toBe("txamt=1&txamt_x=2")
  })

  it("does not use locale-aware sorting", () => {
    // localeCompare would put "a" before "B"; code-unit order puts "B" (0x42) first.
    expect(sortedParamString({ a: "1", B: "2" })).toBe("B=2&a=1")
  })

  it("uses raw, unencoded values", () => {
    expect(sortedParamString({ extend_info: '{"k":"v & w"}', name: "小林" })).toBe('extend_info={"k":"v & w"}&name=小林')
  })

  it("leaves excluded names out of the string and the signature", () => {
    const params = { ...VECTOR_1, sign: "whatever", sign_type: "MD5" }
    expect(sortedParamString(params, ["sign", "sign_type"])).toBe("mchid=ZaMVg12345&txamt=100&txcurrcd=HKD")
    expect(signSortedParams(params, VECTOR_1_KEY, "md5", ["sign", "sign_type"])).toBe(VECTOR_1_MD5.toLowerCase())
    expect(signSortedParams(params, VECTOR_1_KEY, "md5")).not.toBe(VECTOR_1_MD5.toLowerCase())
  })

  it("treats names as case-sensitive (exclude and signature)", () => {
    expect(sortedParamString({ Sign: "x", sign: "y" }, ["sign"])).toBe("Sign=x")
    expect(signSortedParams({ MCHID: "ZaMVg12345", txamt: 100, txcurrcd: "HKD" }, VECTOR_1_KEY, "md5")).not.toBe(
      VECTOR_1_MD5.toLowerCase()
    )
  })

  it("treats values as case-sensitive", () => {
    expect(signSortedParams({ ...VECTOR_1, txcurrcd: "hkd" }, VECTOR_1_KEY, "md5")).not.toBe(VECTOR_1_MD5.toLowerCase())
  })

  it("returns an empty string for no params", () => {
    expect(sortedParamString({})).toBe("")
    expect(signSortedParams({}, "key", "md5")).toBe(md5Hex("key"))
  })
})

describe("signing: digests", () => {
  it("hashes the concatenation of parts, strings as UTF-8, buffers and Uint8Arrays as bytes", () => {
    expect(md5Hex("")).toBe("d41d8cd98f00b204e9800998ecf8427e")
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(md5Hex("a", "b", "c")).toBe(md5Hex("abc"))
    expect(sha256Hex(Buffer.from("ab"), new Uint8Array([0x63]))).toBe(sha256Hex("abc"))
    expect(digestHex("sha256", "é")).toBe(sha256Hex(Buffer.from([0xc3, 0xa9])))
  })

  it("computes HMAC-SHA256 (RFC 4231 test case 1 and 2)", () => {
    const key = Buffer.alloc(20, 0x0b)
    expect(hmacSha256Hex(key, "Hi There")).toBe("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    expect(hmacSha256Hex("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
  })

  it("accepts a string secret as UTF-8 bytes", () => {
    expect(hmacSha256Hex("Jefe", Buffer.from("what do ya want for nothing?"))).toBe(
      hmacSha256Hex(Buffer.from("Jefe"), "what do ya want for nothing?")
    )
  })
})

describe("signing: constantTimeEqual", () => {
  it("is true for equal strings", () => {
    expect(constantTimeEqual("abc123", "abc123")).toBe(true)
    expect(constantTimeEqual("小林", "小林")).toBe(true)
  })

  it("is false for different strings of the same length", () => {
    expect(constantTimeEqual("abc123", "abc124")).toBe(false)
  })

  it("is case-sensitive", () => {
    expect(constantTimeEqual("ABC", "abc")).toBe(false)
  })

  it("is false (not a throw) for different lengths, including a same-length string with multi-byte characters", () => {
    expect(() => constantTimeEqual("abc", "abcd")).not.toThrow()
    expect(constantTimeEqual("abc", "abcd")).toBe(false)
    expect(constantTimeEqual("abcd", "abc")).toBe(false)
    expect(constantTimeEqual("ab", "é")).toBe(false)
    expect(constantTimeEqual("aa", "éa")).toBe(false)
  })

  it.each([undefined, null, 123, ["abc"], { toString: () => "abc" }, Buffer.from("abc")])(
    "is false for a non-string received value %p",
    (received) => {
      expect(() => constantTimeEqual("abc", received)).not.toThrow()
      expect(constantTimeEqual("abc", received)).toBe(false)
    }
  )

  it("is false when the expected value is empty (never accepts a missing secret)", () => {
    expect(constantTimeEqual("", "")).toBe(false)
    expect(constantTimeEqual("", "x")).toBe(false)
  })

  it("is false, not a throw, when the expected value is not a string at runtime", () => {
    expect(constantTimeEqual(undefined as unknown as string, "abc")).toBe(false)
    expect(constantTimeEqual(null as unknown as string, null)).toBe(false)
  })
})

describe("signing: constantTimeEqualHex", () => {
  const sig = VECTOR_1_MD5.toLowerCase()

  it("ignores letter case in either argument", () => {
    expect(constantTimeEqualHex(sig, VECTOR_1_MD5)).toBe(true)
    expect(constantTimeEqualHex(VECTOR_1_MD5, sig)).toBe(true)
    expect(constantTimeEqualHex(sig, sig)).toBe(true)
  })

  it("ignores surrounding whitespace in the received header value", () => {
    expect(constantTimeEqualHex(sig, ` ${VECTOR_1_MD5}\n`)).toBe(true)
  })

  it("is false for a different digest, a truncated digest, or a digest of another algorithm", () => {
    expect(constantTimeEqualHex(sig, VECTOR_1_MD5.replace(/^3/, "4"))).toBe(false)
    expect(constantTimeEqualHex(sig, VECTOR_1_MD5.slice(0, 31))).toBe(false)
    expect(constantTimeEqualHex(sig, VECTOR_1_SHA256)).toBe(false)
  })

  it.each([undefined, null, 0, {}, []])("is false for a non-string received value %p", (received) => {
    expect(() => constantTimeEqualHex(sig, received)).not.toThrow()
    expect(constantTimeEqualHex(sig, received)).toBe(false)
  })

  it("is false for an empty expected value", () => {
    expect(constantTimeEqualHex("", "")).toBe(false)
  })
})
