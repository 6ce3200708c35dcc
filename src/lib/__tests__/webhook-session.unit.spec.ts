import { sessionForWebhook } from "../webhook"

const cradle = (session: unknown) => ({
  paymentSessionService: {
    retrieve: async (id: string) => {
      if (!session) throw new Error(`not found ${id}`)
      return session
    },
  },
})

describe("sessionForWebhook", () => {
  const session = { id: "payses_1", provider_id: "pp_acmepay_acmepay", amount: { value: "10.5", precision: 20 }, currency_code: "hkd", status: "pending", data: {} }

  it("returns the session with its amount in minor units", async () => {
    await expect(sessionForWebhook(cradle(session), "payses_1", "acmepay")).resolves.toMatchObject({
      ok: true,
      currency: "HKD",
      expectedMinor: 1050n,
    })
  })

  it("accepts any registration id of the provider and refuses other providers", async () => {
    await expect(sessionForWebhook(cradle({ ...session, provider_id: "pp_acmepay_acmepay-direct" }), "payses_1", "acmepay")).resolves.toMatchObject({ ok: true })
    await expect(sessionForWebhook(cradle({ ...session, provider_id: "pp_acmepayx_acmepay" }), "payses_1", "acmepay")).resolves.toMatchObject({ ok: false })
    await expect(sessionForWebhook(cradle({ ...session, provider_id: "pp_stripe_stripe" }), "payses_1", "acmepay")).resolves.toMatchObject({ ok: false })
  })

  it("reports a missing session or unreadable amount without throwing", async () => {
    await expect(sessionForWebhook(cradle(undefined), "payses_1", "acmepay")).resolves.toEqual({ ok: false, reason: "no payment session payses_1" })
    await expect(sessionForWebhook(cradle({ ...session, amount: "abc" }), "payses_1", "acmepay")).resolves.toMatchObject({ ok: false })
    await expect(sessionForWebhook({}, "payses_1", "acmepay")).resolves.toMatchObject({ ok: false })
  })
})
