import { MedusaError } from "@medusajs/framework/utils"
import { GatewayError, GatewayErrorKind, isGatewayError, toMedusaError } from "../errors"

const ALL_KINDS: GatewayErrorKind[] = [
  "config",
  "invalid_request",
  "declined",
  "retry_later",
  "rate_limited",
  "not_sent",
  "indeterminate",
  "malformed_response",
]

describe("errors: GatewayError", () => {
  it("carries kind, gateway, code, httpStatus and message", () => {
    const error = new GatewayError("declined", "AcmePay", "refund refused", { code: "1297", httpStatus: 200 })
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe("GatewayError")
    expect(error.message).toBe("refund refused")
    expect(error.kind).toBe("declined")
    expect(error.gateway).toBe("AcmePay")
    expect(error.code).toBe("1297")
    expect(error.httpStatus).toBe(200)
  })

  it("leaves code and httpStatus undefined when not given", () => {
    const error = new GatewayError("not_sent", "AcmePay", "refused")
    expect(error.code).toBeUndefined()
    expect(error.httpStatus).toBeUndefined()
  })

  it.each(ALL_KINDS)("maybeProcessed for %s", (kind) => {
    const expected = kind === "indeterminate" || kind === "malformed_response"
    expect(new GatewayError(kind, "G", "m").maybeProcessed).toBe(expected)
  })

  it("isGatewayError recognises only GatewayError instances", () => {
    expect(isGatewayError(new GatewayError("config", "G", "m"))).toBe(true)
    expect(isGatewayError(new Error("m"))).toBe(false)
    expect(isGatewayError({ kind: "config", gateway: "G", message: "m" })).toBe(false)
    expect(isGatewayError(undefined)).toBe(false)
  })
})

describe("errors: toMedusaError", () => {
  it.each<[GatewayErrorKind, string]>([
    ["config", MedusaError.Types.INVALID_DATA],
    ["invalid_request", MedusaError.Types.INVALID_DATA],
    ["declined", MedusaError.Types.NOT_ALLOWED],
    ["retry_later", MedusaError.Types.UNEXPECTED_STATE],
    ["rate_limited", MedusaError.Types.UNEXPECTED_STATE],
    ["not_sent", MedusaError.Types.UNEXPECTED_STATE],
    ["indeterminate", MedusaError.Types.UNEXPECTED_STATE],
    ["malformed_response", MedusaError.Types.UNEXPECTED_STATE],
  ])("maps %s to MedusaError type %s", (kind, type) => {
    const out = toMedusaError(new GatewayError(kind, "AcmePay", "something happened"), "capture the payment")
    expect(out).toBeInstanceOf(MedusaError)
    expect(out.type).toBe(type)
    expect(out.message).toMatch(/^AcmePay: could not capture the payment: something happened\. /)
  })

  it("includes the gateway's code when present", () => {
    const out = toMedusaError(new GatewayError("declined", "AcmePay", "over refund", { code: "1297" }), "refund the payment")
    expect(out.message).toContain("(code 1297)")
    expect(out.message).toBe(
      "AcmePay: could not refund the payment: over refund (code 1297). The gateway declined the operation."
    )
  })

  it("omits the code part when there is none", () => {
    expect(toMedusaError(new GatewayError("declined", "AcmePay", "no"), "x").message).not.toContain("code")
  })

  it("gives actionable advice for every kind; indeterminate says not to repeat", () => {
    for (const kind of ALL_KINDS) {
      const message = toMedusaError(new GatewayError(kind, "G", "m"), "act").message
      expect(message.length).toBeGreaterThan("G: could not act: m. ".length)
    }
    expect(toMedusaError(new GatewayError("indeterminate", "G", "m"), "act").message).toMatch(/do not repeat/)
    expect(toMedusaError(new GatewayError("not_sent", "G", "m"), "act").message).toMatch(/nothing was sent/)
  })

  it("passes a MedusaError through unchanged (same instance)", () => {
    const original = new MedusaError(MedusaError.Types.NOT_FOUND, "missing")
    expect(toMedusaError(original, "x")).toBe(original)
  })

  it("wraps a plain Error as UNEXPECTED_STATE with its message", () => {
    const out = toMedusaError(new TypeError("boom"), "authorize the payment")
    expect(out).toBeInstanceOf(MedusaError)
    expect(out.type).toBe(MedusaError.Types.UNEXPECTED_STATE)
    expect(out.message).toBe("Could not authorize the payment: boom")
  })

  it("wraps non-Error throwables", () => {
    expect(toMedusaError("string thrown", "x").message).toBe("Could not x: string thrown")
    expect(toMedusaError(undefined, "x").message).toBe("Could not x: undefined")
    expect(toMedusaError(42, "x").type).toBe(MedusaError.Types.UNEXPECTED_STATE)
  })
})
