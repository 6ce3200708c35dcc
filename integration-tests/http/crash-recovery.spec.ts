import { startCluster, shopper, type Cluster } from "../helpers/cluster"
import { payAtGateway } from "../helpers/gateways"
import { waitFor } from "../helpers/store"

jest.setTimeout(15 * 60_000)

/**
 * One Medusa process of the dev store (`medusa start`) with Medusa's in-process event bus: a webhook is
 * recorded in the ledger and acknowledged, then the process is killed before it processes it (the event it
 * queued in memory dies with it). After a restart the reconciliation job finds the recorded delivery and
 * the payment is processed from the ledger: the order appears, once.
 */
let cluster: Cluster

beforeAll(async () => {
  cluster = await startCluster({
    redis: false,
    instances: [{ name: "medusa", mode: "shared" }],
    env: {
      // Processing waits 5 s after the answer, so the kill lands between the answer and the processing.
      PAYMENT_WEBHOOK_DELAY_MS: "5000",
      PAYMENT_DELIVERY_LOST_AFTER_MS: "6000",
      PAYMENT_RECONCILE_INTERVAL_MS: "3000",
      PAYMENT_RECONCILE_GRACE_MINUTES: "60",
    },
  })
}, 10 * 60_000)

afterAll(async () => {
  await cluster?.stop()
})

it("a Medusa process killed right after acknowledging a webhook: after a restart the payment is processed from the ledger", async () => {
  const [medusa] = cluster.instances
  const s = shopper(cluster, medusa)
  const cartId = await s.cart("hk")
  const session = await s.session(cartId, "pp_qfpay_qfpay")
  await payAtGateway(cluster.gateways, session)
  const acknowledged = await waitFor("QFPay's notification acknowledged", async () =>
    cluster.gateways.qfpay.state().notifications.find((n) => n.out_trade_no === session.data.merchant_order_id && n.acknowledged)
  )
  expect(acknowledged.responseBody).toBe("SUCCESS")
  await medusa.kill()

  const [recorded] = await cluster.sql<{ status: string }>("select status from payment_ledger_delivery where merchant_order_id = $1", [session.data.merchant_order_id])
  expect(recorded.status).toBe("received")
  expect(await cluster.sql("select order_id from order_cart where cart_id = $1", [cartId])).toHaveLength(0)

  await medusa.start()
  const delivery = await waitFor(
    "the delivery processed from the ledger",
    async () => {
      const [d] = await cluster.sql<{ status: string; attempts: number; outcome: string }>("select status, attempts, outcome from payment_ledger_delivery where merchant_order_id = $1", [session.data.merchant_order_id])
      return d?.status === "processed" && d
    },
    { timeoutMs: 120_000 }
  )
  expect(delivery).toMatchObject({ status: "processed", attempts: 1, outcome: "captured" })
  expect(await cluster.sql("select order_id from order_cart where cart_id = $1", [cartId])).toHaveLength(1)
  const captures = await cluster.sql("select c.id from capture c join payment p on p.id = c.payment_id where p.payment_session_id = $1", [session.id])
  expect(captures).toHaveLength(1)
  // QFPay was answered SUCCESS once and sent nothing again.
  expect(cluster.gateways.qfpay.state().notifications.filter((n) => n.out_trade_no === session.data.merchant_order_id)).toHaveLength(1)
})
