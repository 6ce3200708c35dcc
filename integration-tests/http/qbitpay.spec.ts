import axios from "axios"
import { startQbitpaySimulator } from "../../sandbox/qbitpay/server"
import { qbitEventSignature as qbitStyleSignature } from "../../sandbox/shared/signatures"
import { reconcilePendingPayments } from "../../src/sync/reconcile"
import { orderForCart, sleep, waitFor } from "../helpers/store"
import { gatewaySuite } from "../helpers/suite"

jest.setTimeout(180_000)

const API_KEY = "itest-qbitpay-api-key-0123"
const WEBHOOK_DELAY_MS = 300

let sim: Awaited<ReturnType<typeof startQbitpaySimulator>>
let medusaPort: number
const hookUrl = () => `http://localhost:${medusaPort}/hooks/payment/qbitpay_qbitpay`

gatewaySuite({
  startSimulator: async (port) => {
    medusaPort = port
    return (sim = await startQbitpaySimulator({ port: 0, merchants: [{ apiKey: API_KEY }], timeScale: 0.001 }))
  },
  env: (s) => ({
    QBITPAY_API_KEY: API_KEY,
    QBITPAY_BASE_URL: s.url,
    QBITPAY_PAYMENT_PAGE_BASE: `${s.url}/h5`,
    QBITPAY_WEBHOOK_URL: hookUrl(),
    QBITPAY_TIMEOUT_MS: "1500",
    QBITPAY_DEBUG: "true",
    // These tests are of paying before the order; order-first has its own suite.
    QBITPAY_ORDER_BEFORE_PAYMENT: "false",
    PAYMENT_WEBHOOK_DELAY_MS: String(WEBHOOK_DELAY_MS),
  }),
  region: { currency: "usd", countries: ["us"], providers: ["pp_qbitpay_qbitpay"], unitPrice: 49.99, regionName: "United States" },
  tests: ({ api, getContainer, admin: adminOf, checkout }) => {
    const { cartWithItems, paymentCollectionFor, createSession, sessionsOf, completeCart, adminOrder, orderCount, storedPayment } = checkout

    async function startPayment() {
      const cartId = await cartWithItems(1)
      const session = await createSession(await paymentCollectionFor(cartId), "pp_qbitpay_qbitpay")
      return { cartId, session, chargeId: session.data.gateway_reference as string }
    }

    const deliveries = (chargeId: string, type: string) =>
      (sim.state().webhooks as any[]).filter((w) => w.chargeId === chargeId && w.type === type && !w.suppressed)

    async function postEvent(body: string, signature: string) {
      return axios.post(hookUrl(), body, {
        headers: { "content-type": "application/json", "qbitpay-signature": signature },
        transformRequest: [(d) => d],
        validateStatus: () => true,
      })
    }

    it("H5 page -> paid -> charge.succeeded -> order captured; duplicate and late deliveries change nothing", async () => {
      const container = getContainer()
      const { cartId, session, chargeId } = await startPayment()
      expect(session.data).toMatchObject({ gateway: "qbitpay", amount: "49.99", currency: "USD", status: "pending", next_action: { type: "redirect" } })
      const pageUrl: string = session.data.next_action.url
      expect(pageUrl.startsWith(`${sim.url}/h5/?zh#/otc/payment?tradeId=${chargeId}&accessToken=`)).toBe(true)

      // The page only works with the token the provider appended.
      const token = decodeURIComponent(pageUrl.split("&accessToken=")[1])
      const page = await axios.get(`${sim.url}/h5/api/charges/${chargeId}`, { headers: { authorization: `Bearer ${token}` } })
      expect(page.data.charge ?? page.data).toMatchObject({ id: chargeId, amount: 49.99, currency: "USD" })
      const noToken = await axios.get(`${sim.url}/h5/api/charges/${chargeId}`, { validateStatus: () => true })
      expect(noToken.status).toBe(401)

      sim.setFault({ target: "webhook", mode: "duplicate" } as any)
      await axios.post(`${sim.url}/__sim/charges/${chargeId}/pay`, {})
      await waitFor("charge.succeeded delivered", async () => deliveries(chargeId, "charge.succeeded").some((w) => w.delivered))
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      await sleep(WEBHOOK_DELAY_MS + 1500)

      // Once more after the order exists: the same signed event.
      const delivered = deliveries(chargeId, "charge.succeeded")[0]
      const late = await postEvent(delivered.body, delivered.signature)
      expect(late.status).toBe(200)
      await sleep(WEBHOOK_DELAY_MS + 1500)

      expect(deliveries(chargeId, "charge.succeeded").length).toBeGreaterThanOrEqual(2)
      const placed = await adminOrder(order.id)
      expect(placed.payment_status).toBe("captured")
      expect(placed.payment_collections[0].payments).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
      expect(await orderCount()).toBe(1)
      const payment = await storedPayment(placed.payment_collections[0].payments[0].id)
      expect(payment.data).toMatchObject({ status: "paid", gateway_reference: chargeId, charge_status: "closed" })

      // Refunds are recorded as owed by the merchant, with a marker.
      const refund = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, adminOf())
      expect(refund.status).toBe(200)
      expect((await storedPayment(payment.id)).data.refunds).toEqual([
        expect.objectContaining({ amount: "10.00", currency: "USD", status: "manual_pending", gateway_reference: chargeId }),
      ])
    })

    it.each([
      ["expire", "charge.expired", "the payment was cancelled, failed or expired at Qbit Pay"],
      ["fail", "charge.failed", "the payment was cancelled, failed or expired at Qbit Pay"],
    ])("a charge that ends with %s leaves no order and the session says why", async (action, eventType, reason) => {
      const container = getContainer()
      const { cartId, session, chargeId } = await startPayment()
      await axios.post(`${sim.url}/__sim/charges/${chargeId}/${action}`, {})
      await waitFor(`${eventType} delivered`, async () => deliveries(chargeId, eventType).some((w) => w.delivered))
      const [updated] = await waitFor("the session to be updated by the subscriber", async () => {
        const sessions = await sessionsOf(cartId)
        return sessions[0]?.status === "canceled" ? sessions : undefined
      })
      expect(updated.id).toBe(session.id)
      expect(updated.data).toMatchObject({ status: "canceled", charge_status: "cancelled", last_error: reason, next_action: { type: "none" } })
      const complete = await completeCart(cartId)
      expect(complete.data.type).not.toBe("order")
      expect(await orderForCart(container, cartId)).toBeUndefined()
    })

    it("events with a bad signature, a tampered body, a wrong amount or an unknown order create no order", async () => {
      const container = getContainer()
      const { cartId, session, chargeId } = await startPayment()
      const charge = { ...(sim.state().charges as any[]).find((c) => c.id === chargeId) }
      delete charge.merchantId
      let serial = 0
      const event = (data: Record<string, unknown>) => ({
        id: `65f0c0ffee00000000000${String(++serial).padStart(3, "0")}`,
        type: "charge.succeeded",
        createdAt: new Date().toISOString(),
        object: "event",
        pendingWebhooks: 0,
        livemode: true,
        data: { ...charge, status: "closed", paid: true, ...data },
      })
      const send = async (e: Record<string, unknown>, key = API_KEY, tamper?: (body: string) => string, expected = 200) => {
        const body = JSON.stringify(e)
        const res = await postEvent(tamper ? tamper(body) : body, qbitStyleSignature(e, key))
        // A genuine event is recorded and acknowledged whatever it says; a forged or tampered one is refused.
        expect(res.status).toBe(expected)
      }
      await send(event({}), "not-the-api-key", undefined, 401)
      await send(event({}), API_KEY, (b) => b.replace('"amount":49.99', '"amount":4.99'), 401)
      await send(event({ amount: 4.99 }))
      await send(event({ currency: "USDT" }))
      await send(event({ externalOrderId: "payses_01NOTOURS0000000000000000" }))
      await send(event({ externalOrderId: "someone-elses-order" }))
      // Each genuine event is recorded and processed from the ledger: none pays the session.
      const ledger = getContainer().resolve("paymentLedger") as any
      const processed = await waitFor("the four genuine events processed", async () => {
        const rows = (await ledger.listWebhookDeliveries({ provider_id: "pp_qbitpay_qbitpay", verified: true })).filter((d: any) => /^qbitpay:65f0c0ffee/.test(d.delivery_key))
        return rows.length === 4 && rows.every((d: any) => d.status === "processed" || d.status === "ignored") && rows
      })
      expect(processed.map((d: any) => d.outcome.split(":")[0]).sort()).toEqual(["mismatch", "mismatch", "unknown_order", "unknown_order"])
      expect(await orderForCart(container, cartId)).toBeUndefined()
      // (The simulator's compressed clock expires the charge about 1.8 s after it was made, which may cancel the session; no event paid it.)
      expect((await sessionsOf(cartId))[0]).toMatchObject({ id: session.id, status: expect.stringMatching(/^(pending|canceled)$/) })
      expect((await ledger.listPaymentAttempts({ session_id: session.id }))[0]).toMatchObject({ status: "mismatch", attention: "amount_mismatch" })
    })

    it("a lost charge.succeeded is recovered by the reconciliation job, once", async () => {
      const container = getContainer()
      const { cartId, session, chargeId } = await startPayment()
      sim.setFault({ target: "webhook", mode: "suppress", times: -1 } as any)
      await axios.post(`${sim.url}/__sim/charges/${chargeId}/pay`, {})
      const report = await reconcilePendingPayments(container, { graceMinutes: 0 })
      expect(report.completed).toEqual([session.id])
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      const placed = await adminOrder(order.id)
      expect(placed.payment_status).toBe("captured")
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("an expiry whose event is lost is found by the job and shown on the session", async () => {
      const { cartId, session, chargeId } = await startPayment()
      sim.setFault({ target: "webhook", mode: "suppress", times: -1 } as any)
      await axios.post(`${sim.url}/__sim/charges/${chargeId}/expire`, {})
      const report = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
      expect(report.updated).toEqual([session.id])
      const [after] = await sessionsOf(cartId)
      expect(after).toMatchObject({ status: "canceled", data: { status: "canceled", charge_status: "cancelled" } })
    })

    it("the job and a late charge.succeeded racing give one order and one capture", async () => {
      const container = getContainer()
      const { cartId, chargeId } = await startPayment()
      sim.setFault({ target: "webhook", mode: "suppress", times: -1 } as any)
      await axios.post(`${sim.url}/__sim/charges/${chargeId}/pay`, {})
      const charge = { ...(sim.state().charges as any[]).find((c) => c.id === chargeId) }
      delete charge.merchantId
      const event = { id: "65f0c0ffee0000000000cafe", type: "charge.succeeded", createdAt: new Date().toISOString(), object: "event", pendingWebhooks: 0, livemode: true, data: charge }
      const [report, ack] = await Promise.all([
        reconcilePendingPayments(container, { graceMinutes: 0 }),
        postEvent(JSON.stringify(event), qbitStyleSignature(event, API_KEY)),
      ])
      expect(ack.status).toBe(200)
      expect(report.failed).toBe(0)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      await sleep(WEBHOOK_DELAY_MS + 2000)
      const placed = await adminOrder(order.id)
      expect(placed.payment_collections[0].payments).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
      expect(await orderCount()).toBe(1)
    })
  },
})
