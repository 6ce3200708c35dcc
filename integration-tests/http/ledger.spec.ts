import axios from "axios"
import { BigNumber } from "bignumber.js"
import { Modules } from "@medusajs/framework/utils"
import { reconcilePendingPayments } from "../../src/sync/reconcile"
import type { Session } from "../helpers/checkout"
import { chargedAtGateway, deliverWebhook, payAtGateway, REGISTRATIONS, suppressWebhooks, webhookOf, type RegistrationId } from "../helpers/gateways"
import { shopSuite } from "../helpers/shop-suite"
import { orderForCart, seedShop, sleep, waitFor } from "../helpers/store"

jest.setTimeout(240_000)

/**
 * No paid checkout is ever lost. Every attempt is in the payment ledger before the shopper sees it, every
 * webhook is recorded before it is acknowledged and processed from the record, and a payment for a session
 * Medusa deleted (the shopper changed the cart after paying) is refunded (QFPay, after the grace period) or
 * flagged for the merchant, never dropped, never an order for the wrong amount.
 */
const HK = "Hong Kong"
const US = "United States"
const WEBHOOK_DELAY_MS = 1500

shopSuite({
  seed: (container) =>
    seedShop(container, {
      regions: [
        { name: HK, currency: "hkd", countries: ["hk"], providers: ["pp_qfpay_qfpay", "pp_qfpay_qfpay-direct"] },
        { name: US, currency: "usd", countries: ["us"], providers: ["pp_quantapay_quantapay", "pp_qbitpay_qbitpay"] },
      ],
      prices: { hkd: 188, usd: 24 },
    }),
  env: { PAYMENT_WEBHOOK_DELAY_MS: String(WEBHOOK_DELAY_MS), QFPAY_ORPHAN_REFUND_GRACE_MINUTES: "0" },
  tests: ({ api, getContainer, gateways, region, shop, admin, checkout, medusaPort }) => {
    const { cartWithItems, paymentCollectionFor, createSession, adminOrder, storeHeaders } = checkout
    const ledger = () => getContainer().resolve("paymentLedger") as any
    const regionOf = (provider: string) => region(provider.startsWith("pp_qfpay") ? HK : US)
    const attemptOf = async (session: Session) => (await ledger().listPaymentAttempts({ merchant_order_id: session.data.merchant_order_id }))[0]
    const deliveriesOf = async (session: Session) => ledger().listWebhookDeliveries({ merchant_order_id: session.data.merchant_order_id })

    async function startPayment(provider: RegistrationId) {
      const r = regionOf(provider)
      const cartId = await cartWithItems(1, { regionId: r.id, country: r.countries[0] })
      const session = await createSession(await paymentCollectionFor(cartId), provider)
      return { cartId, session }
    }

    /** The shopper goes back and adds another item: Medusa deletes the cart's payment sessions. */
    async function changeCart(cartId: string) {
      await api.post(`/store/carts/${cartId}/line-items`, { variant_id: shop().variantId, quantity: 1 }, storeHeaders())
      const { data } = await api.get(`/store/carts/${cartId}?fields=*payment_collection.payment_sessions`, storeHeaders())
      return data.cart
    }

    async function attention(kind: string) {
      const { data } = await api.get(`/admin/payment-ledger/attention?kind=${kind}`, admin())
      return data.items as any[]
    }

    /** After an orphan, the shopper pays the changed cart: one order, for the new total, with one capture. */
    async function payChangedCart(provider: RegistrationId, cartId: string, newTotal: number) {
      const session = await createSession(await paymentCollectionFor(cartId), provider)
      await payAtGateway(gateways(), session)
      const order = await waitFor("the order for the changed cart", () => orderForCart(getContainer(), cartId), { timeoutMs: 30_000 })
      const placed = await waitFor("its capture", async () => {
        const o = await adminOrder(order.id)
        return o.payment_status === "captured" && new BigNumber(o.summary.paid_total).gt(0) && o
      })
      expect(new BigNumber(placed.total).toNumber()).toBe(newTotal)
      expect(placed.payment_collections[0].payments).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].payment_session_id).toBe(session.id)
    }

    it.each([...REGISTRATIONS])("%s: paid, then the cart changed before the webhook was processed: the payment is in the ledger and settled as an orphan", async (provider) => {
      const container = getContainer()
      const { cartId, session } = await startPayment(provider)
      // Written before anything was shown to the shopper.
      expect(await attemptOf(session)).toMatchObject({ status: "open", session_id: session.id, cart_id: cartId, provider_id: provider })
      const reference = await payAtGateway(gateways(), session)
      const changed = await changeCart(cartId)
      expect(changed.payment_collection.payment_sessions).toHaveLength(0)

      const delivery = await waitFor("the webhook processed from the ledger", async () => {
        const [d] = await deliveriesOf(session)
        return d?.status === "processed" && d
      })
      expect(delivery.outcome).toMatch(/^orphaned: /)
      const attempt = await attemptOf(session)
      expect(attempt).toMatchObject({ status: "paid", attention: "orphaned", gateway_reference: reference, detached: "deleted", customer_email: "shopper@example.test" })
      expect(await orderForCart(container, cartId)).toBeUndefined()

      if (provider.startsWith("pp_qfpay")) {
        expect(attempt.resolution).toBe("refund_scheduled")
        const first = await reconcilePendingPayments(container, { graceMinutes: 0 })
        expect(first.refunded).toEqual([attempt.id])
        const again = await reconcilePendingPayments(container, { graceMinutes: 0 })
        expect(again.refunded).toEqual([])
        const refunds = gateways().qfpay.state().transactions.filter((t) => t.order_type === "refund" && t.origssn === reference)
        expect(refunds).toHaveLength(1)
        expect(refunds[0]).toMatchObject({ txamt: chargedAtGateway(gateways(), session), respcd: "0000" })
        expect(await attemptOf(session)).toMatchObject({ resolution: "refunded", status: "refunded" })
        const [recorded] = await ledger().listLedgerRefunds({ attempt_id: attempt.id })
        expect(recorded).toMatchObject({ origin: "orphan", status: "succeeded", amount: session.data.amount })
      } else {
        expect(attempt.resolution).toBe("flagged")
        const [item] = (await attention("orphaned")).filter((i) => i.attempt_id === attempt.id)
        expect(item).toMatchObject({ kind: "orphaned", amount: session.data.amount, currency: "USD", gateway_reference: reference, customer_email: "shopper@example.test", resolution: "flagged" })
      }
      await payChangedCart(provider, cartId, provider.startsWith("pp_qfpay") ? 376 : 48)
    })

    it.each([...REGISTRATIONS])("%s: a lost webhook for a session the cart change deleted is found by reconciliation over the ledger", async (provider) => {
      const container = getContainer()
      suppressWebhooks(gateways())
      const { cartId, session } = await startPayment(provider)
      await payAtGateway(gateways(), session)
      await changeCart(cartId)
      const report = await reconcilePendingPayments(container, { graceMinutes: 0 })
      const attempt = await attemptOf(session)
      expect(report.orphaned).toContain(attempt.id)
      expect(attempt).toMatchObject({ status: "paid", attention: "orphaned", detached: "deleted" })
      expect(await orderForCart(container, cartId)).toBeUndefined()
    })

    it("a webhook whose processing fails is kept, and processed later from the ledger: the order appears", async () => {
      const container = getContainer()
      const { cartId, session } = await startPayment("pp_qfpay_qfpay")
      // QFPay cannot be asked while the webhook is processed (Medusa authorizes the session by querying it).
      gateways().qfpay.setFault({ target: "/trade/v1/query", mode: "http500", times: -1 })
      await payAtGateway(gateways(), session)
      const failed = await waitFor("the processing to fail", async () => {
        const [d] = await deliveriesOf(session)
        return d?.status === "failed" && d
      })
      expect(failed.last_error).toBeTruthy()
      expect(await orderForCart(container, cartId)).toBeUndefined()

      gateways().qfpay.clearFaults()
      const report = await reconcilePendingPayments(container, { now: new Date(Date.now() + 5 * 60_000) })
      expect(report.deliveries).toBeGreaterThanOrEqual(1)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      expect((await adminOrder(order.id)).payment_status).toBe("captured")
      expect((await deliveriesOf(session))[0]).toMatchObject({ status: "processed", attempts: 2 })
    })

    it("the same genuine delivery sent 100 times is recorded once and runs Medusa's payment workflow once", async () => {
      const container = getContainer()
      const engine = container.resolve(Modules.WORKFLOW_ENGINE)
      const runs = jest.spyOn(engine, "run")
      try {
        gateways().qfpay.setFault({ target: "notify", mode: "suppress", times: -1 })
        const { cartId, session } = await startPayment("pp_qfpay_qfpay")
        await payAtGateway(gateways(), session)
        const hook = await waitFor("the notification QFPay would send", async () => webhookOf(gateways(), session))
        const answers: string[] = []
        for (let batch = 0; batch < 4; batch++) {
          const results = await Promise.all(Array.from({ length: 25 }, () => deliverWebhook(medusaPort(), hook)))
          answers.push(...results.map((r) => `${r.status} ${r.data}`))
        }
        expect(answers).toEqual(Array(100).fill("200 SUCCESS"))
        const order = await waitFor("the order", () => orderForCart(container, cartId))
        await sleep(WEBHOOK_DELAY_MS + 1000)
        const placed = await adminOrder(order.id)
        expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
        expect(await deliveriesOf(session)).toHaveLength(1)
        expect((await attemptOf(session)).workflow_runs).toBe(1)
        expect(runs.mock.calls.filter(([id]) => id === "process-payment-workflow")).toHaveLength(1)
      } finally {
        runs.mockRestore()
      }
    })

    it("a process that died between Medusa capturing the payment and completing the cart: the gateway's webhook completes the order, with its one capture", async () => {
      const container = getContainer()
      gateways().qfpay.setFault({ target: "notify", mode: "suppress", times: -1 })
      const { cartId, session } = await startPayment("pp_qfpay_qfpay")
      await payAtGateway(gateways(), session)
      // What Medusa's payment workflow had done when the process died: the session authorized and the
      // payment captured, the cart not yet completed.
      await container.resolve(Modules.PAYMENT).authorizePaymentSession(session.id, {})
      expect(await orderForCart(container, cartId)).toBeUndefined()
      const hook = await waitFor("the notification QFPay would send", async () => webhookOf(gateways(), session))
      expect((await deliverWebhook(medusaPort(), hook)).status).toBe(200)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      const placed = await adminOrder(order.id)
      expect(placed.payment_status).toBe("captured")
      expect(placed.payment_collections[0].payments).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("during a burst of webhooks the process answers them first and processes what it recorded after the burst", async () => {
      const container = getContainer()
      gateways().qfpay.setFault({ target: "notify", mode: "suppress", times: -1 })
      const { cartId, session } = await startPayment("pp_qfpay_qfpay")
      await payAtGateway(gateways(), session)
      const hook = await waitFor("the notification QFPay would send", async () => webhookOf(gateways(), session))
      expect((await deliverWebhook(medusaPort(), hook)).status).toBe(200)
      // A gateway replaying a backlog: 60 deliveries a second for 3 s (forged ones here: each is counted and
      // recorded like any other), well past the delivery's processing time (WEBHOOK_DELAY_MS).
      const burst: Promise<{ status: number }>[] = []
      for (let i = 0; i < 180; i++) {
        const forged = { provider: "qfpay_qfpay", body: `{"notify_type": "payment", "out_trade_no": "burst-${i}", "txamt": "1", "respcd": "0000"}`, headers: { "content-type": "application/json", "x-qf-sign": "0".repeat(32) } }
        burst.push(deliverWebhook(medusaPort(), forged))
        await sleep(1000 / 60)
      }
      const lastSent = Date.now()
      const answers = await Promise.all(burst)
      expect(answers.every((a) => a.status === 401)).toBe(true)
      // Marked processed last, after the order is placed.
      const delivery = await waitFor("the delivery processed, after the burst", async () => {
        const [d] = await deliveriesOf(session)
        return d?.status === "processed" && d
      })
      expect(delivery.attempts).toBe(1)
      const order = await orderForCart(container, cartId)
      if (!order) throw new Error("no order for the processed payment")
      expect(new Date(delivery.processed_at).getTime()).toBeGreaterThanOrEqual(lastSent)
      expect((await adminOrder(order.id)).payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("a forged delivery is refused and not acknowledged, and recorded once however often it is replayed", async () => {
      const { session } = await startPayment("pp_qfpay_qfpay")
      const forged = { provider: "qfpay_qfpay", body: `{"notify_type": "payment", "out_trade_no": "${session.id}", "txamt": "18800", "respcd": "0000"}`, headers: { "content-type": "application/json", "x-qf-sign": "0".repeat(32) } }
      const answers = await Promise.all([1, 2, 3].map(() => deliverWebhook(medusaPort(), forged)))
      expect(answers.map((a) => `${a.status} ${a.data}`)).toEqual(["401 FAIL", "401 FAIL", "401 FAIL"])
      const rows = await ledger().listWebhookDeliveries({ provider_id: "pp_qfpay_qfpay", verified: false })
      expect(rows.filter((r: any) => /X-QF-SIGN/.test(r.outcome))).toHaveLength(1)
      expect(rows[0]).toMatchObject({ status: "ignored", event: null })
    })

    describe("the attention route", () => {
      const url = () => `http://localhost:${medusaPort()}/admin/payment-ledger/attention`

      it("refuses anonymous and customer requests", async () => {
        expect((await axios.get(url(), { validateStatus: () => true })).status).toBe(401)
        const email = `customer-${Date.now()}@example.test`
        const registered = await axios.post(`http://localhost:${medusaPort()}/auth/customer/emailpass/register`, { email, password: "secret-password-1" })
        await axios.post(`http://localhost:${medusaPort()}/store/customers`, { email }, { headers: { authorization: `Bearer ${registered.data.token}`, ...storeHeaders().headers } })
        const login = await axios.post(`http://localhost:${medusaPort()}/auth/customer/emailpass`, { email, password: "secret-password-1" })
        const asCustomer = await axios.get(url(), { headers: { authorization: `Bearer ${login.data.token}` }, validateStatus: () => true })
        expect(asCustomer.status).toBe(401)
      })

      it("answers bad input with 400 and what to fix", async () => {
        const bad = await api.get(`/admin/payment-ledger/attention?kind=lost`, admin()).catch((e: any) => e.response)
        expect(bad.status).toBe(400)
        expect(bad.data.message).toMatch(/^kind "lost" is not known; use one of orphaned, refund_owed/)
        const badLimit = await api.get(`/admin/payment-ledger/attention?limit=0`, admin()).catch((e: any) => e.response)
        expect(badLimit.status).toBe(400)
        expect(badLimit.data.message).toBe("limit must be a whole number from 1 to 200.")
      })

      it("lists refunds the merchant owes", async () => {
        const container = getContainer()
        const { cartId, session } = await startPayment("pp_quantapay_quantapay")
        await payAtGateway(gateways(), session)
        const order = await waitFor("the order", () => orderForCart(container, cartId), { timeoutMs: 30_000 })
        const placed = await waitFor("the capture", async () => {
          const o = await adminOrder(order.id)
          return new BigNumber(o.summary.paid_total).gt(0) && o
        })
        await api.post(`/admin/payments/${placed.payment_collections[0].payments[0].id}/refund`, { amount: 5 }, admin())
        const owed = (await attention("refund_owed")).filter((i) => i.merchant_order_id === session.data.merchant_order_id)
        expect(owed).toEqual([expect.objectContaining({ kind: "refund_owed", amount: "5.00", currency: "USD", status: "manual_pending" })])
      })
    })
  },
})
