import axios from "axios"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { startQfpaySimulator, type QfpaySimulator } from "../../sandbox/qfpay/server"
import { md5Hex } from "../../src/lib/signing"
import { QfpayProviderService } from "../../src/providers/qfpay/service"
import { reconcilePendingPayments } from "../../src/sync/reconcile"
import { orderForCart, sleep, waitFor } from "../helpers/store"
import { gatewaySuite } from "../helpers/suite"

jest.setTimeout(180_000)

const APP_CODE = "ITESTAPPCODE"
const CLIENT_KEY = "itest-client-key-0123456789"
const TIMEOUT_MS = 1500
const WEBHOOK_DELAY_MS = 300

let sim: QfpaySimulator
let medusaPort: number

gatewaySuite({
  startSimulator: async (port) => {
    medusaPort = port
    return (sim = await startQfpaySimulator({ port: 0, merchants: [{ appCode: APP_CODE, clientKey: CLIENT_KEY }], timeScale: 0.01 }))
  },
  env: (s, port) => ({
    QFPAY_APP_CODE: APP_CODE,
    QFPAY_CLIENT_KEY: CLIENT_KEY,
    QFPAY_BASE_URL: s.url,
    QFPAY_NOTIFY_URL: `http://localhost:${port}/hooks/payment/qfpay_qfpay`,
    QFPAY_TIMEOUT_MS: String(TIMEOUT_MS),
    QFPAY_MAX_RETRIES: "1",
    QFPAY_DEBUG: "true",
    PAYMENT_WEBHOOK_DELAY_MS: String(WEBHOOK_DELAY_MS),
  }),
  region: { currency: "hkd", countries: ["hk"], providers: ["pp_qfpay_qfpay", "pp_qfpay_qfpay-direct"], unitPrice: 188, regionName: "Hong Kong" },
  tests: ({ api, getContainer, admin: adminOf, checkout }) => {
    const { cartWithItems, paymentCollectionFor, createSession, sessionsOf, storedPayment, adminOrder, orderCount, storeHeaders } = checkout

    /** Pays on the simulator's hosted checkout page exactly as the page's own script does. */
    async function payAtCheckstand(url: string, outcome: "pay" | "fail" = "pay") {
      const hash = new URL(url).hash.replace(/^#\/?\??/, "")
      const params = Object.fromEntries(new URLSearchParams(hash))
      const res = await axios.post(`${sim.url}/checkstand/api/submit`, { params, outcome, pay_type: "800201" })
      expect(res.data.expired).toBeFalsy()
      return res.data as { redirect: string; syssn?: string }
    }

    async function waitForAcknowledgedNotification(outTradeNo: string) {
      return waitFor(`QFPay notification for ${outTradeNo} to be acknowledged`, async () =>
        sim.state().notifications.find((n) => n.out_trade_no === outTradeNo && n.acknowledged)
      )
    }

    function signedNotification(fields: Record<string, string>, key = CLIENT_KEY) {
      // Python json.dumps formatting, as QFPay sends it.
      const body =
        "{" +
        Object.entries({ status: "1", notify_type: "payment", pay_type: "800201", respcd: "0000", cancel: "0", ...fields })
          .map(([k, v]) => `"${k}": "${v}"`)
          .join(", ") +
        "}"
      return { body, headers: { "content-type": "application/json", "x-qf-sign": md5Hex(body, key).toUpperCase() } }
    }

    async function postNotification(body: string, headers: Record<string, string>) {
      return axios.post(`http://localhost:${medusaPort}/hooks/payment/qfpay_qfpay`, body, {
        headers,
        validateStatus: () => true,
        transformRequest: [(d) => d],
        responseType: "text",
      })
    }

    it("hosted checkout: pay at QFPay, signed notification answered SUCCESS, order captured, two partial refunds", async () => {
      const container = getContainer()
      const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as Record<string, unknown>
      const logged: string[] = []
      const spies = ["debug", "info", "warn", "error", "log"]
        .filter((m) => typeof logger[m] === "function")
        .map((m) =>
          jest.spyOn(logger as any, m).mockImplementation((...args: unknown[]) => {
            logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "))
          })
        )

      try {
        const cartId = await cartWithItems(2)
        const collectionId = await paymentCollectionFor(cartId)
        const session = await createSession(collectionId, "pp_qfpay_qfpay")
        expect(session.status).toBe("pending")
        expect(session.data).toMatchObject({
          gateway: "qfpay",
          mode: "checkout",
          merchant_order_id: session.id,
          amount_minor: "37600",
          currency: "HKD",
          status: "pending",
          next_action: { type: "redirect" },
        })
        expect(session.data.next_action.url.startsWith(`${sim.url}/checkstand/#/?`)).toBe(true)
        expect(JSON.stringify(session.data)).not.toContain(CLIENT_KEY)

        // The shopper opens the page: the simulator checks the URL signature.
        const hash = new URL(session.data.next_action.url).hash.replace(/^#\/?\??/, "")
        const opened = await axios.post(`${sim.url}/checkstand/api/open`, Object.fromEntries(new URLSearchParams(hash)))
        expect(opened.data).toMatchObject({ ok: true, order: { txamt: "37600", txcurrcd: "HKD", out_trade_no: session.id } })

        const paid = await payAtCheckstand(session.data.next_action.url)
        expect(paid.redirect).toContain(`session_id=${session.id}`)

        const notification = await waitForAcknowledgedNotification(session.id)
        expect(notification).toMatchObject({ status: 200, responseBody: "SUCCESS", attempt: 1 })

        const order = await waitFor("the order", () => orderForCart(container, cartId))
        const placed = await adminOrder(order.id)
        expect(placed.payment_status).toBe("captured")
        const payment = placed.payment_collections[0].payments[0]
        expect(payment.provider_id).toBe("pp_qfpay_qfpay")
        const paidData = (await storedPayment(payment.id)).data
        expect(paidData).toMatchObject({ status: "paid", gateway_reference: paid.syssn, duplicate_references: [] })
        expect(payment.captures).toHaveLength(1)
        expect(Number(payment.captures[0].amount)).toBe(376)

        // A partial refund, then the rest.
        const first = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 100 }, adminOf())
        expect(first.status).toBe(200)
        const afterFirst = await storedPayment(payment.id)
        expect(afterFirst.refunds).toHaveLength(1)
        const firstRefundId = afterFirst.refunds[0].id
        const dataAfterFirst = afterFirst.data
        expect(dataAfterFirst.refunds).toEqual([expect.objectContaining({ id: firstRefundId, amount: "100.00", status: "succeeded" })])

        // Medusa retrying the same refund (same idempotency key) with data that never recorded it refunds nothing twice.
        const provider = new QfpayProviderService({ logger: console } as any, {
          appCode: APP_CODE,
          clientKey: CLIENT_KEY,
          baseUrl: sim.url,
          mode: "direct",
          timeoutMs: TIMEOUT_MS,
        })
        const retried = await provider.refundPayment({
          data: paidData,
          amount: { value: "100", precision: 20 } as any,
          context: { idempotency_key: firstRefundId },
        })
        expect((retried.data as any).refunds).toEqual([
          expect.objectContaining({ id: firstRefundId, amount: "100.00", status: "succeeded" }),
        ])
        // And the same key against data that did record it is a no-op without calling QFPay.
        const again = await provider.refundPayment({
          data: dataAfterFirst,
          amount: { value: "100", precision: 20 } as any,
          context: { idempotency_key: firstRefundId },
        })
        expect((again.data as any).refunds).toHaveLength(1)

        const second = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 276 }, adminOf())
        expect(second.status).toBe(200)
        const refundsAtGateway = sim.state().transactions.filter((t) => t.order_type === "refund")
        expect(refundsAtGateway).toHaveLength(2)
        expect(new Set(refundsAtGateway.map((r) => r.out_trade_no)).size).toBe(2)
        expect(refundsAtGateway.map((r) => r.txamt).sort()).toEqual(["10000", "27600"])
        expect(refundsAtGateway.every((r) => r.origssn === paid.syssn && r.respcd === "0000")).toBe(true)
        const original = sim.state().transactions.find((t) => t.syssn === paid.syssn)!
        expect(original.cancel).toBe("3")
        expect((await storedPayment(payment.id)).data.refunds.map((r: any) => r.amount)).toEqual(["100.00", "276.00"])

        const refunded = await adminOrder(order.id)
        expect(refunded.payment_status).toBe("refunded")

        // Debug logging was on for the whole flow: it logged, and it logged no secret.
        const qfLines = logged.filter((l) => l.includes("QFPay"))
        expect(qfLines.some((l) => l.includes("/trade/v1/refund"))).toBe(true)
        const all = logged.join("\n")
        expect(all).not.toContain(CLIENT_KEY)
        for (const n of sim.state().notifications) {
          expect(all).not.toContain(md5Hex(n.body, CLIENT_KEY).toUpperCase())
        }
        expect(all).not.toMatch(/\b[0-9a-f]{64}\b/i) // SHA256 request signatures
        expect(all).not.toMatch(/\b[0-9A-F]{32}\b/) // MD5 notification signatures
        expect(all).not.toMatch(/x-qf-sign"?\s*[:=]\s*"?(?!\[REDACTED\])[0-9a-f]/i)
      } finally {
        spies.forEach((s) => s.mockRestore())
      }
    })

    it("refuses notifications with a bad signature, a wrong amount or a wrong currency: no order", async () => {
      const container = getContainer()
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      const session = await createSession(collectionId, "pp_qfpay_qfpay")
      const genuine = { syssn: "20261122000000000000000001", out_trade_no: session.id, txamt: "18800", txcurrcd: "HKD" }

      const badSig = signedNotification(genuine, "not-the-client-key")
      const refused = await postNotification(badSig.body, badSig.headers)
      expect(refused.status).toBe(401)
      expect(refused.data).not.toBe("SUCCESS")

      const tampered = signedNotification(genuine)
      const tamperedRes = await postNotification(tampered.body.replace('"18800"', '"18801"'), tampered.headers)
      expect(tamperedRes.status).toBe(401)

      const missing = await postNotification(signedNotification(genuine).body, { "content-type": "application/json" })
      expect(missing.status).toBe(401)

      // Correctly signed (only QFPay knows the key) but not what this session costs: acknowledged, never paid.
      for (const fields of [{ ...genuine, txamt: "100" }, { ...genuine, txcurrcd: "USD" }, { ...genuine, out_trade_no: "payses_UNKNOWN0000" }]) {
        const n = signedNotification(fields)
        const res = await postNotification(n.body, n.headers)
        expect(res.status).toBe(200)
        expect(res.data).toBe("SUCCESS")
      }
      await sleep(WEBHOOK_DELAY_MS + 2500)
      expect(await orderForCart(container, cartId)).toBeUndefined()
      const [stillPending] = await sessionsOf(cartId)
      expect(stillPending.status).toBe("pending")

      // Completing the cart now fails cleanly: QFPay has no payment for it.
      const complete = await api.post(`/store/carts/${cartId}/complete`, {}, storeHeaders()).catch((e: any) => e.response)
      expect(complete.data.type === "order").toBe(false)
      expect(await orderForCart(container, cartId)).toBeUndefined()

      // The same session still pays normally afterwards.
      await payAtCheckstand(session.data.next_action.url)
      await waitForAcknowledgedNotification(session.id)
      await waitFor("the order", () => orderForCart(container, cartId))
    })

    it("direct mode: QFPay failing (500) or timing out at initiate gives a clear error and leaves no session; a retry then pays by QR", async () => {
      const container = getContainer()
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)

      // An untrusted pay_type from the storefront is refused.
      const bad = await api
        .post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: "pp_qfpay_qfpay-direct", data: { pay_type: "800208" } }, storeHeaders())
        .catch((e: any) => e.response)
      expect(bad.status).toBe(400)
      expect(bad.data.message).toContain("pay_type")
      expect(await sessionsOf(cartId)).toHaveLength(0)

      sim.setFault({ target: "/trade/v1/payment", mode: "http500" })
      const failed = await api
        .post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: "pp_qfpay_qfpay-direct" }, storeHeaders())
        .catch((e: any) => e.response)
      expect(failed.status).toBeGreaterThanOrEqual(400)
      expect(failed.data.message).toBe("QFPay gave no clear answer when starting the payment. No payment was taken; please try again.")
      expect(await sessionsOf(cartId)).toHaveLength(0)
      expect(sim.state().transactions).toHaveLength(0)

      // The order is created at QFPay but the answer never arrives: we find it and close it.
      sim.setFault({ target: "/trade/v1/payment", mode: "delay_after", delayMs: TIMEOUT_MS + 1500 })
      const timedOut = await api
        .post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: "pp_qfpay_qfpay-direct" }, storeHeaders())
        .catch((e: any) => e.response)
      expect(timedOut.status).toBeGreaterThanOrEqual(400)
      expect(timedOut.data.message).toContain("No payment was taken")
      expect(await sessionsOf(cartId)).toHaveLength(0)
      const orphan = sim.state().transactions
      expect(orphan).toHaveLength(1)
      expect(orphan[0]).toMatchObject({ respcd: "1264", cancel: "2" })

      // Try again: a QR code to scan.
      const session = await createSession(collectionId, "pp_qfpay_qfpay-direct", { pay_type: "802001" })
      expect(session.data).toMatchObject({ mode: "direct", pay_type: "802001", next_action: { type: "qr_code" } })
      const syssn = session.data.gateway_reference
      await axios.post(`${sim.url}/__sim/transactions/${syssn}/pay`, {})
      await waitForAcknowledgedNotification(session.id)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      expect((await adminOrder(order.id)).payment_status).toBe("captured")
    })

    it("a lost notification: completing the cart finds the payment by query", async () => {
      const container = getContainer()
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      const session = await createSession(collectionId, "pp_qfpay_qfpay")
      sim.setFault({ target: "notify", mode: "suppress", times: -1 })
      await payAtCheckstand(session.data.next_action.url)
      const { data } = await api.post(`/store/carts/${cartId}/complete`, {}, storeHeaders())
      expect(data.type).toBe("order")
      expect((await adminOrder(data.order.id)).payment_status).toBe("captured")
      expect(await orderForCart(container, cartId)).toEqual({ id: data.order.id })
    })

    it("a refund whose answer times out is found by query and not sent twice", async () => {
      const container = getContainer()
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      const session = await createSession(collectionId, "pp_qfpay_qfpay")
      const paid = await payAtCheckstand(session.data.next_action.url)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      const payment = (await adminOrder(order.id)).payment_collections[0].payments[0]

      sim.setFault({ target: "/trade/v1/refund", mode: "delay_after", delayMs: TIMEOUT_MS + 1500 })
      const res = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 50 }, adminOf())
      expect(res.status).toBe(200)
      const refunds = sim.state().transactions.filter((t) => t.order_type === "refund")
      expect(refunds).toHaveLength(1)
      expect(refunds[0]).toMatchObject({ txamt: "5000", origssn: paid.syssn, respcd: "0000" })
      expect((await storedPayment(payment.id)).data.refunds).toEqual([expect.objectContaining({ amount: "50.00", status: "succeeded", gateway_reference: refunds[0].syssn })])
    })

    it("reconciliation: a lost notification is recovered by the job, once", async () => {
      const container = getContainer()
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      const session = await createSession(collectionId, "pp_qfpay_qfpay")
      sim.setFault({ target: "notify", mode: "suppress", times: -1 })
      await payAtCheckstand(session.data.next_action.url)

      // Inside the grace period the job leaves the session to the shopper and the webhook.
      expect((await reconcilePendingPayments(container)).checked).toBe(0)
      const report = await reconcilePendingPayments(container, { graceMinutes: 0 })
      expect(report).toMatchObject({ checked: 1, completed: [session.id], failed: 0 })
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      const placed = await adminOrder(order.id)
      expect(placed.payment_status).toBe("captured")
      expect(placed.payment_collections[0].payments).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)

      // A second run finds nothing left to do.
      expect((await reconcilePendingPayments(container, { graceMinutes: 0 })).checked).toBe(0)
    })

    it("reconciliation racing a late notification gives one order and one capture", async () => {
      const container = getContainer()
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      const session = await createSession(collectionId, "pp_qfpay_qfpay")
      sim.setFault({ target: "notify", mode: "suppress", times: -1 })
      const paid = await payAtCheckstand(session.data.next_action.url)
      const notification = signedNotification({ syssn: paid.syssn!, out_trade_no: session.id, txamt: "18800", txcurrcd: "HKD" })
      const [report, ack] = await Promise.all([
        reconcilePendingPayments(container, { graceMinutes: 0 }),
        postNotification(notification.body, notification.headers),
      ])
      expect(ack.data).toBe("SUCCESS")
      expect(report.failed).toBe(0)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      await sleep(WEBHOOK_DELAY_MS + 2000) // let the webhook's own processing finish too
      const placed = await adminOrder(order.id)
      expect(placed.payment_status).toBe("captured")
      expect(placed.payment_collections[0].payments).toHaveLength(1)
      expect(placed.payment_collections[0].payments[0].captures).toHaveLength(1)
      expect(await orderCount()).toBe(1)
    })

    it("refund errors from QFPay reach the admin with a clear message and record nothing", async () => {
      const container = getContainer()
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      const session = await createSession(collectionId, "pp_qfpay_qfpay")
      await payAtCheckstand(session.data.next_action.url)
      const order = await waitFor("the order", () => orderForCart(container, cartId))
      const payment = (await adminOrder(order.id)).payment_collections[0].payments[0]

      sim.setFault({ target: "/trade/v1/refund", mode: "respcd", respcd: "1269", resperr: "Today this payment method refundable balance is 0 HKD" })
      const lowBalance = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, adminOf()).catch((e: any) => e.response)
      expect(lowBalance.status).toBeGreaterThanOrEqual(400)
      expect(lowBalance.data.message).toContain("today's unsettled takings")
      expect(lowBalance.data.message).toContain("1269")

      const refreshed = (await adminOrder(order.id)).payment_collections[0].payments[0]
      expect(refreshed.refunds ?? []).toHaveLength(0)
      expect(sim.state().transactions.filter((t) => t.order_type === "refund")).toHaveLength(0)

      const payments = container.resolve(Modules.PAYMENT)
      expect(payments).toBeDefined()
    })

    // Last on purpose: it moves the simulator clock forward for the rest of the file.
    it("reconciliation: an expired QR code shows up on the session, which the shopper can replace", async () => {
      const cartId = await cartWithItems(1)
      const collectionId = await paymentCollectionFor(cartId)
      const session = await createSession(collectionId, "pp_qfpay_qfpay-direct")
      await axios.post(`${sim.url}/__sim/time/advance`, { ms: 31 * 60_000 })
      const report = await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })
      expect(report.updated).toEqual([session.id])
      const [expired] = await sessionsOf(cartId)
      expect(expired.status).toBe("canceled")
      expect(expired.data).toMatchObject({ status: "expired", last_error: "the payment expired before it was paid", next_action: { type: "none" } })
      // Unchanged on the next run.
      expect((await reconcilePendingPayments(getContainer(), { graceMinutes: 0 })).updated).toEqual([])
    })
  },
})
