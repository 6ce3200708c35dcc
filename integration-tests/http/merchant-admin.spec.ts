import axios from "axios"
import { BigNumber } from "bignumber.js"
import seedDemo, { type DemoSeedResult } from "../../scripts/demo-seed"
import { reconcilePendingPayments } from "../../src/sync/reconcile"
import { demoShopper } from "../helpers/demo-shop"
import { payAtGateway, refundAtPortal, suppressWebhooks, type RegistrationId } from "../helpers/gateways"
import { shopSuite } from "../helpers/shop-suite"
import { waitFor } from "../helpers/store"

jest.setTimeout(240_000)

/**
 * The merchant's view in the admin, through the admin API the dashboard's widget and page call: an order's
 * gateway payment (references, method, amounts, refunds with what really happened to the money, disputes),
 * "Check with gateway", "Mark as paid back", payments needing attention with filters; and events after
 * payment reaching the order: refunds made in the gateway's portal (QFPay notification, QuantaPay status R)
 * recorded as refunds on the order, once, with nothing sent again; Qbit Pay disputes recorded. Every route
 * is behind Medusa's admin authentication and answers bad input with a 400 that says what to fix.
 */
const DIRECT = "pp_qfpay_qfpay-direct"
const QUANTAPAY = "pp_quantapay_quantapay"
const QBITPAY = "pp_qbitpay_qbitpay"

shopSuite<DemoSeedResult>({
  seed: (container) => seedDemo({ container, args: [] } as never),
  env: { QFPAY_ORDER_BEFORE_PAYMENT: "false", QUANTAPAY_ORPHANED_PAYMENTS: "flag" },
  tests: ({ api, getContainer, gateways, shop, admin, medusaPort }) => {
    const shopper = () => demoShopper(api, shop())
    const regionOf = (provider: string) => (provider.startsWith("pp_qfpay") ? "hk" : "us") as "hk" | "us"
    const ledger = () => getContainer().resolve("paymentLedger") as any
    const attemptOf = async (session: any) => (await ledger().listPaymentAttempts({ merchant_order_id: session.data.merchant_order_id }))[0]
    const url = (path: string) => `http://localhost:${medusaPort()}${path}`

    async function adminOrder(orderId: string) {
      const { data } = await api.get(
        `/admin/orders/${orderId}?fields=id,status,payment_status,summary,*payment_collections,*payment_collections.payments,*payment_collections.payments.refunds,*payment_collections.payments.captures`,
        admin()
      )
      return data.order
    }
    const paymentOf = async (orderId: string) => (await adminOrder(orderId)).payment_collections[0].payments[0]
    const details = async (orderId: string) => (await api.get(`/admin/payment-ledger/orders/${orderId}`, admin())).data.attempts as any[]

    /** A paid order: the cart completes after the payment landed (or before it, for order-first registrations). */
    async function paidOrder(provider: RegistrationId) {
      const s = shopper()
      const cartId = await s.cart(regionOf(provider))
      const session = await s.session(cartId, provider)
      const reference = await payAtGateway(gateways(), session)
      const completed = await s.complete(cartId)
      expect(completed.data.type).toBe("order")
      const orderId = completed.data.order.id as string
      await waitFor("the capture", async () => {
        const o = await adminOrder(orderId)
        return o.payment_status === "captured" && new BigNumber(o.summary.paid_total).gt(0) && o
      }, { timeoutMs: 30_000 })
      return { cartId, session, orderId, reference }
    }

    const refundsAtQfpay = () => gateways().qfpay.state().transactions.filter((t) => t.order_type === "refund")

    describe("admin authentication and input", () => {
      const routes: Array<["get" | "post", string]> = [
        ["get", "/admin/payment-ledger/attention"],
        ["get", "/admin/payment-ledger/orders/order_01ABCDEFGHIJKLMNOPQRSTUVWX"],
        ["post", "/admin/payment-ledger/attempts/plat_01ABCDEFGHIJKLMNOPQRSTUVWX/check"],
        ["post", "/admin/payment-ledger/attempts/plat_01ABCDEFGHIJKLMNOPQRSTUVWX/paid-back"],
        ["post", "/admin/payment-ledger/refunds/plrf_01ABCDEFGHIJKLMNOPQRSTUVWX/paid-back"],
        ["post", "/admin/payment-ledger/reconcile"],
      ]

      it("every route refuses an anonymous request and a customer's token with 401, and runs nothing", async () => {
        const email = `customer-${Date.now()}@example.test`
        const registered = await axios.post(url("/auth/customer/emailpass/register"), { email, password: "secret-password-1" })
        await axios.post(url("/store/customers"), { email }, { headers: { authorization: `Bearer ${registered.data.token}`, ...shopper().headers } })
        const login = await axios.post(url("/auth/customer/emailpass"), { email, password: "secret-password-1" })
        for (const [method, path] of routes) {
          const body = method === "post" ? { reference: "0xabc" } : undefined
          const anonymous = await axios.request({ method, url: url(path), data: body, validateStatus: () => true })
          expect([path, anonymous.status]).toEqual([path, 401])
          const customer = await axios.request({ method, url: url(path), data: body, headers: { authorization: `Bearer ${login.data.token}` }, validateStatus: () => true })
          expect([path, customer.status]).toEqual([path, 401])
        }
      })

      it("bad input gets 400 with what to fix; unknown ids 404", async () => {
        const bad = (method: "get" | "post", path: string, data?: unknown) => axios.request({ method, url: url(path), data, ...admin(), validateStatus: () => true })
        const refund = "/admin/payment-ledger/refunds/plrf_01ABCDEFGHIJKLMNOPQRSTUVWX/paid-back"
        const cases: Array<[Promise<any>, number, RegExp]> = [
          [bad("post", refund, {}), 400, /reference/],
          [bad("post", refund, { reference: "   " }), 400, /field 'reference' too small/],
          [bad("post", refund, { reference: "0xabc", paid_at: "yesterday" }), 400, /paid_at must be an ISO 8601 date-time/],
          [bad("post", refund, { reference: "0xabc", paid_at: new Date(Date.now() + 86_400_000).toISOString() }), 400, /paid_at cannot be in the future/],
          [bad("post", refund, { reference: "0xabc", amount: 5 }), 400, /amount/],
          [bad("post", "/admin/payment-ledger/refunds/nope/paid-back", { reference: "0xabc" }), 400, /"nope" is not a valid id; expected one starting with plrf_/],
          [bad("post", refund, { reference: "0xabc" }), 404, /No refund plrf_01ABCDEFGHIJKLMNOPQRSTUVWX in the payment ledger/],
          [bad("post", "/admin/payment-ledger/attempts/order_1/check"), 400, /expected one starting with plat_/],
          [bad("post", "/admin/payment-ledger/attempts/plat_01ABCDEFGHIJKLMNOPQRSTUVWX/check"), 404, /No payment attempt/],
          [bad("get", "/admin/payment-ledger/orders/cart_123"), 400, /expected one starting with order_/],
          [bad("get", "/admin/payment-ledger/orders/order_01ABCDEFGHIJKLMNOPQRSTUVWX"), 404, /was not found/],
          [bad("get", "/admin/payment-ledger/attention?state=closed"), 400, /state must be "open" or "all"/],
          [bad("get", "/admin/payment-ledger/attention?provider_id=stripe"), 400, /provider_id "stripe" is not a payment provider id/],
          [bad("get", "/admin/payment-ledger/attention?kind=lost"), 400, /kind "lost" is not known/],
        ]
        for (const [pending, status, message] of cases) {
          const res = await pending
          expect({ status: res.status, message: res.data.message }).toEqual({ status, message: expect.stringMatching(message) })
        }
      })
    })

    describe("the order's gateway payment", () => {
      it("QFPay: reference, pay type, amounts, status in the ledger and in Medusa, the portal", async () => {
        const { orderId, reference } = await paidOrder(DIRECT)
        const [attempt] = await details(orderId)
        expect(attempt).toMatchObject({
          gateway: "qfpay",
          gateway_name: "QFPay",
          provider_id: DIRECT,
          gateway_reference: reference,
          method: expect.stringMatching(/\(80\d{4}\)$/),
          currency: "HKD",
          status: "paid",
          medusa_status: "captured",
          current: true,
          portal_url: `${gateways().qfpay.url}/__sim/state`,
          refunds: [],
          dispute: null,
        })
        expect(attempt.paid_amount).toBe(attempt.amount)
        const order = await adminOrder(orderId)
        expect(new BigNumber(order.summary.paid_total).toFixed(2)).toBe(attempt.amount)
      })

      it("QuantaPay: a refund owed by the merchant, marked paid back once, with who, when and the reference", async () => {
        const { orderId } = await paidOrder(QUANTAPAY)
        const payment = await paymentOf(orderId)
        await api.post(`/admin/payments/${payment.id}/refund`, { amount: 5 }, admin())
        const [attempt] = await details(orderId)
        expect(attempt.method).toBe("ETH")
        expect(attempt.refunds).toEqual([expect.objectContaining({ amount: "5.00", status: "manual_pending", origin: "medusa", state: expect.stringMatching(/^owed by the merchant/) })])
        const owed = attempt.refunds[0]

        const marked = await api.post(`/admin/payment-ledger/refunds/${owed.id}/paid-back`, { reference: "0xfeedbeef", note: "sent from the shop wallet" }, admin())
        expect(marked.data.refund).toMatchObject({ status: "paid_back", paid_back_reference: "0xfeedbeef", paid_back_by: expect.stringMatching(/@/), state: "paid back by the merchant" })
        expect(Date.now() - Date.parse(marked.data.refund.paid_back_at)).toBeLessThan(60_000)
        const again = await api.post(`/admin/payment-ledger/refunds/${owed.id}/paid-back`, { reference: "0xother" }, admin()).catch((e: any) => e.response)
        expect(again.status).toBe(400)
        expect(again.data.message).toMatch(/already marked paid back by .*@/)
        expect((await details(orderId))[0].refunds[0]).toMatchObject({ status: "paid_back", paid_back_reference: "0xfeedbeef" })
        const listed = await api.get(`/admin/payment-ledger/attention?kind=refund_owed&q=${attempt.merchant_order_id}`, admin())
        expect(listed.data.items).toEqual([])
      })
    })

    describe("refunds made in the gateway's portal reach the order", () => {
      it("QFPay: a portal refund (its notification) is recorded on the order once, and nothing is sent again; Medusa's own refunds are not counted twice", async () => {
        const { orderId, session } = await paidOrder(DIRECT)
        const portalReference = await refundAtPortal(gateways(), session, "1000")
        const recorded = await waitFor("the portal refund on the order", async () => {
          const p = await paymentOf(orderId)
          return p.refunds?.length === 1 && p
        }, { timeoutMs: 30_000 })
        expect(Number(recorded.refunds[0].amount)).toBe(10)
        expect(recorded.refunds[0].note).toMatch(/Refunded at QFPay, outside Medusa/)
        expect(refundsAtQfpay()).toHaveLength(1)

        // A refund from Medusa afterwards: sent once; its own notification does not add a third refund.
        await api.post(`/admin/payments/${recorded.id}/refund`, { amount: 3 }, admin())
        await waitFor("both refunds notified and processed", async () => {
          const deliveries = await ledger().listWebhookDeliveries({ merchant_order_id: session.data.merchant_order_id, kind: "refunded" })
          return deliveries.length === 2 && deliveries.every((d: any) => d.status === "processed") && deliveries
        }, { timeoutMs: 30_000 })
        expect(refundsAtQfpay()).toHaveLength(2)
        expect((await paymentOf(orderId)).refunds).toHaveLength(2)
        const [attempt] = await details(orderId)
        expect(attempt.refunds.map((r: any) => [r.origin, r.amount, r.status, r.gateway_reference !== null, r.medusa_refund_id !== null])).toEqual([
          ["gateway", "10.00", "succeeded", true, true],
          ["medusa", "3.00", "succeeded", true, true],
        ])
        expect(attempt.refunds[0].gateway_reference).toBe(portalReference)
      })

      it("QuantaPay: a transaction refunded at the gateway (status R) is found by 'Check with gateway': the owed refund is paid back, the rest recorded on the order", async () => {
        const { orderId, session } = await paidOrder(QUANTAPAY)
        const payment = await paymentOf(orderId)
        await api.post(`/admin/payments/${payment.id}/refund`, { amount: 5 }, admin())
        await refundAtPortal(gateways(), session)
        const attempt = await attemptOf(session)
        const { data } = await api.post(`/admin/payment-ledger/attempts/${attempt.id}/check`, {}, admin())
        expect(data.check.outcome).toMatch(/recorded on the order/)
        const after = await paymentOf(orderId)
        expect(after.refunds).toHaveLength(2)
        const total = after.refunds.reduce((sum: BigNumber, r: any) => sum.plus(r.amount), new BigNumber(0))
        expect(total.toFixed(2)).toBe(new BigNumber(payment.amount).toFixed(2))
        const [view] = await details(orderId)
        expect(view.refunds.map((r: any) => [r.origin, r.status])).toEqual([
          ["medusa", "paid_back"],
          ["gateway", "succeeded"],
        ])
        expect(view.refunds[0].paid_back_by).toMatch(/QuantaPay/)
        // Asked again (the job's next look): nothing new.
        const second = await api.post(`/admin/payment-ledger/attempts/${attempt.id}/check`, {}, admin())
        expect(second.data.check.outcome).toMatch(/is already recorded/)
        expect((await paymentOf(orderId)).refunds).toHaveLength(2)
        expect((await adminOrder(orderId)).payment_status).toBe("refunded")
      })

      it("the reconciliation job finds a QuantaPay refund made at the gateway by itself", async () => {
        const { orderId, session } = await paidOrder(QUANTAPAY)
        await refundAtPortal(gateways(), session)
        const report = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
        expect(report.gatewayRefunds).toEqual(expect.arrayContaining([expect.stringMatching(/recorded on the order/)]))
        expect((await paymentOf(orderId)).refunds).toHaveLength(1)
        const again = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
        expect(again.gatewayRefunds).toEqual([])
      })
    })

    describe("Check with gateway", () => {
      it("captures an order placed first whose payment arrived without a webhook", async () => {
        suppressWebhooks(gateways())
        const s = shopper()
        const cartId = await s.cart("us")
        const session = await s.session(cartId, QUANTAPAY)
        const completed = await s.complete(cartId)
        expect(completed.data.type).toBe("order")
        const orderId = completed.data.order.id
        await payAtGateway(gateways(), session)
        expect((await adminOrder(orderId)).payment_status).not.toBe("captured")
        const [before] = await details(orderId)
        expect(before).toMatchObject({ status: "open", medusa_status: "pending_authorization" })
        const { data } = await api.post(`/admin/payment-ledger/attempts/${before.id}/check`, {}, admin())
        expect(data.check).toMatchObject({ status_before: "open", status_after: "paid", outcome: "paid: the order's payment is captured" })
        const order = await adminOrder(orderId)
        expect(order.payment_status).toBe("captured")
        expect(order.payment_collections[0].payments[0].captures).toHaveLength(1)
        const [after] = await details(orderId)
        expect(after).toMatchObject({ status: "paid", medusa_status: "captured", checks: 1 })
        expect(after.last_checked_at).not.toBeNull()
      })
    })

    describe("Qbit Pay disputes", () => {
      it("a dispute on an order placed first is recorded and listed; won, the payment is captured and the dispute shown as won", async () => {
        const s = shopper()
        const cartId = await s.cart("us")
        const session = await s.session(cartId, QBITPAY)
        const orderId = (await s.complete(cartId)).data.order.id
        await axios.post(`${gateways().qbitpay.url}/__sim/charges/${session.data.gateway_reference}/dispute`, {})
        const disputed = await waitFor("the dispute recorded", async () => {
          const [a] = await details(orderId)
          return a.dispute?.status === "open" && a
        }, { timeoutMs: 30_000 })
        expect(disputed.attention).toBe("dispute")
        const listed = await api.get(`/admin/payment-ledger/attention?kind=dispute&provider_id=${QBITPAY}&state=open`, admin())
        expect(listed.data.items).toEqual([expect.objectContaining({ kind: "dispute", needs_action: true, order_id: orderId, merchant_order_id: session.data.merchant_order_id })])

        await axios.post(`${gateways().qbitpay.url}/__sim/charges/${session.data.gateway_reference}/close-dispute`, { outcome: "won" })
        await waitFor("the payment captured", async () => (await adminOrder(orderId)).payment_status === "captured", { timeoutMs: 30_000 })
        const [won] = await details(orderId)
        expect(won).toMatchObject({ status: "paid", dispute: { status: "won" } })
        expect(won.dispute.closed_at).not.toBeNull()
        const open = await api.get(`/admin/payment-ledger/attention?kind=dispute&state=open&q=${session.data.merchant_order_id}`, admin())
        expect(open.data.items).toEqual([])
      })
    })

    describe("payments needing attention", () => {
      it("an orphaned payment that must be paid back by hand: listed with its customer, marked paid back, then no longer open", async () => {
        const s = shopper()
        const cartId = await s.cart("us")
        const session = await s.session(cartId, QUANTAPAY)
        // The shopper changes the cart (Medusa deletes the session), then the coins arrive for the old one.
        await api.post(`/store/carts/${cartId}/line-items`, { variant_id: (await api.get(`/store/products?region_id=${shop().regions.us}&fields=*variants`, { headers: s.headers })).data.products[0].variants[0].id, quantity: 1 }, { headers: s.headers })
        await payAtGateway(gateways(), session)
        const attempt = await waitFor("the orphan", async () => {
          const a = await attemptOf(session)
          return a.attention === "orphaned" && a
        }, { timeoutMs: 30_000 })
        const open = await api.get(`/admin/payment-ledger/attention?state=open&provider_id=${QUANTAPAY}&q=${session.data.merchant_order_id}`, admin())
        expect(open.data.items).toEqual([expect.objectContaining({ kind: "orphaned", needs_action: true, resolution: "flagged", customer_email: "shopper@example.test" })])
        expect(open.data.providers).toEqual(expect.arrayContaining([DIRECT, QUANTAPAY, QBITPAY]))

        const marked = await api.post(`/admin/payment-ledger/attempts/${attempt.id}/paid-back`, { reference: "0xorphan" }, admin())
        expect(marked.data.refund).toMatchObject({ origin: "orphan", status: "paid_back", paid_back_reference: "0xorphan" })
        const afterwards = await api.get(`/admin/payment-ledger/attention?state=open&q=${session.data.merchant_order_id}`, admin())
        expect(afterwards.data.items).toEqual([])
        const all = await api.get(`/admin/payment-ledger/attention?state=all&q=${session.data.merchant_order_id}`, admin())
        expect(all.data.items).toEqual([expect.objectContaining({ kind: "orphaned", needs_action: false, resolution: "paid_back" })])
        const twice = await api.post(`/admin/payment-ledger/attempts/${attempt.id}/paid-back`, { reference: "0xagain" }, admin()).catch((e: any) => e.response)
        expect(twice.status).toBe(400)
      })
    })
  },
})
