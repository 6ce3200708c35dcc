import { createRedactor, REDACTED } from "../redact"

const CLIENT_KEY = "CK_9f8e7d6c5b4a"
const API_KEY = "api+key/with=chars&more"

describe("redact: text", () => {
  const redactor = createRedactor([CLIENT_KEY, API_KEY, undefined, null])

  it("replaces every occurrence of a secret", () => {
    expect(redactor.text(`key=${CLIENT_KEY} again ${CLIENT_KEY}.`)).toBe(`key=${REDACTED} again ${REDACTED}.`)
  })

  it("replaces a secret inside JSON text", () => {
    const out = redactor.text(JSON.stringify({ note: `prefix${CLIENT_KEY}suffix` }))
    expect(out).not.toContain(CLIENT_KEY)
    expect(out).toBe(`{"note":"prefix${REDACTED}suffix"}`)
  })

  it("replaces the URL-encoded form of a secret (URL and form body)", () => {
    const encoded = encodeURIComponent(API_KEY)
    expect(encoded).not.toBe(API_KEY)
    const url = `https://gw.example/x?a=1&b=${encoded}&c=2`
    const out = redactor.text(url)
    expect(out).not.toContain(encoded)
    expect(out).toBe(`https://gw.example/x?a=1&b=${REDACTED}&c=2`)

    const form = new URLSearchParams({ data: API_KEY, other: "x" }).toString()
    expect(redactor.text(form)).not.toContain(encoded)
    expect(redactor.text(form)).toBe(`data=${REDACTED}&other=x`)
  })

  it("masks the longest secret whole when one secret contains another", () => {
    const r = createRedactor(["abcd", "abcdefgh"])
    expect(r.text("xx abcdefgh yy abcd")).toBe(`xx ${REDACTED} yy ${REDACTED}`)
  })

  it("ignores secrets shorter than 4 characters (and empty ones)", () => {
    const r = createRedactor(["a", "ab", "abc", ""])
    expect(r.text("a ab abc abcd")).toBe("a ab abc abcd")
  })

  it("masks a 4-character secret", () => {
    expect(createRedactor(["wxyz"]).text("wxyz")).toBe(REDACTED)
  })

  it("masks sign=/token=/key= values in query strings even without configured secrets", () => {
    const r = createRedactor([])
    expect(r.text("https://h/p?sign=ABCDEF0123&x=1")).toBe(`https://h/p?sign=${REDACTED}&x=1`)
    expect(r.text("https://h/p?x=1&signature=abc#frag")).toBe(`https://h/p?x=1&signature=${REDACTED}#frag`)
    expect(r.text("https://h/p#access_token=tok123")).toBe(`https://h/p#access_token=${REDACTED}`)
    expect(r.text("https://h/p?SIGN=abc&accessToken=def")).toBe(`https://h/p?SIGN=${REDACTED}&accessToken=${REDACTED}`)
    expect(r.text('see "https://h/p?key=k1" now')).toBe(`see "https://h/p?key=${REDACTED}" now`)
    expect(r.text("https://h/p?api_key=1 and ?token=2")).toBe(`https://h/p?api_key=${REDACTED} and ?token=${REDACTED}`)
  })

  it("does not mask parameters that merely end with a sensitive name", () => {
    const r = createRedactor([])
    expect(r.text("https://h/p?sign_type=MD5&monkey=1")).toBe("https://h/p?sign_type=MD5&monkey=1")
  })

  it("leaves text without secrets unchanged", () => {
    expect(redactor.text("nothing to see")).toBe("nothing to see")
  })
})

describe("redact: value", () => {
  const redactor = createRedactor([CLIENT_KEY], ["X-Custom-Secret"])

  it("masks sensitive names case-insensitively in nested objects and arrays", () => {
    const input = {
      headers: { Authorization: "Basic abc", "X-Acme-SIGN": "ABCDEF", "x-acme-signtype": "MD5", Accept: "json" },
      body: {
        sign: "s1",
        Signature: "s2",
        client_key: "k",
        token: "t",
        nested: [{ password: "p", api_key: "a", ok: "fine" }, "plain", 42, true, null],
      },
      "x-custom-secret": "extra",
    }
    expect(redactor.value(input)).toEqual({
      headers: { Authorization: REDACTED, "X-Acme-SIGN": REDACTED, "x-acme-signtype": "MD5", Accept: "json" },
      body: {
        sign: REDACTED,
        Signature: REDACTED,
        client_key: REDACTED,
        token: REDACTED,
        nested: [{ password: REDACTED, api_key: REDACTED, ok: "fine" }, "plain", 42, true, null],
      },
      "x-custom-secret": REDACTED,
    })
  })

  it("masks a sensitive name whatever its value type (object, number)", () => {
    expect(redactor.value({ secret: { a: 1 }, key: 12345 })).toEqual({ secret: REDACTED, key: REDACTED })
  })

  it("keeps empty/absent sensitive values as they are (nothing to hide)", () => {
    expect(redactor.value({ sign: "", token: null, key: undefined })).toEqual({ sign: "", token: null, key: undefined })
  })

  it("scrubs configured secrets from strings under non-sensitive names", () => {
    expect(redactor.value({ note: `k=${CLIENT_KEY}`, list: [CLIENT_KEY] })).toEqual({
      note: `k=${REDACTED}`,
      list: [REDACTED],
    })
  })

  it("handles URLSearchParams (as a plain masked copy)", () => {
    const params = new URLSearchParams({ mchid: "M1", sign: "ABC", note: CLIENT_KEY })
    expect(redactor.value(params)).toEqual({ mchid: "M1", sign: REDACTED, note: REDACTED })
    expect(params.get("sign")).toBe("ABC")
  })

  it("turns a Buffer into scrubbed text", () => {
    expect(redactor.value(Buffer.from(`body ${CLIENT_KEY}`))).toBe(`body ${REDACTED}`)
  })

  it("returns primitives unchanged (strings scrubbed)", () => {
    expect(redactor.value(42)).toBe(42)
    expect(redactor.value(null)).toBeNull()
    expect(redactor.value(undefined)).toBeUndefined()
    expect(redactor.value(false)).toBe(false)
    expect(redactor.value(CLIENT_KEY)).toBe(REDACTED)
  })

  it("never mutates its input and returns a deep copy", () => {
    const input = {
      headers: { "X-Acme-SIGN": "ABCDEF" },
      form: { note: CLIENT_KEY, items: [{ token: "t" }] },
    }
    const snapshot = JSON.parse(JSON.stringify(input))
    const out = redactor.value(input)
    expect(input).toEqual(snapshot)
    expect(out).not.toBe(input)
    expect(out.headers).not.toBe(input.headers)
    expect(out.form.items).not.toBe(input.form.items)
    expect(out.form.items[0]).not.toBe(input.form.items[0])
    out.form.items.push({ token: "other" })
    expect(input.form.items).toHaveLength(1)
  })

  it("stops at a depth limit instead of recursing forever", () => {
    type Deep = { next?: Deep; v?: string }
    const root: Deep = {}
    let cursor = root
    for (let i = 0; i < 20; i++) {
      cursor.next = {}
      cursor = cursor.next
    }
    cursor.v = CLIENT_KEY
    const out = JSON.stringify(redactor.value(root))
    expect(out).not.toContain(CLIENT_KEY)
    expect(out).toContain(REDACTED)
  })

  it("does not blow up on a circular structure", () => {
    const a: Record<string, unknown> = { name: "a" }
    a.self = a
    expect(() => redactor.value(a)).not.toThrow()
  })
})

describe("form-encoded secrets", () => {
  it("masks a secret as it appears in a form body (space as +)", () => {
    const { createRedactor } = require("../redact")
    const r = createRedactor(["my secret*key"])
    expect(r.text("api-key=my+secret*key&x=1")).not.toContain("secret")
  })
})
