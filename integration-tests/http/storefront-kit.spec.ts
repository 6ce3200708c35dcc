import axios from "axios"
import Medusa from "@medusajs/js-sdk"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import seedDemo, { type DemoSeedResult } from "../../scripts/demo-seed"
import {
  CheckoutError,
  handleReturn,
  jsSdkClient,
  orderAwaitingPayment,
  readPayment,
  startPayment,
  waitForOrderPayment,
  waitForPayment,
  type CheckoutClient,
  type GatewayPayment,
} from "../../src/storefront"
import { demoShopper } from "../helpers/demo-shop"
import { payAtGateway, type Gateways } from "../helpers/gateways"
import { shopSuite } from "../helpers/shop-suite"

jest.setTimeout(240_000)

/**
 * The storefront kit as a storefront uses it: @medusajs/js-sdk against a real Medusa (the dev store's
 * registrations, the demo's tax and catalogue) and the three simulators. Each purchase is counted where it
 * matters: one order per cart, its payment captured once; a failed attempt makes no order.
 */
shopSuite<DemoSeedResult>({
  seed: (container) => seedDemo({ container, args: [] } as never),
  tests: ({ api, getContainer, gateways, shop, medusaPort }) => {
    let client: CheckoutClient
    beforeAll(() => {
      const sdk = new Medusa({ baseUrl: `http://localhost:${medusaPort()}`, publishableKey: shop().publishableKey })
      client = jsSdkClient(sdk as never)
    })
    const newCart = (region: "hk" | "us") => demoShopper(api, shop()).cart(region)
    const cartOf = (cartId: string) => client.retrieveCart(cartId)
    /** The session as the simulators' helpers want it (what the cart shows). */
    const sessionOf = async (cartId: string, payment: GatewayPayment) => {
      const s = (await cartOf(cartId)).payment_collection!.payment_sessions!.find((x) => x.id === payment.sessionId)!
      return s as { id: string; provider_id: string; status: string; data: Record<string, any> }
    }
    const pay = async (cartId: string, payment: GatewayPayment) => {
      const session = await sessionOf(cartId, payment)
      return payAtGateway(gateways() as Gateways, session).catch((e) => {
        throw new Error(`paying ${session.provider_id} ${JSON.stringify(session.data)} at the simulator: ${e.response?.status} ${JSON.stringify(e.response?.data)}`)
      })
    }
    const returnUrl = (payment: GatewayPayment, failed = false) => `http://localhost:8000/checkout/return?session_id=${payment.sessionId}${failed ? "&failed=1" : ""}`

    async function ordersOfCart(cartId: string) {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
      return data.map((d: { order_id: string }) => d.order_id)
    }
    async function capturesOf(orderId: string) {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({ entity: "order", fields: ["id", "payment_collections.payments.captures.id"], filters: { id: orderId } })
      return (data[0] as any).payment_collections.flatMap((c: any) => c.payments.flatMap((p: any) => p.captures))
    }
    async function expectOnePaidOrder(cartId: string, orderId: string) {
      expect(await ordersOfCart(cartId)).toEqual([orderId])
      expect(await capturesOf(orderId)).toHaveLength(1)
    }

    it("QFPay hosted: redirect, pay on the checkstand, the return page completes the cart into one paid order", async () => {
      const cartId = await newCart("hk")
      const { payment, order } = await startPayment(client, await cartOf(cartId), "pp_qfpay_qfpay")
      expect(order).toBeUndefined()
      expect(payment.nextAction).toMatchObject({ type: "redirect", url: expect.stringContaining(gateways().qfpay.url) })
      await pay(cartId, payment)
      const outcome = await handleReturn(client, cartId, returnUrl(payment), { delayMs: 200 })
      expect(outcome).toMatchObject({ type: "order", awaitingPayment: false })
      await expectOnePaidOrder(cartId, (outcome as any).order.id)
    })

    it("QFPay direct: a QR code, then waiting finds the payment and places one order", async () => {
      const cartId = await newCart("hk")
      const { payment } = await startPayment(client, await cartOf(cartId), "pp_qfpay_qfpay-direct", { data: { pay_type: "800201" } })
      expect(payment.nextAction.type).toBe("qr_code")
      const updates: string[] = []
      const waiting = waitForPayment(client, cartId, { sessionId: payment.sessionId, initialDelayMs: 300, maxDelayMs: 1000, timeoutMs: 60_000, onUpdate: (p) => updates.push(p.state) })
      await pay(cartId, payment)
      const result = await waiting
      expect(result.type).toBe("order")
      await expectOnePaidOrder(cartId, (result as any).order.id)
    })

    it.each(["pp_quantapay_quantapay", "pp_qbitpay_qbitpay"])("%s: the order comes first, awaits its payment, and is paid once", async (providerId) => {
      const cartId = await newCart("us")
      const { payment, order } = await startPayment(client, await cartOf(cartId), providerId)
      expect(payment.orderFirst).toBe(true)
      expect(payment.nextAction.type).toBe("redirect")
      expect(order).toBeDefined()
      expect(orderAwaitingPayment(await client.retrieveOrder!(order!.id))).toBe(true)
      // Paid at once: the test's Qbit Pay simulator runs its clock fast (a charge lives about 2 s).
      await pay(cartId, payment)
      const back = await handleReturn(client, cartId, returnUrl(payment))
      expect(back).toMatchObject({ type: "order", order: { id: order!.id } })
      const paid = await waitForOrderPayment(client, order!.id, { initialDelayMs: 300, maxDelayMs: 1000, timeoutMs: 60_000 })
      expect(paid.type).toBe("paid")
      await expectOnePaidOrder(cartId, order!.id)
    })

    it("a failed payment says why and places no order; Try again starts a new payment that then succeeds", async () => {
      const cartId = await newCart("hk")
      const first = await startPayment(client, await cartOf(cartId), "pp_qfpay_qfpay")
      const params = Object.fromEntries(new URLSearchParams(new URL((first.payment.nextAction as { url: string }).url).hash.replace(/^#\/?\??/, "")))
      const failedAt = await axios.post(`${gateways().qfpay.url}/checkstand/api/submit`, { params, outcome: "fail", pay_type: "800201" })
      expect(failedAt.data.redirect).toContain("failed=1")
      const outcome = await handleReturn(client, cartId, returnUrl(first.payment, true))
      expect(outcome).toMatchObject({ type: "failed", providerId: "pp_qfpay_qfpay" })
      expect(await ordersOfCart(cartId)).toEqual([])

      const retry = await startPayment(client, await cartOf(cartId), "pp_qfpay_qfpay")
      expect(retry.payment.sessionId).not.toBe(first.payment.sessionId)
      expect(readPayment(await cartOf(cartId))!.sessionId).toBe(retry.payment.sessionId)
      await pay(cartId, retry.payment)
      const done = await handleReturn(client, cartId, returnUrl(retry.payment), { delayMs: 200 })
      expect(done.type).toBe("order")
      await expectOnePaidOrder(cartId, (done as any).order.id)
    })

    it("a shopper back before paying is pending, not an order; data the provider does not accept is refused with what to send", async () => {
      const cartId = await newCart("hk")
      const { payment } = await startPayment(client, await cartOf(cartId), "pp_qfpay_qfpay")
      const outcome = await handleReturn(client, cartId, returnUrl(payment), { attempts: 2, delayMs: 100 })
      expect(outcome).toMatchObject({ type: "pending" })
      expect(await ordersOfCart(cartId)).toEqual([])

      const refused = await startPayment(client, await cartOf(cartId), "pp_qfpay_qfpay-direct", { data: { next_action: "redirect" } }).catch((e) => e)
      expect(refused).toBeInstanceOf(CheckoutError)
      expect(refused.message).toMatch(/data\.next_action is not accepted; send only "pay_type"/)
    })
  },
})
