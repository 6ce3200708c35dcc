import { BigNumber } from "bignumber.js"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { chargedAtGateway, payAtGateway, type RegistrationId } from "../helpers/gateways"
import { shopSuite } from "../helpers/shop-suite"
import { orderForCart, seedShop, waitFor } from "../helpers/store"

jest.setTimeout(240_000)

/**
 * Real stores charge tax and run percentage promotions, so Medusa's totals are unrounded (the payment
 * collection's amount is the cart's raw_total). For every registration of the dev store, with a tax-exclusive
 * and a tax-inclusive region and a 12.5% promotion: the shopper pays what the gateway was asked for (Medusa's
 * amount rounded as Medusa rounds it), the order is captured with nothing outstanding, two refunds (one of
 * 3.33) add up to exactly what was charged, and one minor unit more is refused.
 */
const PROMO = { code: "TAKE12", percent: 12.5 }
const QFPAY = ["pp_qfpay_qfpay", "pp_qfpay_qfpay-direct"]
const USD_GATEWAYS = ["pp_quantapay_quantapay", "pp_qbitpay_qbitpay"]

const CASES: Array<{ provider: RegistrationId; region: string; country: string; exponent: number }> = [
  { provider: "pp_qfpay_qfpay", region: "Hong Kong (8.875% on top)", country: "hk", exponent: 2 },
  { provider: "pp_qfpay_qfpay", region: "Macau (12.5% included)", country: "mo", exponent: 2 },
  { provider: "pp_qfpay_qfpay-direct", region: "Hong Kong (8.875% on top)", country: "hk", exponent: 2 },
  { provider: "pp_qfpay_qfpay-direct", region: "Macau (12.5% included)", country: "mo", exponent: 2 },
  { provider: "pp_quantapay_quantapay", region: "United States (8.875% on top)", country: "us", exponent: 2 },
  { provider: "pp_quantapay_quantapay", region: "Canada (13% included)", country: "ca", exponent: 2 },
  { provider: "pp_qbitpay_qbitpay", region: "United States (8.875% on top)", country: "us", exponent: 2 },
  { provider: "pp_qbitpay_qbitpay", region: "Canada (13% included)", country: "ca", exponent: 2 },
  { provider: "pp_qfpay_qfpay", region: "Japan (10% on top)", country: "jp", exponent: 0 },
]

/** Medusa's amount rounded half up at the currency's exponent (the rule under test, computed independently). */
const rounded = (raw: string, exponent: number) => new BigNumber(raw).decimalPlaces(exponent, BigNumber.ROUND_HALF_UP)

shopSuite({
  seed: (container) =>
    seedShop(container, {
      regions: [
        { name: "Hong Kong (8.875% on top)", currency: "hkd", countries: ["hk"], providers: QFPAY, taxRatePercent: 8.875 },
        { name: "Macau (12.5% included)", currency: "hkd", countries: ["mo"], providers: QFPAY, taxRatePercent: 12.5, taxInclusive: true },
        { name: "United States (8.875% on top)", currency: "usd", countries: ["us"], providers: USD_GATEWAYS, taxRatePercent: 8.875 },
        { name: "Canada (13% included)", currency: "usd", countries: ["ca"], providers: USD_GATEWAYS, taxRatePercent: 13, taxInclusive: true },
        { name: "Japan (10% on top)", currency: "jpy", countries: ["jp"], providers: ["pp_qfpay_qfpay"], taxRatePercent: 10 },
      ],
      prices: { hkd: 33.33, usd: 9.99, jpy: 999 },
      promotion: PROMO,
    }),
  tests: ({ api, getContainer, gateways, region, admin, checkout }) => {
    const { cartWithItems, paymentCollectionFor, createSession, adminOrder, storedPayment } = checkout

    async function collectionAmount(collectionId: string): Promise<string> {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({ entity: "payment_collection", fields: ["raw_amount"], filters: { id: collectionId } })
      return new BigNumber((data[0] as any).raw_amount.value).toFixed()
    }

    const refund = (paymentId: string, amount: number) =>
      api.post(`/admin/payments/${paymentId}/refund`, { amount }, admin()).catch((e: any) => e.response)

    describe("tax and percentage promotions", () => {
    it.each(CASES)("$provider in $region: pays the rounded total, order captured with 0 outstanding, refunds add up", async ({ provider, region: regionName, country, exponent }) => {
      const container = getContainer()
      const cartId = await cartWithItems(3, { regionId: region(regionName).id, country, promoCodes: [PROMO.code] })
      const collectionId = await paymentCollectionFor(cartId)
      const raw = await collectionAmount(collectionId)
      // The cart is what the issue is about: tax and a promotion leave more decimals than the currency has.
      expect(new BigNumber(raw).decimalPlaces()!).toBeGreaterThan(exponent)
      const charge = rounded(raw, exponent)

      const session = await createSession(collectionId, provider)
      expect(session.status).toBe("pending")
      const sessionAmount = session.data.amount ?? new BigNumber(session.data.amount_minor).shiftedBy(-exponent).toFixed(exponent)
      expect(sessionAmount).toBe(charge.toFixed(exponent))

      await payAtGateway(gateways(), session)
      const atGateway = chargedAtGateway(gateways(), session)
      // QFPay counts integer minor units; QuantaPay and Qbit Pay take major units.
      expect(new BigNumber(atGateway).eq(provider.startsWith("pp_qfpay") ? charge.shiftedBy(exponent) : charge)).toBe(true)

      const order = await waitFor("the order from the webhook", () => orderForCart(container, cartId), { timeoutMs: 30_000 })
      // The order exists before cart completion has recorded the capture as an order transaction: wait for it.
      const placed = await waitFor("the capture on the order", async () => {
        const o = await adminOrder(order.id)
        return o.payment_status === "captured" && new BigNumber(o.summary.paid_total).gt(0) && o
      })
      expect(new BigNumber(placed.summary.raw_paid_total.value).toFixed()).toBe(raw)
      expect(new BigNumber(placed.summary.raw_pending_difference.value).isZero()).toBe(true)
      const payment = placed.payment_collections[0].payments[0]
      expect(payment.captures).toHaveLength(1)
      expect(new BigNumber(payment.captures[0].amount).toFixed()).toBe(new BigNumber(raw).toNumber().toString())

      // Two refunds: an odd amount, then what Medusa shows as the rest (unrounded).
      const first = exponent === 0 ? 333 : 3.33
      expect((await refund(payment.id, first)).status).toBe(200)
      const rest = new BigNumber(raw).minus(first).toNumber()
      const second = await refund(payment.id, rest)
      expect(second.status).toBe(200)

      const data = (await storedPayment(payment.id)).data
      const refunded = data.refunds.map((r: any) => new BigNumber(r.amount))
      expect(refunded.reduce((a: BigNumber, b: BigNumber) => a.plus(b), new BigNumber(0)).eq(charge)).toBe(true)
      if (provider.startsWith("pp_qfpay")) {
        const atQfpay = gateways()
          .qfpay.state()
          .transactions.filter((t) => t.order_type === "refund" && t.origssn === data.gateway_reference)
        expect(atQfpay.reduce((sum, t) => sum + Number(t.txamt), 0)).toBe(charge.shiftedBy(exponent).toNumber())
        expect(data.refunds.every((r: any) => r.status === "succeeded")).toBe(true)
      } else {
        expect(data.refunds.every((r: any) => r.status === "manual_pending")).toBe(true)
      }

      // One minor unit more is refused, and nothing more is refunded anywhere.
      const tooMuch = await refund(payment.id, exponent === 0 ? 1 : 0.01)
      expect(tooMuch.status).toBe(400)
      expect(tooMuch.data.message).toMatch(/more than is left to refund/)
      expect((await storedPayment(payment.id)).data.refunds).toHaveLength(2)
      const after = await adminOrder(order.id)
      expect(after.payment_collections[0].payments[0].refunds).toHaveLength(2)
    })
    })

    describe("storefront input to our providers is an allow-list, checked before Medusa stores it", () => {
      const sessionRequest = async (provider: string, data: unknown) => {
        const cartId = await cartWithItems(1, { regionId: region("Hong Kong (8.875% on top)").id, country: "hk" })
        const collectionId = await paymentCollectionFor(cartId)
        return api
          .post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: provider, data }, checkout.storeHeaders())
          .catch((e: any) => e.response)
      }

      it.each<[string, unknown, string]>([
        ["pp_qfpay_qfpay-direct", { next_action: { type: "redirect", url: "https://evil.example/pay" } }, 'QFPay: data.next_action is not accepted; send only "pay_type" (one of 800201, 801501, 802001, 805801).'],
        ["pp_qfpay_qfpay-direct", { pay_type: "800201", blob: "x".repeat(200) }, 'QFPay: data.blob is not accepted; send only "pay_type" (one of 800201, 801501, 802001, 805801).'],
        ["pp_qfpay_qfpay-direct", { pay_type: "800201\u0000" }, 'QFPay: data.pay_type must be a short plain string without control characters; send only "pay_type" (one of 800201, 801501, 802001, 805801).'],
        ["pp_qfpay_qfpay-direct", { pay_type: { toString: "800201" } }, 'QFPay: data.pay_type must be a string; send only "pay_type" (one of 800201, 801501, 802001, 805801).'],
        ["pp_qfpay_qfpay-direct", { pay_type: "800208" }, "QFPay: pay_type \"800208\" is not accepted by this store; use one of 800201, 801501, 802001, 805801."],
        ["pp_qfpay_qfpay", { huge: "y".repeat(5000) }, 'QFPay: data is 5011 bytes, more than 1024; send only "pay_type" (one of 800201).'],
      ])("%s: bad data (case %#) is a 400 that says what to send", async (provider, data, message) => {
        const res = await sessionRequest(provider, data)
        expect(res.status).toBe(400)
        expect(res.data.message).toBe(message)
        // Nothing reached a gateway.
        expect(gateways().qfpay.state().transactions).toHaveLength(0)
      })

      it("what a storefront sent is never echoed back: a good session carries only our data", async () => {
        const res = await sessionRequest("pp_qfpay_qfpay-direct", { pay_type: "802001" })
        expect(res.status).toBe(200)
        const session = res.data.payment_collection.payment_sessions[0]
        expect(session.data).toMatchObject({ pay_type: "802001", next_action: { type: "qr_code" } })
        expect(Object.keys(session.data).sort()).toEqual(
          ["amount", "amount_minor", "attempt", "currency", "duplicate_references", "expires_at", "gateway", "gateway_reference", "last_error", "merchant_order_id", "mode", "next_action", "order_first", "pay_type", "refunds", "session_id", "status", "txdtm"].sort()
        )
      })
    })
  },
})
