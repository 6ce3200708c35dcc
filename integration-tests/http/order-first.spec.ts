import axios from "axios"
import { BigNumber } from "bignumber.js"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import seedDemo, { type DemoSeedResult } from "../../scripts/demo-seed"
import { ourRegistrations, providerFor } from "../../src/providers/manifest"
import { reconcilePendingPayments } from "../../src/sync/reconcile"
import { demoShopper } from "../helpers/demo-shop"
import { deliverWebhook, payAtGateway, REGISTRATIONS, suppressWebhooks, webhookOf, type RegistrationId } from "../helpers/gateways"
import { shopSuite } from "../helpers/shop-suite"
import { waitFor } from "../helpers/store"

jest.setTimeout(240_000)

/**
 * Order first, payment later: with `orderBeforePayment`, the cart completes into an order while the payment is
 * on its way (Medusa's pending authorization: stock reserved, "awaiting payment"), and the payment is captured
 * on that same order when it lands, exactly once: by webhook, by reconciliation, or by the dashboard's "Check
 * status". An order whose payment expires, fails or is underpaid is canceled with its reservations released,
 * or kept for the merchant, as the registration says; a payment arriving after that is attached to a kept
 * order and orphaned for a canceled one. Crypto over- and underpayments are recorded, never absorbed.
 */
const HOSTED = "pp_qfpay_qfpay" // expiredOrders: keep
const DIRECT = "pp_qfpay_qfpay-direct" // expiredOrders: cancel
const QUANTAPAY = "pp_quantapay_quantapay" // expiredOrders: keep; 2 % underpayment tolerance
const QBITPAY = "pp_qbitpay_qbitpay" // expiredOrders: cancel

shopSuite<DemoSeedResult>({
  seed: (container) => seedDemo({ container, args: [] } as never),
  env: {
    QFPAY_ORDER_BEFORE_PAYMENT: "true",
    QFPAY_EXPIRED_ORDERS: "keep",
    QFPAY_DIRECT_EXPIRED_ORDERS: "cancel",
    QFPAY_ORPHAN_REFUND_GRACE_MINUTES: "0",
    QUANTAPAY_EXPIRED_ORDERS: "keep",
    QUANTAPAY_UNDERPAYMENT_TOLERANCE_PERCENT: "2",
    QBITPAY_EXPIRED_ORDERS: "cancel",
  },
  gatewayOptions: { quantapay: { acceptUnderpayments: true } },
  tests: ({ api, getContainer, gateways, shop, admin, medusaPort }) => {
    const shopper = () => demoShopper(api, shop())
    const regionOf = (provider: string) => (provider.startsWith("pp_qfpay") ? "hk" : "us") as "hk" | "us"

    async function adminOrder(orderId: string) {
      const { data } = await api.get(
        `/admin/orders/${orderId}?fields=id,status,payment_status,metadata,summary,*items,*payment_collections,*payment_collections.payments,*payment_collections.payments.captures,*payment_collections.payment_sessions`,
        admin()
      )
      return data.order
    }

    async function reservationsOf(order: { items: Array<{ id: string }> }) {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({ entity: "reservation_item", fields: ["id", "quantity", "line_item_id"], filters: { line_item_id: order.items.map((i) => i.id) } })
      return data
    }

    const ledger = () => getContainer().resolve("paymentLedger") as any
    const attemptOf = async (session: any) => (await ledger().listPaymentAttempts({ merchant_order_id: session.data.merchant_order_id }))[0]

    /** The order placed before paying: completing the cart answers with an order, whose payment is awaited. */
    async function orderFirst(provider: RegistrationId) {
      const s = shopper()
      const cartId = await s.cart(regionOf(provider))
      const session = await s.session(cartId, provider)
      const completed = await s.complete(cartId)
      expect(completed.status).toBe(200)
      expect(completed.data.type).toBe("order")
      const orderId = completed.data.order.id as string
      const placed = await adminOrder(orderId)
      expect(placed.payment_status).not.toBe("captured")
      expect(placed.payment_collections[0].payments).toHaveLength(0)
      expect(placed.payment_collections[0].payment_sessions[0]).toMatchObject({ id: session.id, status: "pending_authorization" })
      expect((await reservationsOf(placed)).length).toBeGreaterThan(0)
      return { cartId, session, orderId }
    }

    async function captured(orderId: string) {
      return waitFor("the order's payment captured", async () => {
        const o = await adminOrder(orderId)
        return o.payment_status === "captured" && new BigNumber(o.summary.paid_total).gt(0) && o
      }, { timeoutMs: 30_000 })
    }

    async function expectOneCapture(cartId: string, orderId: string) {
      const o = await adminOrder(orderId)
      expect(o.payment_collections[0].payments).toHaveLength(1)
      expect(o.payment_collections[0].payments[0].captures).toHaveLength(1)
      expect(new BigNumber(o.summary.raw_pending_difference.value).isZero()).toBe(true)
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
      expect(data).toHaveLength(1)
    }

    /** Our registration's provider instance in this process (the one reconciliation uses), to move its clock. */
    async function shiftClock(providerId: string, ms: number) {
      const container = getContainer()
      const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as any
      const registration = (await ourRegistrations(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE))).find((r) => r.providerId === providerId)!
      ;(providerFor(registration, logger) as any).now_ = () => new Date(Date.now() + ms)
    }

    afterEach(async () => {
      for (const providerId of REGISTRATIONS) await shiftClock(providerId, 0)
    })

    it.each([...REGISTRATIONS])("%s: the order exists before the payment; paying captures that same order, no second one", async (provider) => {
      const { cartId, session, orderId } = await orderFirst(provider)
      await payAtGateway(gateways(), session)
      await captured(orderId)
      await expectOneCapture(cartId, orderId)
      expect((await attemptOf(session)).workflow_runs).toBe(1)
    })

    it.each([...REGISTRATIONS])("%s: a lost webhook: reconciliation captures the order's payment", async (provider) => {
      suppressWebhooks(gateways())
      const { cartId, session, orderId } = await orderFirst(provider)
      await payAtGateway(gateways(), session)
      const report = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
      expect(report.completed).toEqual([session.id])
      await captured(orderId)
      await expectOneCapture(cartId, orderId)
    })

    it.each([...REGISTRATIONS])("%s: the dashboard's Check status: still waiting before payment, captured after", async (provider) => {
      suppressWebhooks(gateways())
      const { cartId, session, orderId } = await orderFirst(provider)
      const check = () => api.post(`/admin/orders/${orderId}/payment-sessions/authorize`, { payment_session_id: session.id }, admin())
      const early = await check()
      expect(early.data.is_authorized).toBe(false)
      expect((await adminOrder(orderId)).payment_collections[0].payment_sessions[0].status).toBe("pending_authorization")
      await payAtGateway(gateways(), session)
      const late = await check()
      expect(late.data.is_authorized).toBe(true)
      await captured(orderId)
      await expectOneCapture(cartId, orderId)
    })

    it.each([...REGISTRATIONS])("%s: 20 concurrent deliveries of the payment's webhook: one capture", async (provider) => {
      suppressWebhooks(gateways())
      const { cartId, session, orderId } = await orderFirst(provider)
      await payAtGateway(gateways(), session)
      const hook = webhookOf(gateways(), session)
      const answers = await Promise.all(Array.from({ length: 20 }, () => deliverWebhook(medusaPort(), hook)))
      expect(answers.every((a) => a.status === 200)).toBe(true)
      await captured(orderId)
      await waitFor("the delivery processed", async () => (await ledger().listWebhookDeliveries({ merchant_order_id: session.data.merchant_order_id })).every((d: any) => d.status === "processed"))
      await expectOneCapture(cartId, orderId)
      expect((await attemptOf(session)).workflow_runs).toBe(1)
    })

    describe("an order whose payment does not arrive", () => {
      it("QFPay hosted (keep): expired, the order is kept and marked; a payment that still lands is attached to it", async () => {
        const { cartId, session, orderId } = await orderFirst(HOSTED)
        await shiftClock(HOSTED, 2 * 3600_000)
        const report = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
        expect(report.updated).toEqual([session.id])
        const kept = await adminOrder(orderId)
        expect(kept.status).not.toBe("canceled")
        expect(kept.metadata.payment).toMatchObject({ state: "payment_expired", action: "kept for the merchant", merchant_order_id: session.id })
        expect(await attemptOf(session)).toMatchObject({ status: "expired", attention: "unpaid_order", resolution: "order_kept" })
        // The hosted page was still open at QFPay: the shopper pays late.
        await shiftClock(HOSTED, 0)
        await payAtGateway(gateways(), session)
        await captured(orderId)
        await expectOneCapture(cartId, orderId)
      })

      it("QFPay direct (cancel): expired, the order is canceled and its stock released; a late wallet confirmation is orphaned and refunded", async () => {
        const { session, orderId } = await orderFirst(DIRECT)
        const placed = await adminOrder(orderId)
        gateways().qfpay.advanceTime(31 * 60_000)
        const report = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
        expect(report.updated).toEqual([session.id])
        const canceled = await waitFor("the order canceled", async () => {
          const o = await adminOrder(orderId)
          return o.status === "canceled" && o
        })
        expect(canceled.metadata.payment).toMatchObject({ state: "payment_expired", action: "order canceled, reservations released" })
        expect(await reservationsOf(placed)).toHaveLength(0)
        // The wallet's confirmation reaches QFPay after all.
        await axios.post(`${gateways().qfpay.url}/__sim/transactions/${session.data.gateway_reference}/pay-late`, {})
        await waitFor("the late payment settled", async () => (await attemptOf(session)).attention === "orphaned")
        expect((await adminOrder(orderId)).payment_collections[0].payments).toHaveLength(0)
        const refunds = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
        expect(refunds.refunded).toHaveLength(1)
        expect(gateways().qfpay.state().transactions.filter((t) => t.order_type === "refund" && t.origssn === session.data.gateway_reference)).toHaveLength(1)
      })

      it("QuantaPay (keep): underpaid, the order is kept; the merchant accepts the transaction at QuantaPay and the order's payment is captured", async () => {
        const { cartId, session, orderId } = await orderFirst(QUANTAPAY)
        const paid = gateways().quantapay.payCheckout(session.data.checkout_id, { coin: "eth", outcome: "under", shortfallPercent: 10 })
        expect(paid.result).toBe("underpaid")
        await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
        const kept = await adminOrder(orderId)
        expect(kept.status).not.toBe("canceled")
        expect(kept.metadata.payment).toMatchObject({ state: "payment_failed", action: "kept for the merchant" })
        gateways().quantapay.completeTransaction(paid.transaction!.id)
        await captured(orderId)
        await expectOneCapture(cartId, orderId)
      })

      it("Qbit Pay (cancel): the charge expires, the order is canceled and its stock released", async () => {
        const { session, orderId } = await orderFirst(QBITPAY)
        const placed = await adminOrder(orderId)
        await axios.post(`${gateways().qbitpay.url}/__sim/charges/${session.data.gateway_reference}/expire`, {})
        // The webhook's processing cancels the order, then notes it on the order and in the ledger: the
        // ledger's resolution is written last.
        await waitFor("the attempt resolved", async () => (await attemptOf(session)).resolution === "order_canceled")
        const canceled = await adminOrder(orderId)
        expect(canceled.status).toBe("canceled")
        expect(canceled.metadata.payment).toMatchObject({ state: "payment_canceled", action: "order canceled, reservations released" })
        expect(await reservationsOf(placed)).toHaveLength(0)
        expect(await attemptOf(session)).toMatchObject({ resolution: "order_canceled", attention: "unpaid_order_canceled" })
      })

      it("an order canceled before its note was written (a run stopped halfway, or staff) is noted by the next run", async () => {
        const { session, orderId } = await orderFirst(QBITPAY)
        // Canceled with its payment still open, as a run that crashed right after the cancellation leaves it.
        await api.post(`/admin/orders/${orderId}/cancel`, {}, admin())
        expect((await adminOrder(orderId)).metadata?.payment).toBeUndefined()
        await axios.post(`${gateways().qbitpay.url}/__sim/charges/${session.data.gateway_reference}/expire`, {})
        await waitFor("the attempt resolved", async () => (await attemptOf(session)).resolution === "order_canceled")
        const noted = await adminOrder(orderId)
        expect(noted.status).toBe("canceled")
        expect(noted.metadata.payment).toMatchObject({ state: "payment_canceled", action: "order canceled, reservations released", merchant_order_id: session.data.merchant_order_id })
        expect(await attemptOf(session)).toMatchObject({ attention: "unpaid_order_canceled" })
      })
    })

    describe("crypto amounts", () => {
      it("an overpayment is captured for the charged amount and recorded for the merchant, received vs charged", async () => {
        const { cartId, session, orderId } = await orderFirst(QUANTAPAY)
        gateways().quantapay.payCheckout(session.data.checkout_id, { coin: "eth", outcome: "over", overpayPercent: 5 })
        await captured(orderId)
        await expectOneCapture(cartId, orderId)
        const attempt = await attemptOf(session)
        expect(attempt.attention).toBe("overpaid")
        expect(new BigNumber(attempt.paid_amount).gt(attempt.amount)).toBe(true)
        const { data } = await api.get(`/admin/payment-ledger/attention?kind=overpaid`, admin())
        expect(data.items.find((i: any) => i.attempt_id === attempt.id)).toMatchObject({ amount: session.data.amount, paid_amount: attempt.paid_amount })
      })

      it("a shortfall within the 2 % tolerance is accepted and recorded; beyond it, it is not a payment", async () => {
        const within = await orderFirst(QUANTAPAY)
        gateways().quantapay.payCheckout(within.session.data.checkout_id, { coin: "eth", outcome: "under", shortfallPercent: 1 })
        await captured(within.orderId)
        expect((await attemptOf(within.session)).attention).toBe("underpaid_accepted")

        const beyond = await orderFirst(QUANTAPAY)
        gateways().quantapay.payCheckout(beyond.session.data.checkout_id, { coin: "eth", outcome: "under", shortfallPercent: 3 })
        await waitFor("the webhook processed", async () => (await ledger().listWebhookDeliveries({ merchant_order_id: beyond.session.data.merchant_order_id }))[0]?.status === "processed")
        expect(await attemptOf(beyond.session)).toMatchObject({ status: "mismatch", attention: "amount_mismatch" })
        expect((await adminOrder(beyond.orderId)).payment_status).not.toBe("captured")
      })
    })
  },
})
