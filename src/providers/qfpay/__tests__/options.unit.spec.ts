import { QfpayProviderService } from "../service"
import { parseQfpayOptions } from "../options"

const valid = {
  appCode: "APP",
  clientKey: "0123456789abcdef",
  notifyUrl: "https://shop.example/hooks/payment/qfpay_qfpay",
  returnUrl: "https://shop.example/return",
  failedUrl: "https://shop.example/failed",
}

describe("QFPay options", () => {
  it("applies documented defaults", () => {
    const o = parseQfpayOptions(valid)
    expect(o).toMatchObject({
      environment: "production",
      baseUrl: "https://openapi-hk.qfapi.com",
      signType: "SHA256",
      mode: "checkout",
      allowedPayTypes: ["800201"],
      qrExpiryMinutes: 30,
      pageExpiryMinutes: 30,
      paysource: "medusa_checkout",
      timeoutMs: 15000,
      maxRetries: 2,
      debug: false,
    })
  })

  it("picks the host for the environment, and baseUrl overrides it", () => {
    expect(parseQfpayOptions({ ...valid, environment: "sandbox" }).baseUrl).toBe("https://openapi-int.qfapi.com")
    expect(parseQfpayOptions({ ...valid, environment: "live-test" }).baseUrl).toBe("https://test-openapi-hk.qfapi.com")
    expect(parseQfpayOptions({ ...valid, baseUrl: "http://localhost:9301/" }).baseUrl).toBe("http://localhost:9301")
  })

  it.each([
    [{ ...valid, clientKey: undefined }, "clientKey"],
    [{ ...valid, appCode: "" }, "appCode"],
    [{ ...valid, signType: "SHA1" }, "signType"],
    [{ ...valid, mode: "iframe" }, "mode"],
    [{ ...valid, baseUrl: "http://openapi-hk.qfapi.com" }, "baseUrl"],
    [{ ...valid, allowedPayTypes: ["800208"] }, "allowedPayTypes.0"],
    [{ ...valid, allowedPayTypes: [] }, "allowedPayTypes"],
    [{ ...valid, qrExpiryMinutes: 3 }, "qrExpiryMinutes"],
    [{ ...valid, paysource: "web" }, "paysource"],
    [{ ...valid, notifyUrl: undefined }, "notifyUrl"],
    [{ ...valid, returnUrl: "not a url" }, "returnUrl"],
    [{ ...valid, clientKy: "typo" }, "(options)"],
  ])("refuses bad options at boot, naming the field (%#)", (options, field) => {
    expect(() => QfpayProviderService.validateOptions(options as Record<string, unknown>)).toThrow(
      `QFPay provider option "${field}"`
    )
  })

  it("never echoes the client key in the error", () => {
    try {
      QfpayProviderService.validateOptions({ ...valid, clientKey: "short", mode: "bogus" })
      throw new Error("expected a throw")
    } catch (error) {
      expect((error as Error).message).not.toContain("short")
    }
  })

  it("direct mode needs no return/failed URL", () => {
    expect(() => parseQfpayOptions({ appCode: "APP", clientKey: "0123456789abcdef", mode: "direct" })).not.toThrow()
  })
})
