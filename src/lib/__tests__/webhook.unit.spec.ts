import { headerValue, lookupPaymentSession, parseJsonObject, rawBodyBytes, StoredSession } from "../webhook"

describe("webhook: rawBodyBytes", () => {
  const text = '{"a": "\\u6e2c", "b": "é"}'
  const bytes = Buffer.from(text, "utf8")

  it("returns a Buffer as it is (same bytes, same instance)", () => {
    expect(rawBodyBytes(bytes)).toBe(bytes)
  })

  it("encodes a string as UTF-8", () => {
    expect(rawBodyBytes(text)?.equals(bytes)).toBe(true)
    expect(rawBodyBytes("")?.length).toBe(0)
  })

  it("copies a Uint8Array", () => {
    const out = rawBodyBytes(new Uint8Array(bytes))
    expect(Buffer.isBuffer(out)).toBe(true)
    expect(out?.equals(bytes)).toBe(true)
  })

  it("revives a JSON-serialised Buffer ({ type: 'Buffer', data })", () => {
    const serialised = JSON.parse(JSON.stringify(bytes))
    expect(serialised.type).toBe("Buffer")
    expect(rawBodyBytes(serialised)?.equals(bytes)).toBe(true)
    expect(rawBodyBytes({ type: "Buffer", data: [] })?.length).toBe(0)
  })

  it.each<[unknown]>([
    [undefined],
    [null],
    [42],
    [true],
    [{}],
    [{ a: 1 }],
    [{ type: "Buffer" }],
    [{ type: "Buffer", data: "abc" }],
    [{ type: "buffer", data: [1, 2] }],
    [[1, 2, 3]],
  ])("returns undefined for %p", (input) => {
    expect(rawBodyBytes(input)).toBeUndefined()
  })
})

describe("webhook: headerValue", () => {
  it("finds a header by case-insensitive name", () => {
    const headers = { "X-Acme-SIGN": "ABC", "content-type": "application/json" }
    expect(headerValue(headers, "x-acme-sign")).toBe("ABC")
    expect(headerValue(headers, "X-Acme-Sign")).toBe("ABC")
    expect(headerValue(headers, "Content-Type")).toBe("application/json")
  })

  it("returns the first value of a repeated (array) header", () => {
    expect(headerValue({ "x-acme-sign": ["first", "second"] }, "X-Acme-SIGN")).toBe("first")
  })

  it("returns undefined for a missing header, an empty array or a non-string value", () => {
    expect(headerValue({ a: "1" }, "b")).toBeUndefined()
    expect(headerValue({ a: [] }, "a")).toBeUndefined()
    expect(headerValue({ a: 5 }, "a")).toBeUndefined()
    expect(headerValue({ a: [5] }, "a")).toBeUndefined()
    expect(headerValue({ a: undefined }, "a")).toBeUndefined()
  })

  it("skips a non-string entry and keeps looking for a differently-cased duplicate", () => {
    expect(headerValue({ "X-Acme-SIGN": undefined, "x-acme-sign": "ABC" }, "x-acme-sign")).toBe("ABC")
  })

  it("keeps an empty string value (it is present)", () => {
    expect(headerValue({ "x-acme-sign": "" }, "x-acme-sign")).toBe("")
  })

  it.each<[unknown]>([[undefined], [null], ["x-acme-sign: ABC"], [42]])("returns undefined for the headers %p", (headers) => {
    expect(headerValue(headers, "x-acme-sign")).toBeUndefined()
  })
})

describe("webhook: parseJsonObject", () => {
  it("parses a JSON object", () => {
    expect(parseJsonObject(Buffer.from('{"respcd": "0000", "txamt": "10", "n": {"x": 1}}'))).toEqual({
      respcd: "0000",
      txamt: "10",
      n: { x: 1 },
    })
  })

  it("decodes UTF-8 and \\u escapes", () => {
    expect(parseJsonObject(Buffer.from('{"a": "\\u6e2c", "b": "測"}'))).toEqual({ a: "測", b: "測" })
  })

  it.each(["[1,2]", "null", "42", '"text"', "true", "", "{not json", "{\"a\":1} trailing", "a=1&b=2"])(
    "returns undefined (never throws) for %p",
    (text) => {
      expect(() => parseJsonObject(Buffer.from(text))).not.toThrow()
      expect(parseJsonObject(Buffer.from(text))).toBeUndefined()
    }
  )
})

describe("webhook: lookupPaymentSession", () => {
  const session: StoredSession = {
    id: "payses_01ABC",
    provider_id: "pp_acmepay_acmepay",
    amount: 10.5,
    currency_code: "hkd",
    status: "pending",
    data: { out_trade_no: "payses_01ABC" },
  }

  it("returns the session from the container's paymentSessionService", async () => {
    const retrieve = jest.fn(async (id: string) => ({ ...session, id }))
    const result = await lookupPaymentSession({ paymentSessionService: { retrieve } }, "payses_01ABC")
    expect(result).toEqual(session)
    expect(retrieve).toHaveBeenCalledTimes(1)
    expect(retrieve.mock.calls[0][0]).toBe("payses_01ABC")
    const config = (retrieve.mock.calls[0] as unknown[])[1] as { select: string[] }
    expect(config.select).toEqual(expect.arrayContaining(["id", "amount", "currency_code", "status", "data"]))
  })

  it("returns undefined when the container throws on access (awilix-style proxy)", async () => {
    const container = new Proxy(
      {},
      {
        get(_target, name) {
          throw new Error(`Could not resolve '${String(name)}'`)
        },
      }
    )
    await expect(lookupPaymentSession(container, "payses_01ABC")).resolves.toBeUndefined()
  })

  it("returns undefined when a throwing getter guards the service", async () => {
    const container = {}
    Object.defineProperty(container, "paymentSessionService", {
      get() {
        throw new Error("AwilixResolutionError")
      },
    })
    await expect(lookupPaymentSession(container, "payses_01ABC")).resolves.toBeUndefined()
  })

  it.each<[string, unknown]>([
    ["an empty container", {}],
    ["a null container", null],
    ["an undefined container", undefined],
    ["a service without retrieve", { paymentSessionService: {} }],
    ["a service whose retrieve is not a function", { paymentSessionService: { retrieve: "nope" } }],
  ])("returns undefined for %s", async (_label, container) => {
    await expect(lookupPaymentSession(container, "payses_01ABC")).resolves.toBeUndefined()
  })

  it("returns undefined when retrieve rejects (session not found)", async () => {
    const retrieve = jest.fn(async () => {
      throw new Error("PaymentSession with id: payses_missing was not found")
    })
    await expect(lookupPaymentSession({ paymentSessionService: { retrieve } }, "payses_missing")).resolves.toBeUndefined()
    expect(retrieve).toHaveBeenCalledTimes(1)
  })

  it("returns undefined when retrieve throws synchronously", async () => {
    const retrieve = () => {
      throw new Error("sync")
    }
    await expect(lookupPaymentSession({ paymentSessionService: { retrieve } }, "payses_01ABC")).resolves.toBeUndefined()
  })
})
