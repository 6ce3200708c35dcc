/**
 * The `stateFile` option: a second simulator started on the first one's file knows its sessions,
 * transactions, credit balances and webhook history, goes on with the transaction ids, and applies the
 * 48 h purge that fell due while it was stopped.
 */
import { expectBadFilesRefused, expectNoFileWrites, expectStartRefused, readStateFile, stateFileFixture } from "../../shared/__tests__/state-files"
import { startQuantapaySimulator, type AccountConfig, type QuantapaySimulator, type QuantapaySimulatorOptions } from "../server"
import { api, control, eventually, pause, webhookInbox } from "./helpers"

const MAIN: AccountConfig = { apiKey: "qp-persist-key", webhookSecret: "qp-persist-secret", refundsEnabled: true }
const NO_REFUNDS: AccountConfig = { apiKey: "qp-persist-norefund", webhookSecret: "qp-persist-secret-2" }

const state = stateFileFixture("quantapay-state", "quantapay.json")
let inbox: Awaited<ReturnType<typeof webhookInbox>>

beforeAll(async () => {
  inbox = await webhookInbox(200)
})
afterAll(() => inbox.close())

const start = async (extra: Partial<QuantapaySimulatorOptions> = {}): Promise<QuantapaySimulator> =>
  state.track(
    await startQuantapaySimulator({ accounts: [{ ...MAIN, webhookUrl: inbox.url }, NO_REFUNDS], timeScale: 0.01, stateFile: state.file, ...extra })
  )

async function restart(sim: QuantapaySimulator, extra: Partial<QuantapaySimulatorOptions> = {}): Promise<QuantapaySimulator> {
  await sim.close()
  return start(extra)
}

let seq = 0
async function openSession(sim: QuantapaySimulator, apiKey = MAIN.apiKey): Promise<string> {
  const order_id = `ORD-${Date.now()}-${++seq}`
  const answer = await api(sim, { function: "create-checkout-session", "api-key": apiKey, price: "49.99", currency: "USD", order_id })
  return answer.json.response.checkout_id
}
const call = async (sim: QuantapaySimulator, fn: string, fields: Record<string, string> = {}, apiKey = MAIN.apiKey) =>
  (await api(sim, { function: fn, "api-key": apiKey, ...fields })).json.response

describe("QuantaPay simulator with a state file", () => {
  it("keeps paid and pending transactions, credits and webhooks across a restart; refunds and late payments work", async () => {
    const first = await start()
    const paid = first.payCheckout(await openSession(first), { coin: "btc", outcome: "full" }).transaction!
    const pending = first.selectCoin(await openSession(first), "eth")
    const elsewhere = first.payCheckout(await openSession(first, NO_REFUNDS.apiKey), { coin: "btc", outcome: "full" }).transaction!
    await eventually(() => first.state().webhooks.every((w) => w.outcome === "sent"))
    const credit = await call(first, "get-credit-balance")
    const before = first.state()

    const second = await restart(first)
    const after = second.state()
    expect(after.transactions).toEqual(before.transactions)
    expect(after.sessions.map((s) => [s.checkout_id, s.status])).toEqual(before.sessions.map((s) => [s.checkout_id, s.status]))
    expect(after.webhooks).toEqual(before.webhooks)
    expect(after.accounts).toEqual(before.accounts)
    expect(await call(second, "get-credit-balance")).toEqual(credit)

    // Found by the gateway's own API, and refundable where the account allows it.
    expect(await call(second, "get-transaction", { transaction_id: paid.id })).toMatchObject({ id: paid.id, status: "C" })
    expect((await call(second, "refund", { transaction_id: paid.id })).status).toBe(true)
    expect((await call(second, "get-transaction", { transaction_id: paid.id })).status).toBe("R")
    expect((await call(second, "refund", { transaction_id: elsewhere.id }, NO_REFUNDS.apiKey)).status).toBe("refunds-not-enabled")

    // The pending row can still be paid; the new webhook and new rows get fresh ids.
    const late = await control(second, "POST", `/__sim/transactions/${pending.id}/pay`, { outcome: "full" })
    expect(late.json.result).toBe("paid")
    const fresh = second.selectCoin(await openSession(second), "btc")
    const ids = [paid.id, pending.id, elsewhere.id]
    expect(Number(fresh.id)).toBeGreaterThan(Math.max(...ids.map(Number)))
    // One webhook before the restart (the NO_REFUNDS account has no webhook URL), one for the late payment.
    await eventually(() => second.state().webhooks.length === 2)
    expect(second.state().webhooks.map((w) => [w.id, w.transaction_id])).toEqual([["W000001", paid.id], ["W000002", pending.id]])
  })

  it("purges at start a pending row whose 48 h fell due while the simulator was stopped, and re-arms the others", async () => {
    const first = await start({ timeScale: 0.00001 })
    const soon = first.selectCoin(await openSession(first), "btc")
    await first.close()
    await pause(1_800)
    const second = await start({ timeScale: 1 })
    expect(second.state().transactions.find((t) => t.id === soon.id)).toBeUndefined()

    const later = second.selectCoin(await openSession(second), "btc")
    const third = await restart(second)
    expect(third.state().transactions.find((t) => t.id === later.id)?.status).toBe("P")
    third.advanceTime(48 * 3_600_000)
    expect(third.state().transactions.find((t) => t.id === later.id)).toBeUndefined()
    expect(readStateFile(state.file).state.ledger.transactions).toEqual([])
  }, 10_000)

  it("records a webhook still in flight at shutdown as an error; it is not sent again", async () => {
    const first = await start()
    first.setFault({ target: "webhook", mode: "delay", delayMs: 5_000 })
    first.payCheckout(await openSession(first), { coin: "btc", outcome: "full" })
    expect(first.state().webhooks[0].outcome).toBe("pending")
    const hits = inbox.hits.length

    const second = await restart(first)
    expect(second.state().webhooks[0]).toMatchObject({ outcome: "error", error: expect.stringMatching(/stopped before an answer/) })
    await pause(50)
    expect(inbox.hits.length).toBe(hits)
  })

  it("reset() writes the empty state (balances back to the configured credit); without a state file nothing is written", async () => {
    const first = await start()
    first.payCheckout(await openSession(first), { coin: "btc", outcome: "full" })
    first.reset()
    const saved = readStateFile(state.file).state
    expect([saved.ledger.sessions, saved.ledger.transactions, saved.webhooks]).toEqual([[], [], []])
    expect((await restart(first)).state().accounts[0].credit_balance).toBe(150)

    await expectNoFileWrites(async () => {
      const memoryOnly = await start({ stateFile: undefined })
      memoryOnly.payCheckout(await openSession(memoryOnly), { coin: "btc", outcome: "full" })
      memoryOnly.reset()
      await memoryOnly.close()
    })
  })

  it("refuses to start from a corrupt file, another version or another account's records, naming the file", async () => {
    await expectBadFilesRefused(state.file, "quantapay", () => start())

    const first = await start({ stateFile: state.other("other.json") })
    first.selectCoin(await openSession(first), "btc")
    await first.close()
    const other = readStateFile(state.other("other.json"))
    other.state.ledger.transactions[0].apiKey = "qp-unknown-key"
    await expectStartRefused(state.file, JSON.stringify(other), () => start(), /an account whose api key is not configured/)
  })
})
