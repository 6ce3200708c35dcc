import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { httpTuningSchema, parseProviderOptions, publicUrl, secureUrl } from "../options"

const SECRET = "sk_live_DO_NOT_LEAK_0123456789"

const schema = z.object({
  clientKey: z.string().min(8),
  appCode: z.string(),
  baseUrl: secureUrl.optional(),
  signType: z.enum(["MD5", "SHA256"]).default("SHA256"),
  nested: z.object({ secret: z.string().min(40) }).optional(),
  ...httpTuningSchema,
})

function captureError(fn: () => unknown): MedusaError {
  try {
    fn()
  } catch (error) {
    return error as MedusaError
  }
  throw new Error("expected a throw")
}

describe("options: parseProviderOptions", () => {
  it("returns the parsed data with defaults applied", () => {
    const parsed = parseProviderOptions("AcmePay", schema, { clientKey: SECRET, appCode: "A1" })
    expect(parsed).toEqual({
      clientKey: SECRET,
      appCode: "A1",
      signType: "SHA256",
      timeoutMs: 15_000,
      maxRetries: 2,
      debug: false,
    })
  })

  it("names the missing field with the provider name, as a MedusaError INVALID_DATA", () => {
    const error = captureError(() => parseProviderOptions("AcmePay", schema, { appCode: "A1" }))
    expect(error).toBeInstanceOf(MedusaError)
    expect(error.type).toBe(MedusaError.Types.INVALID_DATA)
    expect(error.message).toContain('AcmePay provider option "clientKey"')
    expect(error.message).toContain('AcmePay provider option "clientKey": is required')
  })

  it("treats undefined/null options as an empty object (reports every required field)", () => {
    for (const options of [undefined, null]) {
      const error = captureError(() => parseProviderOptions("AcmePay", schema, options))
      expect(error.message).toContain('AcmePay provider option "clientKey"')
      expect(error.message).toContain('AcmePay provider option "appCode"')
      expect(error.message.split("; ")).toHaveLength(2)
    }
  })

  it("reports a nested path with dots and a non-object root as (options)", () => {
    const nested = captureError(() => parseProviderOptions("AcmePay", schema, { clientKey: SECRET, appCode: "A", nested: { secret: SECRET } }))
    expect(nested.message).toContain('AcmePay provider option "nested.secret"')
    const root = captureError(() => parseProviderOptions("AcmePay", schema, "not an object"))
    expect(root.message).toContain('AcmePay provider option "(options)"')
  })

  it("never echoes a bad value (it could be a secret)", () => {
    const cases: unknown[] = [
      { clientKey: SECRET.slice(0, 5), appCode: "A" }, // too short: value must not be shown
      { clientKey: SECRET, appCode: SECRET.length }, // wrong type
      { clientKey: SECRET, appCode: "A", nested: { secret: SECRET } }, // too short nested
      { clientKey: SECRET, appCode: "A", baseUrl: `http://${SECRET}.example.com/` }, // insecure URL
      { clientKey: SECRET, appCode: "A", signType: SECRET }, // key pasted into the wrong (enum) field
      { clientKey: SECRET, appCode: "A", timeoutMs: SECRET },
    ]
    for (const options of cases) {
      const error = captureError(() => parseProviderOptions("AcmePay", schema, options))
      expect(error.message).toMatch(/^AcmePay provider option "/)
      expect(error.message).not.toContain(SECRET)
      expect(error.message).not.toContain(SECRET.slice(0, 5))
    }
  })

  it("still tells which enum values are allowed", () => {
    const error = captureError(() => parseProviderOptions("AcmePay", schema, { clientKey: SECRET, appCode: "A", signType: "md5x" }))
    expect(error.message).toContain('AcmePay provider option "signType"')
    expect(error.message).toContain("MD5")
    expect(error.message).toContain("SHA256")
    expect(error.message).not.toContain("md5x")
  })

  it("uses the given provider name", () => {
    expect(captureError(() => parseProviderOptions("ChargePay", schema, {})).message).toContain('ChargePay provider option "clientKey"')
  })
})

describe("options: secureUrl", () => {
  it.each(["https://openapi-hk.qfapi.com", "http://localhost:9000", "http://127.0.0.1:4010/path", "http://[::1]:8080"])(
    "accepts %s",
    (url) => {
      expect(secureUrl.safeParse(url).success).toBe(true)
    }
  )

  it.each(["http://example.com", "http://openapi-hk.qfapi.com", "ftp://localhost/x", "not a url", "", "localhost:9000"])(
    "refuses %p",
    (url) => {
      const result = secureUrl.safeParse(url)
      expect(result.success).toBe(false)
    }
  )

  it("says why plain http was refused", () => {
    const result = secureUrl.safeParse("http://example.com")
    expect(result.success).toBe(false)
    if (!result.success) expect(result.error.issues[0].message).toMatch(/must use https/)
  })

  it("refuses non-strings", () => {
    expect(secureUrl.safeParse(42).success).toBe(false)
  })
})

describe("options: publicUrl", () => {
  it("accepts http and https URLs on any host", () => {
    expect(publicUrl.safeParse("http://shop.example.com/return").success).toBe(true)
    expect(publicUrl.safeParse("https://shop.example.com/return").success).toBe(true)
  })

  it("refuses other schemes and non-URLs", () => {
    expect(publicUrl.safeParse("javascript:alert(1)").success).toBe(false)
    expect(publicUrl.safeParse("ftp://shop.example.com").success).toBe(false)
    expect(publicUrl.safeParse("shop.example.com").success).toBe(false)
  })
})

describe("options: httpTuningSchema", () => {
  const tuning = z.object(httpTuningSchema)

  it("has defaults 15000 ms, 2 retries, debug off", () => {
    expect(tuning.parse({})).toEqual({ timeoutMs: 15_000, maxRetries: 2, debug: false })
  })

  it("accepts values within bounds", () => {
    expect(tuning.parse({ timeoutMs: 100, maxRetries: 0, debug: true })).toEqual({ timeoutMs: 100, maxRetries: 0, debug: true })
    expect(tuning.parse({ timeoutMs: 120_000, maxRetries: 5 })).toMatchObject({ timeoutMs: 120_000, maxRetries: 5 })
  })

  it.each([
    { timeoutMs: 99 },
    { timeoutMs: 120_001 },
    { timeoutMs: 1500.5 },
    { timeoutMs: "15000" },
    { maxRetries: -1 },
    { maxRetries: 6 },
    { maxRetries: 1.5 },
    { debug: "true" },
  ])("rejects %p", (input) => {
    expect(tuning.safeParse(input).success).toBe(false)
  })
})
