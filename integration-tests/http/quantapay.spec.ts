import axios from "axios"
import { startQuantapaySimulator } from "../../sandbox/quantapay/server"
import { QuantapayProviderService } from "../../src/providers/quantapay/service"
import { reconcilePendingPayments } from "../../src/sync/reconcile"
import { orderForCart, sleep, waitFor } from "../helpers/store"
import { gatewaySuite } from "../helpers/suite"

jest.setTimeout(180_000)

const API_KEY = "itest-quantapay-api-key"
const SECRET = "itest-quantapay-webhook-secret"
const WEBHOOK_DELAY_MS = 300

let sim: Awaited<ReturnType<typeof startQuantapaySimulator>>
let medusaPort: number
const hookUrl = () => `http://localhost:${medusaPort}/hooks/payment/quantapay_quantapay`

gatewaySuite({
  startSimulator: async (port) => {
    medusaPort = port
    return (sim = await startQuantapaySimulator({
      port: 0,
      accounts: [{ apiKey: API_KEY, webhookSecret: SECRET, webhookUrl: hookUrl(), refundsEnabled: true }],
    }))
  },
  env: (s) => ({
    QUANTAPAY_API_KEY: API_KEY,
    QUANTAPAY_WEBHOOK_SECRET: SECRET,
    QUANTAPAY_BASE_URL: s.url,
    QUANTAPAY_TIMEOUT_MS: "1500",
    // These tests are of paying before the order; order-first has its own suite.
    QUANTAPAY_ORDER_BEFORE_PAYMENT: "false",
    PAYMENT_WEBHOOK_DELAY_MS: String(WEBHOOK_DELAY_MS),
  }),
  region: { currency: "usd", countries: ["us"], providers: ["pp_quantapay_quantapay"], unitPrice: 49.99, regionName: "United States" },
  tests: ({ api, getContainer, admin: adminOf, checkout }) => {
    const { cartWithItems, paymentCollectionFor, createSession, sessionsOf, completeCart, adminOrder, orderCount, storedPayment, storeHeaders } =
      checkout

    async function startPayment() {
      const cartId = await cartWithItems(1)
      const session = await createSession(await paymentCollectionFor(cartId), "pp_quantapay_quantapay")
      return { cartId, session, checkoutId: session.data.checkout_id as string }
    }

    const webhooks = () => (sim.state() as any).webhooks as any[]

    async function postWebhook(body: unknown) {
      return axios.post(hookUrl(), JSON.stringify(body), { headers: { "content-type": "application/json" }, validateStatus: () => true })
    }

    it("hosted page -> full payment -> webhook -> order captured; a refund is recorded as manual", async () => {
      const container = getContainer()
      const { cartId, session, checkoutId } = await startPayment()
      expect(session.data).toMatchObject({ gateway: "quantapay", amount: "49.99", currency: "USD", status: "pending", next_action: { type: "redirect" } })
      const page = await axios.get(session.data.next_action.url)
      expect(page.status).toBe(200)
      expect(String(page.data)).toContain("qp-pay-full")

      sim.payCheckout(checkoutId, { coin: "eth", outcome: "full" })
      await waitFor("the webhook", async () => webhooks().find((w) => w.status === 200))
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      const placed = await adminOrder(order.id)
      expect(placed.payment_status).toBe("captured")
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
      const payment = await storedPayment(placed.payment_collections[0].payments[0].id)
      expect(payment.data).toMatchObject({ status: "paid", cryptocurrency: "eth" })

      const refund = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 20 }, adminOf())
      expect(refund.status).toBe(200)
      expect((await storedPayment(payment.id)).data.refunds).toEqual([
        expect.objectContaining({ amount: "20.00", currency: "USD", status: "manual_pending", note: expect.stringContaining("pay 20.00 USD back to the customer yourself") }),
      ])
      // Nothing was refunded at QuantaPay.
      expect((sim.state() as any).transactions.every((t: any) => t.status === "C")).toBe(true)

      // In `api` mode the provider calls QuantaPay's refund (full amount), and QuantaPay records it.
      const apiMode = new QuantapayProviderService({ logger: console } as any, {
        apiKey: API_KEY,
        webhookSecret: SECRET,
        baseUrl: sim.url,
        refundMode: "api",
      })
      const paidData = (await storedPayment(payment.id)).data
      await expect(apiMode.refundPayment({ data: { ...paidData, refunds: [] }, amount: { value: "10", precision: 20 } as any, context: { idempotency_key: "ref_partial" } })).rejects.toThrow(
        "can only refund a payment in full"
      )
      const refunded = await apiMode.refundPayment({ data: { ...paidData, refunds: [] }, amount: { value: "49.99", precision: 20 } as any, context: { idempotency_key: "ref_full" } })
      expect((refunded.data as any).refunds).toEqual([expect.objectContaining({ id: "ref_full", status: "succeeded", amount: "49.99" })])
      expect((sim.state() as any).transactions.find((t: any) => t.id === paidData.gateway_reference).status).toBe("R")
    })

    it("the webhook is lost: completing the cart finds the paid transaction", async () => {
      const container = getContainer()
      const { cartId, checkoutId } = await startPayment()
      sim.setFault({ target: "webhook", mode: "suppress", times: -1 })
      sim.payCheckout(checkoutId, { coin: "btc", outcome: "full" })
      const { data } = await completeCart(cartId)
      expect(data.type).toBe("order")
      expect((await adminOrder(data.order.id)).payment_status).toBe("captured")
      expect(await orderForCart(container, cartId)).toEqual({ id: data.order.id })
    })

    it("an underpayment creates no order and the session shows why", async () => {
      const container = getContainer()
      const { cartId, session, checkoutId } = await startPayment()
      sim.payCheckout(checkoutId, { coin: "usdt_tron", outcome: "under", shortfallPercent: 10 })
      const complete = await completeCart(cartId)
      expect(complete.data.type).not.toBe("order")
      expect(await orderForCart(container, cartId)).toBeUndefined()
      const [after] = await sessionsOf(cartId)
      expect(after.id).toBe(session.id)
      expect(after.status).toBe("error")
      expect(after.data).toMatchObject({
        status: "underpaid",
        last_error: "the payment was less than the order total and was not accepted",
        underpayment: { expected: "49.99", cryptocurrency: "usdt_tron" },
      })
    })

    it("webhooks with a wrong key, wrong currency, lower amount or unknown order create no order", async () => {
      const container = getContainer()
      const { cartId, session } = await startPayment()
      const tx = { id: "900", status: "C", amount: "0.01", amount_fiat: "49.99000000", cryptocurrency: "eth", currency: "usd", external_reference: session.id }
      // A genuine webhook is recorded and acknowledged whatever it says; one without the right key is refused.
      for (const [body, expected] of [
        [{ key: "not-the-secret", transaction: tx }, 401],
        [{ key: SECRET, transaction: { ...tx, currency: "eur" } }, 200],
        [{ key: SECRET, transaction: { ...tx, amount_fiat: "49.98000000" } }, 200],
        [{ key: SECRET, transaction: { ...tx, external_reference: "payses_01UNKNOWN000000000000000" } }, 200],
        [{ key: SECRET, transaction: { ...tx, status: "X" } }, 200],
        [{ key: SECRET }, 401],
      ] as const) {
        expect((await postWebhook(body)).status).toBe(expected)
      }
      await sleep(WEBHOOK_DELAY_MS + 2500)
      expect(await orderForCart(container, cartId)).toBeUndefined()
      expect(await orderCount()).toBe(0)
    })

    it("a lost webhook is recovered by the reconciliation job", async () => {
      const container = getContainer()
      const { cartId, session, checkoutId } = await startPayment()
      sim.setFault({ target: "webhook", mode: "suppress", times: -1 })
      sim.payCheckout(checkoutId, { coin: "eth", outcome: "full" })
      expect((await reconcilePendingPayments(container, { graceMinutes: 0 })).completed).toEqual([session.id])
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      expect((await adminOrder(order.id)).payment_status).toBe("captured")
    })

    it("an underpayment whose notice never comes is found by the job and shown on the session", async () => {
      const { cartId, session, checkoutId } = await startPayment()
      sim.payCheckout(checkoutId, { coin: "btc", outcome: "under" })
      const report = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
      expect(report.updated).toEqual([session.id])
      const [after] = await sessionsOf(cartId)
      expect(after).toMatchObject({ status: "error", data: { status: "underpaid", underpayment: { expected: "49.99" } } })
    })

    it("the job and a late webhook racing give one order and one capture", async () => {
      const container = getContainer()
      const { cartId, session, checkoutId } = await startPayment()
      sim.setFault({ target: "webhook", mode: "suppress", times: -1 })
      const paid = sim.payCheckout(checkoutId, { coin: "eth", outcome: "full" })
      const [report, ack] = await Promise.all([
        reconcilePendingPayments(container, { graceMinutes: 0 }),
        postWebhook({ key: SECRET, transaction: paid.transaction }),
      ])
      expect(ack.status).toBe(200)
      expect(report.failed).toBe(0)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      await sleep(WEBHOOK_DELAY_MS + 2000)
      const placed = await adminOrder(order.id)
      expect(placed.payment_collections[0].payments).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
      expect(await orderCount()).toBe(1)
      expect(session.id).toBeDefined()
    })

    // Last on purpose: it moves the simulator clock forward for the rest of the file.
    it("a signed checkout request older than 5 minutes is refused and reported clearly", async () => {
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      sim.advanceTime(6 * 60_000)
      const res = await api
        .post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: "pp_quantapay_quantapay" }, storeHeaders())
        .catch((e: any) => e.response)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.data.message).toContain("Request expired")
      expect(res.data.message).toContain("clock")
      expect(await sessionsOf(cartId)).toHaveLength(0)
    })
  },
})
