import { moduleProviderLoader } from "@medusajs/framework/modules-sdk"
import { createMedusaContainer } from "@medusajs/framework/utils"
import qfpayModule from "../index"

// Medusa's own loader, as it runs at boot for each `providers[]` entry of the payment module.
async function boot(options: Record<string, unknown>) {
  const container = createMedusaContainer()
  container.register("logger", { resolve: () => console } as any)
  await moduleProviderLoader({ container, providers: [{ resolve: qfpayModule as any, id: "qfpay", options }] })
  return container
}

const good = { appCode: "APP", clientKey: "0123456789abcdef", mode: "direct", baseUrl: "http://localhost:9301" }

describe("QFPay provider at boot", () => {
  it("loads with valid options", async () => {
    await expect(boot(good)).resolves.toBeDefined()
  })

  it.each([
    [{ ...good, clientKey: "" }, 'QFPay provider option "clientKey"'],
    [{ ...good, baseUrl: "http://qfpay.example.com" }, 'QFPay provider option "baseUrl": must use https'],
    [{ ...good, mode: "checkout" }, 'QFPay provider option "notifyUrl": is required when mode is "checkout"'],
    [{ ...good, allowedPayTypes: ["999999"] }, 'QFPay provider option "allowedPayTypes.0"'],
  ])("stops boot naming the bad field (%#)", async (options, message) => {
    await expect(boot(options)).rejects.toThrow(message)
  })
})
