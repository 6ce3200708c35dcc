import { medusaIntegrationTestRunner } from "@medusajs/test-utils"

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  inApp: true,
  env: {},
  testSuite: ({ api, getContainer }) => {
    it("boots and registers the QFPay provider", async () => {
      const res = await api.get("/health")
      expect(res.status).toBe(200)
      const payment = getContainer().resolve("payment") as any
      const providers = await payment.listPaymentProviders({})
      expect(providers.map((p: any) => p.id)).toContain("pp_qfpay_qfpay")
    })
  },
})
