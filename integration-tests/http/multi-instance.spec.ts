import axios from "axios"
import { startCluster, shopper, type Cluster } from "../helpers/cluster"
import { deliverWebhook, payAtGateway, REGISTRATIONS, suppressWebhooks, webhookOf, type RegistrationId } from "../helpers/gateways"
import { waitFor } from "../helpers/store"

jest.setTimeout(25 * 60_000)

/**
 * The production shape: two server instances and a worker of the dev store (`medusa start`, each its own
 * process) on one PostgreSQL and one Redis, with Medusa's own Redis event bus, workflow engine, locking and
 * caching. The gateways send webhooks through a load balancer to the servers; processing and the scheduled
 * reconciliation job run on the worker. The tests count what matters: orders, captures, deliveries
 * recorded, workflow runs, and what the gateways saw.
 */
let cluster: Cluster
const counts: Array<Record<string, string | number>> = []

beforeAll(async () => {
  cluster = await startCluster({
    redis: true,
    instances: [
      { name: "server-1", mode: "server" },
      { name: "server-2", mode: "server" },
      { name: "worker-1", mode: "worker" },
    ],
    env: {
      PAYMENT_WEBHOOK_DELAY_MS: "1000",
      PAYMENT_RECONCILE_INTERVAL_MS: "5000",
      PAYMENT_RECONCILE_GRACE_MINUTES: "0",
      PAYMENT_DELIVERY_LOST_AFTER_MS: "6000",
    },
  })
}, 15 * 60_000)

afterAll(async () => {
  if (counts.length) console.log(`Multi-instance counts per payment:\n${counts.map((c) => JSON.stringify(c)).join("\n")}`)
  await cluster?.stop()
})

beforeEach(() => {
  cluster.gateways.qfpay.reset()
  cluster.gateways.quantapay.reset()
  cluster.gateways.qbitpay.reset()
})

const regionOf = (provider: string) => (provider.startsWith("pp_qfpay") ? "hk" : "us") as "hk" | "us"

async function one<T = Record<string, unknown>>(sql: string, params: unknown[]): Promise<T[]> {
  return cluster.sql<T>(sql, params)
}
const ordersOf = (cartId: string) => one("select order_id from order_cart where cart_id = $1 and deleted_at is null", [cartId])
const capturesOf = (sessionId: string) =>
  one("select c.id from capture c join payment p on p.id = c.payment_id where p.payment_session_id = $1 and c.deleted_at is null", [sessionId])
const deliveriesOf = (orderId: string) => one("select id, status from payment_ledger_delivery where merchant_order_id = $1", [orderId])
const attemptOf = async (orderId: string) => (await one<{ workflow_runs: number; status: string; attention: string | null }>("select * from payment_ledger_attempt where merchant_order_id = $1", [orderId]))[0]

async function paidSession(provider: RegistrationId, via = cluster.http[0]) {
  const s = shopper(cluster, via)
  const cartId = await s.cart(regionOf(provider))
  const session = await s.session(cartId, provider)
  const reference = await payAtGateway(cluster.gateways, session)
  return { s, cartId, session, reference }
}

async function orderAppears(cartId: string, timeoutMs = 60_000) {
  return waitFor(`the order of cart ${cartId}`, async () => (await ordersOf(cartId)).length > 0, { timeoutMs })
}

describe("several Medusa instances on Medusa's Redis modules", () => {
  it.each([...REGISTRATIONS])("%s: the same genuine webhook delivered 50 times, concurrently to every server: one order, one capture, the workflow run once", async (provider) => {
    suppressWebhooks(cluster.gateways)
    const { cartId, session } = await paidSession(provider)
    const hook = webhookOf(cluster.gateways, session)
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => deliverWebhook(cluster.http[i % cluster.http.length].port, hook).then((r) => r.status))
    )
    expect(answers.every((status) => status === 200)).toBe(true)
    await orderAppears(cartId)
    // Let any processing still queued on the worker finish before counting.
    await waitFor("every delivery processed", async () => (await deliveriesOf(session.data.merchant_order_id)).every((d: any) => d.status === "processed"))
    const orders = await ordersOf(cartId)
    const captures = await capturesOf(session.id)
    const deliveries = await deliveriesOf(session.data.merchant_order_id)
    const attempt = await attemptOf(session.data.merchant_order_id)
    counts.push({ provider, deliveries_sent: 50, deliveries_recorded: deliveries.length, orders: orders.length, captures: captures.length, workflow_runs: attempt.workflow_runs })
    expect(orders).toHaveLength(1)
    expect(captures).toHaveLength(1)
    expect(deliveries).toHaveLength(1)
    expect(attempt.workflow_runs).toBe(1)
  })

  it("a webhook, the shopper completing the cart and reconciliation on every server, all at once: one order, one capture", async () => {
    suppressWebhooks(cluster.gateways)
    const { s, cartId, session } = await paidSession("pp_qfpay_qfpay")
    const hook = webhookOf(cluster.gateways, session)
    const admin = await cluster.adminHeaders()
    await Promise.all([
      deliverWebhook(cluster.http[0].port, hook),
      shopper(cluster, cluster.http[1]).complete(cartId),
      s.complete(cartId),
      ...cluster.http.map((i) => axios.post(`${i.url}/admin/payment-ledger/reconcile`, {}, { headers: admin, validateStatus: () => true })),
    ])
    await orderAppears(cartId)
    await waitFor("the delivery processed", async () => (await deliveriesOf(session.data.merchant_order_id)).every((d: any) => d.status === "processed"))
    const orders = await ordersOf(cartId)
    const captures = await capturesOf(session.id)
    counts.push({ provider: "pp_qfpay_qfpay (race)", orders: orders.length, captures: captures.length })
    expect(orders).toHaveLength(1)
    expect(captures).toHaveLength(1)
  })

  it("reconciliation started on every instance at once never asks about the same attempt twice at once", async () => {
    suppressWebhooks(cluster.gateways)
    // Open attempts (not paid), and a slow gateway so overlapping runs would show.
    const orderIds: string[] = []
    for (let i = 0; i < 4; i++) {
      const s = shopper(cluster, cluster.http[i % 2])
      const session = await s.session(await s.cart("hk"), "pp_qfpay_qfpay")
      orderIds.push(session.data.merchant_order_id)
    }
    cluster.gateways.qfpay.setFault({ target: "/trade/v1/query", mode: "delay_before", delayMs: 400, times: -1 })
    const before = cluster.calls.qfpay.length
    const admin = await cluster.adminHeaders()
    const runs: Array<{ skippedRun?: boolean; checked: number }> = []
    for (let round = 0; round < 2; round++) {
      // Every attempt due now, for every run (the worker's scheduled job included).
      await cluster.sql("update payment_ledger_attempt set next_check_at = now() - interval '1 minute' where merchant_order_id = any($1)", [orderIds])
      runs.push(
        ...(await Promise.all(
          Array.from({ length: 6 }, (_, i) => axios.post(`${cluster.http[i % 2].url}/admin/payment-ledger/reconcile`, {}, { headers: admin }).then((r) => r.data.report))
        ))
      )
    }
    cluster.gateways.qfpay.clearFaults()
    expect(runs.filter((r) => r.skippedRun).length).toBeGreaterThanOrEqual(2)
    const queries = cluster.calls.qfpay.slice(before).filter((c) => c.path === "/trade/v1/query")
    // Each round's due attempts were asked about (by whichever run held the lock, or the worker's job).
    expect(queries.length).toBeGreaterThanOrEqual(orderIds.length * 2)
    for (const orderId of orderIds) {
      const mine = queries.filter((q) => new URLSearchParams(q.body).get("out_trade_no") === orderId).sort((a, b) => a.start - b.start)
      for (let i = 1; i < mine.length; i++) expect(mine[i].start).toBeGreaterThanOrEqual(mine[i - 1].end)
    }
    counts.push({ provider: "reconcile 2 x 6 at once", runs: runs.length, skipped: runs.filter((r) => r.skippedRun).length, queries: queries.length })
  })

  it("the worker killed while it processes a payment: it still ends captured, once, after the worker is back", async () => {
    // The gateway answers the worker's status query slowly, so the worker is killed in the middle of processing.
    cluster.gateways.qfpay.setFault({ target: "/trade/v1/query", mode: "delay_before", delayMs: 4000, times: 1 })
    const worker = cluster.instances.find((i) => i.mode === "worker")!
    const before = cluster.calls.qfpay.length
    const { cartId, session } = await paidSession("pp_qfpay_qfpay")
    await waitFor("the worker asking QFPay while processing", async () =>
      cluster.calls.qfpay.slice(before).some((c) => c.path === "/trade/v1/query" && new URLSearchParams(c.body).get("out_trade_no") === session.data.merchant_order_id)
    )
    await worker.kill()
    expect(await ordersOf(cartId)).toHaveLength(0)
    await worker.start()
    await orderAppears(cartId, 5 * 60_000)
    await waitFor("its capture", async () => (await capturesOf(session.id)).length > 0, { timeoutMs: 60_000 })
    const orders = await ordersOf(cartId)
    const captures = await capturesOf(session.id)
    counts.push({ provider: "pp_qfpay_qfpay (worker killed)", orders: orders.length, captures: captures.length })
    expect(orders).toHaveLength(1)
    expect(captures).toHaveLength(1)
  })

  it("a server killed right after it acknowledged a webhook: the payment is still processed (the delivery is in the ledger and the event in Redis)", async () => {
    const hitsBefore = cluster.balancer.hits.length
    const { cartId, session } = await paidSession("pp_quantapay_quantapay")
    await waitFor("QuantaPay's webhook acknowledged", async () =>
      cluster.gateways.quantapay.state().webhooks.some((w) => w.external_reference === session.data.merchant_order_id && w.status === 200)
    )
    const hit = cluster.balancer.hits.slice(hitsBefore).find((h) => h.path === "/hooks/payment/quantapay_quantapay")!
    const server = cluster.instances.find((i) => i.name === hit.instance)!
    await server.kill()
    await orderAppears(cartId)
    expect(await ordersOf(cartId)).toHaveLength(1)
    expect(await capturesOf(session.id)).toHaveLength(1)
    await server.start()
  })

  it("Qbit Pay's access token is cached per instance, and every instance's pages open with a token the gateway accepts", async () => {
    const before = cluster.calls.qbitpay.length
    const sessions = []
    for (let i = 0; i < 4; i++) {
      const s = shopper(cluster, cluster.http[i % 2])
      sessions.push(await s.session(await s.cart("us"), "pp_qbitpay_qbitpay"))
    }
    for (const session of sessions) {
      const token = decodeURIComponent(session.data.next_action.url.split("&accessToken=")[1])
      const page = await axios.get(`${cluster.gateways.qbitpay.url}/h5/api/charges/${session.data.gateway_reference}`, { headers: { authorization: `Bearer ${token}` }, validateStatus: () => true })
      expect(page.status).toBe(200)
    }
    const tokenCalls = cluster.calls.qbitpay.slice(before).filter((c) => c.path === "/api/v1/accessToken")
    // At most one fetch per instance (each keeps its own cache), never one per page.
    expect(tokenCalls.length).toBeLessThanOrEqual(cluster.http.length)
  })
})
