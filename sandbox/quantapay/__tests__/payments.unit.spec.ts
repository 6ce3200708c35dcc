/**
 * Payments through the QuantaPay simulator: transactions appear when a coin is picked, full payment,
 * underpayment (rejected or tolerated), abandon, expiry and the 48 h purge, webhooks (once, no retry,
 * faults), get-transactions and refunds.
 */
import { startQuantapaySimulator, type PayInput, type QuantapaySimulator, type TransactionRow } from "../server"
import { api, control, eventually, pause, webhookInbox } from "./helpers"

const MAIN = { apiKey: "qp-main-key", webhookSecret: "qp-main-secret" }
const LENIENT = { apiKey: "qp-lenient-key", webhookSecret: "qp-lenient-secret" }
const NO_REFUNDS = { apiKey: "qp-norefund-key", webhookSecret: "qp-norefund-secret" }
const QUIET = { apiKey: "qp-quiet-key", webhookSecret: "qp-quiet-secret" }
const TIME_SCALE = 0.001
const HOUR = 3600_000

let sim: QuantapaySimulator
let inbox: Awaited<ReturnType<typeof webhookInbox>>
let failingInbox: Awaited<ReturnType<typeof webhookInbox>>

beforeAll(async () => {
  inbox = await webhookInbox(200)
  failingInbox = await webhookInbox(500)
  sim = await startQuantapaySimulator({
    timeScale: TIME_SCALE,
    accounts: [
      { ...MAIN, webhookUrl: inbox.url, refundsEnabled: true },
      { ...LENIENT, webhookUrl: failingInbox.url, acceptUnderpayments: true, refundsEnabled: true },
      { ...NO_REFUNDS, webhookUrl: inbox.url },
      QUIET,
    ],
  })
})
afterAll(async () => {
  await sim.close()
  await inbox.close()
  await failingInbox.close()
})
afterEach(() => {
  sim.reset()
  inbox.hits.length = 0
  failingInbox.hits.length = 0
})

let seq = 0
const orderId = () => `ORD-${Date.now()}-${++seq}`

async function openSession(fields: Record<string, string> = {}, apiKey = MAIN.apiKey): Promise<{ checkoutId: string; orderId: string }> {
  const id = fields.order_id ?? orderId()
  const answer = await api(sim, { function: "create-checkout-session", "api-key": apiKey, price: "49.99", currency: "USD", order_id: id, ...fields })
  expect(answer.json.success).toBe(true)
  return { checkoutId: answer.json.response.checkout_id, orderId: id }
}

const pay = (checkoutId: string, input: PayInput) => control(sim, "POST", `/__sim/checkout/${checkoutId}/pay`, input)
const getTransaction = async (id: string, apiKey = MAIN.apiKey) =>
  (await api(sim, { function: "get-transaction", "api-key": apiKey, transaction_id: id })).json.response
const getTransactions = async (fields: Record<string, string> = {}, apiKey = MAIN.apiKey) =>
  (await api(sim, { function: "get-transactions", "api-key": apiKey, ...fields })).json.response
const refund = async (id: string, apiKey = MAIN.apiKey) =>
  (await api(sim, { function: "refund", "api-key": apiKey, transaction_id: id })).json.response
const creditBalance = async (apiKey = MAIN.apiKey) =>
  (await api(sim, { function: "get-credit-balance", "api-key": apiKey })).json.response.credit_balance

describe("transactions", () => {
  it("exist only once the shopper picks a coin: a pending row, every value a string", async () => {
    const { checkoutId, orderId: ref } = await openSession({ title: "Green tea" })
    expect(await getTransactions()).toEqual([])

    const picked = await control(sim, "POST", `/__sim/checkout/${checkoutId}/select`, { coin: "btc" })
    expect(picked.status).toBe(200)
    const row = picked.json.transaction as TransactionRow
    expect(row).toEqual({
      id: expect.stringMatching(/^\d+$/),
      biz_id: expect.stringMatching(/^QP-\d{8}-[0-9A-F]{5}$/),
      title: "Green tea",
      description: "",
      from: "",
      to: expect.stringMatching(/^bc1q[a-z0-9]{38}$/),
      hash: "",
      // 49.99 USD / 65000 USD per BTC, truncated to 8 decimals.
      amount: "0.00076907",
      amount_fiat: "49.99000000",
      cryptocurrency: "btc",
      currency: "usd",
      external_reference: ref,
      creation_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      status: "P",
      webhook: "0",
      vat: "0",
      billing: "",
      checkout_id: checkoutId,
      type: "2",
    })
    expect(row.biz_id.slice(3, 11)).toBe(row.creation_time.slice(0, 10).replace(/-/g, ""))
    expect(await getTransaction(row.id)).toEqual(row)

    // Picking the same coin again keeps the row; another coin replaces it.
    const again = await control(sim, "POST", `/__sim/checkout/${checkoutId}/select`, { coin: "btc" })
    expect(again.json.transaction.id).toBe(row.id)
    const eth = await control(sim, "POST", `/__sim/checkout/${checkoutId}/select`, { coin: "usdt_tron" })
    expect(eth.json.transaction).toEqual(expect.objectContaining({ cryptocurrency: "usdt_tron", amount: "49.99", to: expect.stringMatching(/^T/) }))
    expect(await getTransaction(row.id)).toBe(false)
    expect((await control(sim, "POST", `/__sim/checkout/${checkoutId}/select`, { coin: "dogecoin" })).status).toBe(400)
  })

  it("ids increase and another account cannot read them", async () => {
    const a = sim.selectCoin((await openSession()).checkoutId, "eth")
    const b = sim.selectCoin((await openSession()).checkoutId, "eth")
    expect(Number(b.id)).toBeGreaterThan(Number(a.id))
    expect(await getTransaction(a.id, QUIET.apiKey)).toBe(false)
    expect(await getTransaction("999999")).toBe(false)
    expect(await getTransaction("abc")).toBe(false)
  })
})

describe("paying", () => {
  it("in full: C, redirect with the §8 query, exactly one webhook {key, transaction}", async () => {
    const { checkoutId, orderId: ref } = await openSession({ redirect: "https://shop.example/return?cart=7" })
    const paid = await pay(checkoutId, { coin: "eth", outcome: "full" })
    expect(paid.status).toBe(200)
    const row = paid.json.transaction as TransactionRow
    expect(row).toEqual(expect.objectContaining({ status: "C", webhook: "1", amount: "0.01562187", amount_fiat: "49.99000000" }))
    expect(row.from).toMatch(/^0x[0-9a-f]{40}$/)
    expect(row.hash).toMatch(/^0x[0-9a-f]{64}$/)
    expect(paid.json.result).toBe("paid")
    const redirect = new URL(paid.json.redirect)
    expect(`${redirect.origin}${redirect.pathname}`).toBe("https://shop.example/return")
    expect(Object.fromEntries(redirect.searchParams)).toEqual({
      cart: "7",
      transaction_id: row.id,
      amount: row.amount,
      address: row.to,
      cryptocurrency: "eth",
      external_reference: ref,
    })

    const hit = await eventually(() => inbox.hits[0])
    expect(hit.headers["content-type"]).toBe("application/json")
    expect(Object.keys(hit.headers).filter((h) => /sign/i.test(h))).toEqual([])
    const body = JSON.parse(hit.body)
    expect(Object.keys(body)).toEqual(["key", "transaction"])
    expect(body.key).toBe(MAIN.webhookSecret)
    expect(body.transaction).toEqual(row)
    for (const value of Object.values(body.transaction)) expect(typeof value).toBe("string")
    expect(await getTransaction(row.id)).toEqual(row)

    await eventually(() => sim.state().webhooks[0]?.outcome === "sent")
    expect(sim.state().webhooks).toEqual([
      expect.objectContaining({ transaction_id: row.id, external_reference: ref, url: inbox.url, status: 200, outcome: "sent" }),
    ])
    // Paying again is refused and sends nothing more.
    expect((await pay(checkoutId, { coin: "eth", outcome: "full" })).status).toBe(409)
    sim.advanceTime(48 * HOUR)
    await pause(50)
    expect(inbox.hits).toHaveLength(1)
  })

  it("charges the 0.8 % fee against the credit balance", async () => {
    await pay((await openSession()).checkoutId, { coin: "btc", outcome: "full" })
    expect(await creditBalance()).toBe(149.60008)
    // HKD is converted to USD first: 78 HKD = 10 USD -> fee 0.08.
    await pay((await openSession({ price: "78.00", currency: "HKD" })).checkoutId, { coin: "usdc", outcome: "full" })
    expect(await creditBalance()).toBe(149.52008)
  })

  it("records a failing webhook endpoint's status and never retries", async () => {
    const { checkoutId } = await openSession({}, LENIENT.apiKey)
    await pay(checkoutId, { coin: "sol", outcome: "full" })
    await eventually(() => sim.state().webhooks[0]?.outcome === "sent")
    expect(sim.state().webhooks[0]).toEqual(expect.objectContaining({ status: 500, responseBody: "nope" }))
    sim.advanceTime(48 * HOUR)
    await pause(50)
    expect(failingInbox.hits).toHaveLength(1)
    expect(sim.state().webhooks).toHaveLength(1)
  })

  it("an account without a webhook URL completes without any delivery", async () => {
    const { checkoutId } = await openSession({}, QUIET.apiKey)
    const row = (await pay(checkoutId, { coin: "btc", outcome: "full" })).json.transaction
    expect(row).toEqual(expect.objectContaining({ status: "C", webhook: "0" }))
    await pause(30)
    expect(sim.state().webhooks).toEqual([])
  })

  it("underpaid: X, a note, no webhook, no redirect", async () => {
    const { checkoutId } = await openSession({ redirect: "https://shop.example/return" })
    const answer = await pay(checkoutId, { coin: "btc", outcome: "under" })
    expect(answer.json).toEqual(
      expect.objectContaining({ result: "underpaid", redirect: null, returnUrl: "https://shop.example/return" })
    )
    const row = answer.json.transaction as TransactionRow
    expect(row).toEqual(expect.objectContaining({ status: "X", webhook: "0", amount: "0.00076907", amount_fiat: "49.99000000" }))
    expect(JSON.parse(row.description)).toEqual(["Underpayment: 0.00074599 of 0.00076907 BTC received."])
    await pause(50)
    expect(inbox.hits).toHaveLength(0)
    expect(sim.state().webhooks).toEqual([])
    expect(sim.state().sessions[0].status).toBe("underpaid")
    expect(await creditBalance()).toBe(150)
  })

  it("acceptUnderpayments: a shortfall under 5 % completes with the received amounts, 5 % does not", async () => {
    const small = await pay((await openSession({}, LENIENT.apiKey)).checkoutId, { coin: "btc", outcome: "under" })
    expect(small.json.transaction).toEqual(
      expect.objectContaining({ status: "C", webhook: "1", amount: "0.00074599", amount_fiat: "48.49000000" })
    )
    const hit = await eventually(() => failingInbox.hits[0])
    expect(JSON.parse(hit.body).transaction).toEqual(small.json.transaction)

    const almost = await pay((await openSession({}, LENIENT.apiKey)).checkoutId, { coin: "usdc", outcome: "under", shortfallPercent: 4.99 })
    expect(almost.json.transaction).toEqual(expect.objectContaining({ status: "C", amount: "47.495499", amount_fiat: "47.49000000" }))
    const five = await pay((await openSession({}, LENIENT.apiKey)).checkoutId, { coin: "usdc", outcome: "under", shortfallPercent: 5 })
    expect(five.json.transaction.status).toBe("X")
    expect((await pay((await openSession()).checkoutId, { coin: "usdc", outcome: "under", shortfallPercent: 0 })).status).toBe(400)
  })

  it("overpaid: C with the amounts rewritten to what arrived, a note, one webhook", async () => {
    const answer = await pay((await openSession()).checkoutId, { coin: "btc", outcome: "over", overpayPercent: 10 })
    const row = answer.json.transaction as TransactionRow
    // 0.00076907 BTC expected; 110 % of it, floored to 8 decimals; 49.99 USD * 1.1 floored to cents.
    expect(row).toEqual(expect.objectContaining({ status: "C", webhook: "1", amount: "0.00084597", amount_fiat: "54.98000000" }))
    expect(JSON.parse(row.description)).toEqual(["Overpayment: 0.00084597 of 0.00076907 BTC received."])
    const hit = await eventually(() => inbox.hits[0])
    expect(JSON.parse(hit.body).transaction).toEqual(row)
    expect((await pay((await openSession()).checkoutId, { coin: "btc", outcome: "over", overpayPercent: 0 })).status).toBe(400)
  })

  it("the merchant marks an underpaid transaction completed: C, amounts unchanged, webhook sent; C cannot be completed again", async () => {
    const underpaid = (await pay((await openSession()).checkoutId, { coin: "btc", outcome: "under" })).json.transaction as TransactionRow
    expect(inbox.hits).toHaveLength(0)
    const completed = await control(sim, "POST", `/__sim/transactions/${underpaid.id}/complete`, {})
    expect(completed.status).toBe(200)
    expect(completed.json.transaction).toEqual(expect.objectContaining({ id: underpaid.id, status: "C", amount: underpaid.amount, amount_fiat: underpaid.amount_fiat }))
    const hit = await eventually(() => inbox.hits[0])
    expect(JSON.parse(hit.body).transaction.status).toBe("C")
    expect(JSON.parse(await getTransaction(underpaid.id).then((t) => JSON.stringify(t))).status).toBe("C")
    const again = await control(sim, "POST", `/__sim/transactions/${underpaid.id}/complete`, {})
    expect(again.status).toBe(409)
    expect((await control(sim, "POST", "/__sim/transactions/999999/complete", {})).status).toBe(404)
  })

  it("abandon deletes the pending row and redirects with payment_status=cancelled; the session stays payable", async () => {
    const { checkoutId } = await openSession({ redirect: "https://shop.example/return" })
    const pending = sim.selectCoin(checkoutId, "btc")
    const abandoned = await pay(checkoutId, { outcome: "abandon" })
    expect(abandoned.json).toEqual(
      expect.objectContaining({ result: "cancelled", transaction: null, redirect: "https://shop.example/return?payment_status=cancelled" })
    )
    expect(await getTransaction(pending.id)).toBe(false)
    expect(sim.state().transactions).toEqual([])
    const later = await pay(checkoutId, { coin: "btc", outcome: "full" })
    expect(later.json.transaction.status).toBe("C")
    expect(later.json.transaction.id).not.toBe(pending.id)
  })

  it("expiry: the session refuses payment after 60 min, the pending row stays P until 48 h, then is deleted", async () => {
    const { checkoutId } = await openSession()
    const pending = sim.selectCoin(checkoutId, "ltc")
    sim.advanceTime(HOUR * TIME_SCALE)
    expect(sim.state().sessions[0].status).toBe("expired")
    const refused = await pay(checkoutId, { coin: "ltc", outcome: "full" })
    expect(refused.status).toBe(409)
    expect(refused.json.error).toMatch(/expired/)
    expect(() => sim.payCheckout(checkoutId, { coin: "ltc", outcome: "full" })).toThrow(/expired/)
    expect((await getTransaction(pending.id)).status).toBe("P")
    sim.advanceTime(46 * HOUR * TIME_SCALE)
    expect((await getTransaction(pending.id)).status).toBe("P")
    expect(sim.state().transactions[0].purge_at).not.toBeNull()
    sim.advanceTime(2 * HOUR * TIME_SCALE)
    expect(await getTransaction(pending.id)).toBe(false)
    expect((await control(sim, "POST", `/__sim/transactions/${pending.id}/pay`, { outcome: "full" })).status).toBe(404)
  })

  it("a late payment of a pending row after the session expired still completes and notifies", async () => {
    const { checkoutId } = await openSession()
    const pending = sim.selectCoin(checkoutId, "doge")
    sim.advanceTime(2 * HOUR * TIME_SCALE)
    const late = await control(sim, "POST", `/__sim/transactions/${pending.id}/pay`, { outcome: "full" })
    expect(late.status).toBe(200)
    expect(late.json.transaction.status).toBe("C")
    await eventually(() => inbox.hits[0])
    expect((await control(sim, "POST", `/__sim/transactions/${pending.id}/pay`, { outcome: "full" })).status).toBe(409)
  })
})

describe("webhook faults", () => {
  it("suppress: the webhook is lost for good (never delivered, never retried); the next one goes through", async () => {
    sim.setFault({ target: "webhook", mode: "suppress" })
    const lost = await pay((await openSession()).checkoutId, { coin: "btc", outcome: "full" })
    expect(lost.json.transaction.status).toBe("C")
    sim.advanceTime(48 * HOUR)
    await pause(80)
    expect(inbox.hits).toHaveLength(0)
    expect(sim.state().webhooks).toEqual([expect.objectContaining({ transaction_id: lost.json.transaction.id, outcome: "suppressed" })])
    expect(sim.state().webhooks[0].status).toBeUndefined()
    // get-transaction still shows the completed payment: what a reconciler would find.
    expect((await getTransaction(lost.json.transaction.id)).status).toBe("C")

    await pay((await openSession()).checkoutId, { coin: "btc", outcome: "full" })
    await eventually(() => inbox.hits.length === 1)
  })

  it("delay: the webhook arrives after the delay", async () => {
    sim.setFault({ target: "webhook", mode: "delay", delayMs: 120 })
    const started = Date.now()
    await pay((await openSession()).checkoutId, { coin: "btc", outcome: "full" })
    await pause(40)
    expect(inbox.hits).toHaveLength(0)
    expect(sim.state().webhooks[0]).toEqual(expect.objectContaining({ outcome: "pending", delayedMs: 120 }))
    await eventually(() => inbox.hits[0])
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
  })
})

describe("get-transactions", () => {
  it("searches external_reference, filters, returns newest first with description as an array", async () => {
    const first = await openSession({ order_id: "SHOP-1001" })
    const second = await openSession({ order_id: "SHOP-1002" })
    const a = (await pay(first.checkoutId, { coin: "btc", outcome: "under" })).json.transaction as TransactionRow
    const b = (await pay(second.checkoutId, { coin: "eth", outcome: "full" })).json.transaction as TransactionRow

    const all = await getTransactions()
    expect(all.map((r: TransactionRow) => r.id)).toEqual([b.id, a.id])
    expect(all[1].description).toEqual(["Underpayment: 0.00074599 of 0.00076907 BTC received."])
    expect(all[0].description).toEqual([])

    expect((await getTransactions({ search: "SHOP-1002" })).map((r: TransactionRow) => r.id)).toEqual([b.id])
    expect((await getTransactions({ search: "shop-100" })).length).toBe(2)
    expect((await getTransactions({ status: "X" })).map((r: TransactionRow) => r.id)).toEqual([a.id])
    expect((await getTransactions({ cryptocurrency: "eth" })).map((r: TransactionRow) => r.id)).toEqual([b.id])
    expect((await getTransactions({ checkout_id: first.checkoutId })).map((r: TransactionRow) => r.id)).toEqual([a.id])
    expect(await getTransactions({ search: "nothing-like-this" })).toEqual([])
    const range = (from: string, to: string) =>
      api(sim, {}, {
        body: new URLSearchParams([["function", "get-transactions"], ["api-key", MAIN.apiKey], ["date_range[]", from], ["date_range[]", to]]).toString(),
      })
    expect((await range("2000-01-01 00:00:00", "2999-12-31 23:59:59")).json.response).toHaveLength(2)
    expect((await range("2000-01-01 00:00:00", "2000-01-02 00:00:00")).json.response).toEqual([])
    const single = await api(sim, {}, { body: `function=get-transactions&api-key=${MAIN.apiKey}&date_range[]=2000-01-01` })
    expect(single.json.response).toEqual(["error", "invalid-date-range"])
    expect(await getTransactions({}, QUIET.apiKey)).toEqual([])
  })

  it("pages by 100 rows (0-based), -1 returns everything", async () => {
    const ids: string[] = []
    for (let i = 0; i < 105; i++) ids.push(sim.selectCoin((await openSession()).checkoutId, "usdt").id)
    const newestFirst = [...ids].reverse()
    const page0 = await getTransactions()
    expect(page0).toHaveLength(100)
    expect(page0[0].id).toBe(newestFirst[0])
    expect((await getTransactions({ pagination: "0" })).map((r: TransactionRow) => r.id)).toEqual(newestFirst.slice(0, 100))
    expect((await getTransactions({ pagination: "1" })).map((r: TransactionRow) => r.id)).toEqual(newestFirst.slice(100))
    expect(await getTransactions({ pagination: "2" })).toEqual([])
    expect(await getTransactions({ pagination: "-1" })).toHaveLength(105)
    expect(await getTransactions({ pagination: "first" })).toEqual(["error", "invalid-pagination"])
  })
})

describe("refund", () => {
  it("refunds a completed payment when enabled: status true, row R with a note", async () => {
    const row = (await pay((await openSession()).checkoutId, { coin: "btc", outcome: "full" })).json.transaction as TransactionRow
    const answer = await refund(row.id)
    expect(answer).toEqual({ status: true, message: expect.stringMatching(/^Refund sent\./) })
    const refunded = await getTransaction(row.id)
    expect(refunded.status).toBe("R")
    expect(JSON.parse(refunded.description)[0]).toMatch(/^Refund sent on \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\. Transaction hash: /)
    // R is final: a second refund is the wrong status.
    expect((await refund(row.id)).status).toBe("wrong-transaction-status")
    // No webhook for refunds.
    await eventually(() => inbox.hits.length === 1)
    await pause(30)
    expect(inbox.hits).toHaveLength(1)
  })

  it("an underpaid (X) payment can be refunded too", async () => {
    const row = (await pay((await openSession()).checkoutId, { coin: "btc", outcome: "under" })).json.transaction as TransactionRow
    expect((await refund(row.id)).status).toBe(true)
  })

  it("wrong-transaction-status for a pending row, transaction-not-found for an unknown id", async () => {
    const pending = sim.selectCoin((await openSession()).checkoutId, "btc")
    expect(await refund(pending.id)).toEqual({
      status: "wrong-transaction-status",
      message: "Incorrect transaction status. Only transactions marked as completed or underpaid can be refunded.",
    })
    expect(await refund("424242")).toEqual({ status: "transaction-not-found", message: "Transaction not found." })
  })

  it("refunds-not-enabled on an account without a refund source; the row stays C", async () => {
    const { checkoutId } = await openSession({}, NO_REFUNDS.apiKey)
    const row = (await pay(checkoutId, { coin: "eth", outcome: "full" })).json.transaction as TransactionRow
    expect(await refund(row.id, NO_REFUNDS.apiKey)).toEqual({ status: "refunds-not-enabled", message: "Refunds not enabled." })
    expect((await getTransaction(row.id, NO_REFUNDS.apiKey)).status).toBe("C")
  })
})

describe("balances and reset", () => {
  it("get-balances counts what arrived (C and X), not what was refunded", async () => {
    await pay((await openSession()).checkoutId, { coin: "btc", outcome: "full" })
    await pay((await openSession()).checkoutId, { coin: "btc", outcome: "under" })
    const balances = (await api(sim, { function: "get-balances", "api-key": MAIN.apiKey })).json.response
    expect(balances.btc).toEqual({ amount: "0.00151506", fiat: "98.48" })
    expect(balances.eth).toEqual({ amount: "0", fiat: "0.00" })
  })

  it("reset clears sessions, rows, webhooks and faults and restores credits", async () => {
    sim.setFault({ target: "webhook", mode: "suppress", times: -1 })
    await pay((await openSession()).checkoutId, { coin: "btc", outcome: "full" })
    expect((await control(sim, "POST", "/__sim/reset")).status).toBe(200)
    const state = sim.state()
    expect([state.sessions, state.transactions, state.webhooks, state.faults]).toEqual([[], [], [], []])
    expect(state.accounts.find((a) => a.apiKey === MAIN.apiKey)?.credit_balance).toBe(150)
  })
})

describe("lifecycle", () => {
  it("close() returns promptly with timers, delayed requests and deliveries outstanding", async () => {
    const hook = await webhookInbox(200)
    const own = await startQuantapaySimulator({ accounts: [{ ...MAIN, webhookUrl: hook.url }] })
    try {
      const open = async (price: string) =>
        (await api(own, { function: "create-checkout-session", "api-key": MAIN.apiKey, price, currency: "USD" })).json.response.checkout_id
      own.selectCoin(await open("1.00"), "btc") // schedules the 48 h purge
      own.setFault({ target: "webhook", mode: "delay", delayMs: 60_000 })
      own.payCheckout(await open("2.00"), { coin: "btc", outcome: "full" }) // a webhook waiting 60 s
      own.setFault({ target: "api.php", mode: "delay_before", delayMs: 60_000 })
      const held = api(own, { function: "get-balances", "api-key": MAIN.apiKey }).catch((err: unknown) => err)
      await pause(20)
      const started = Date.now()
      await own.close()
      expect(Date.now() - started).toBeLessThan(1000)
      expect(String(await held)).toMatch(/fetch failed/)
      expect(hook.hits).toHaveLength(0)
    } finally {
      await own.close()
      await hook.close()
    }
  })
})
