/**
 * The `stateFile` option: a second simulator started on the first one's file knows its transactions,
 * refunds, out_trade_nos, notifications and id counters, and takes over its clock jobs.
 */
import http from "node:http"
import type { AddressInfo } from "node:net"
import { qfpayParamsSignature } from "../../shared/signatures"
import { expectBadFilesRefused, expectNoFileWrites, expectStartRefused, readStateFile, stateFileFixture, watchFileWrites } from "../../shared/__tests__/state-files"
import { startQfpaySimulator, type QfpaySimulator, type QfpaySimulatorOptions } from "../server"

const APP = "PERSISTAPP"
const KEY = "persist-client-key-0001"
const TXDTM = "2025-01-02 10:00:00"
const MINUTE = 60_000

const state = stateFileFixture("qfpay-state", "qfpay.json")

const start = async (extra: Partial<QfpaySimulatorOptions> = {}): Promise<QfpaySimulator> =>
  state.track(await startQfpaySimulator({ merchants: [{ appCode: APP, clientKey: KEY }], stateFile: state.file, ...extra }))

/** Closes `sim` and starts another simulator on the same state file. */
async function restart(sim: QfpaySimulator, extra: Partial<QfpaySimulatorOptions> = {}): Promise<QfpaySimulator> {
  await sim.close()
  return start(extra)
}

/** A signed /trade/v1 call; answers the parsed JSON body. */
async function trade(sim: QfpaySimulator, endpoint: string, params: Record<string, string>): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(`${sim.url}/trade/v1/${endpoint}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-QF-APPCODE": APP, "X-QF-SIGN": qfpayParamsSignature(params, KEY, "md5") },
    body: new URLSearchParams(params).toString(),
  })
  return res.json()
}

let seq = 0
const outTradeNo = (prefix: string) => `${prefix}-${Date.now()}-${++seq}`
const openPayment = (sim: QfpaySimulator, extra: Record<string, string> = {}) =>
  trade(sim, "payment", { txamt: "1000", txcurrcd: "HKD", pay_type: "800201", out_trade_no: outTradeNo("PAY"), txdtm: TXDTM, ...extra })
const refund = (sim: QfpaySimulator, syssn: string, txamt: string) =>
  trade(sim, "refund", { syssn, out_trade_no: outTradeNo("RF"), txamt, txdtm: TXDTM })
const queryOne = async (sim: QfpaySimulator, syssn: string) => (await trade(sim, "query", { syssn })).data[0]

describe("QFPay simulator with a state file", () => {
  it("keeps payments and refunds across a restart: query, refund of the remaining amount, paying an open order", async () => {
    const first = await start()
    const paid = await openPayment(first)
    first.completeTransaction(paid.syssn, "pay")
    const partial = await refund(first, paid.syssn, "300")
    expect(partial.respcd).toBe("0000")
    const open = await openPayment(first, { txamt: "250" })
    const before = first.state().transactions

    const second = await restart(first)
    expect(second.state().transactions).toEqual(before)
    expect(await queryOne(second, paid.syssn)).toMatchObject({ respcd: "0000", txamt: "1000", cancel: "5", out_trade_no: paid.out_trade_no })
    expect(await queryOne(second, partial.syssn)).toMatchObject({ order_type: "refund", respcd: "0000", origssn: paid.syssn })

    // Only what is left can be refunded, and then the order is fully refunded.
    expect((await refund(second, paid.syssn, "701")).respcd).toBe("1272")
    const rest = await refund(second, paid.syssn, "700")
    expect(rest.respcd).toBe("0000")
    expect((await queryOne(second, paid.syssn)).cancel).toBe("3")

    // The order left open is still open, and can be paid now.
    expect((await queryOne(second, open.syssn)).respcd).toBe("1143")
    expect(second.completeTransaction(open.syssn, "pay").status).toBe("paid")
    expect((await queryOne(second, open.syssn)).respcd).toBe("0000")

    // Used out_trade_nos stay used.
    const duplicate = await openPayment(second, { out_trade_no: paid.out_trade_no })
    expect(duplicate.respcd).toBe("1102")
  })

  it("goes on with the id counters: new syssns sort after the old ones, no clisn or chnlsn repeats", async () => {
    const first = await start()
    const old = await openPayment(first)
    first.completeTransaction(old.syssn, "pay")
    const second = await restart(first)
    const fresh = await openPayment(second)
    second.completeTransaction(fresh.syssn, "pay")

    expect(BigInt(fresh.syssn)).toBeGreaterThan(BigInt(old.syssn))
    const [a, b] = [await queryOne(second, old.syssn), await queryOne(second, fresh.syssn)]
    expect(b.clisn).not.toBe(a.clisn)
    expect(b.chnlsn).not.toBe(a.chnlsn)
    const saved = readStateFile(state.file)
    expect(saved).toMatchObject({ version: 1, simulator: "qfpay" })
    expect(saved.state.ledger.records.map((r: { syssn: string }) => r.syssn)).toEqual([old.syssn, fresh.syssn])
  })

  it("keeps the clock offset, so orders that expired in simulator time stay expired", async () => {
    const first = await start()
    const order = await openPayment(first, { expired_time: "5" })
    first.advanceTime(6 * MINUTE)
    const second = await restart(first)
    expect(second.state().clockOffsetMs).toBeGreaterThanOrEqual(6 * MINUTE)
    expect((await queryOne(second, order.syssn)).respcd).toBe("1181")
  })

  it("settles a processing refund after the restart: at once when it fell due meanwhile, else when due", async () => {
    const first = await start()
    const paid = await openPayment(first)
    first.completeTransaction(paid.syssn, "pay")
    first.setFault({ target: "/trade/v1/refund", mode: "respcd", respcd: "1143", settleAfterMs: 10 * MINUTE })
    const later = await refund(first, paid.syssn, "100")
    expect(later.respcd).toBe("1143")

    const second = await restart(first)
    expect((await queryOne(second, later.syssn)).respcd).toBe("1143")
    second.advanceTime(10 * MINUTE)
    expect((await queryOne(second, later.syssn)).respcd).toBe("0000")

    second.setFault({ target: "/trade/v1/refund", mode: "respcd", respcd: "1143", settleAfterMs: 30 })
    const soon = await refund(second, paid.syssn, "100")
    expect(soon.respcd).toBe("1143")
    await second.close()
    await new Promise((r) => setTimeout(r, 60))
    const third = await start()
    expect(third.state().transactions.find((t) => t.syssn === soon.syssn)?.status).toBe("paid")
  })

  it("re-arms a notification retry that was waiting when the simulator stopped", async () => {
    const replies = [500]
    const bodies: string[] = []
    const receiver = http.createServer((req, res) => {
      let body = ""
      req.on("data", (c: Buffer) => (body += c.toString("utf8")))
      req.on("end", () => {
        bodies.push(body)
        const status = replies.shift() ?? 200
        res.writeHead(status).end(status === 200 ? "SUCCESS" : "no")
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
    const notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`
    try {
      const first = await start()
      const paid = await openPayment(first, { notify_url: notifyUrl })
      first.completeTransaction(paid.syssn, "pay")
      await waitFor(() => first.state().notifications.length === 1)

      const second = await restart(first)
      expect(second.state().notifications).toHaveLength(1)
      second.advanceTime(2 * MINUTE)
      await waitFor(() => second.state().notifications.length === 2)
      const [one, two] = second.state().notifications
      expect([one.attempt, one.acknowledged, two.attempt, two.acknowledged]).toEqual([1, false, 2, true])
      expect(two.id).toBe(one.id)
      expect(bodies).toHaveLength(2)
      expect(readStateFile(state.file).state.notifier.queued).toEqual([])
    } finally {
      await new Promise((resolve) => receiver.close(resolve))
    }
  })

  it("reset() writes the empty state; without a state file nothing is written at all", async () => {
    const withFile = watchFileWrites()
    try {
      const first = await start()
      first.completeTransaction((await openPayment(first)).syssn, "pay")
      first.reset()
      expect(readStateFile(state.file).state.ledger.records).toEqual([])
      expect((await restart(first)).state().transactions).toEqual([])
      expect(withFile.paths()).toContain(state.file)
    } finally {
      withFile.stop()
    }

    await expectNoFileWrites(async () => {
      const memoryOnly = await start({ stateFile: undefined })
      const order = await openPayment(memoryOnly)
      memoryOnly.completeTransaction(order.syssn, "pay")
      await refund(memoryOnly, order.syssn, "100")
      memoryOnly.advanceTime(MINUTE)
      memoryOnly.reset()
      await memoryOnly.close()
    })
  })

  it("refuses to start from a corrupt file, another version or an unknown merchant's records, naming the file", async () => {
    await expectBadFilesRefused(state.file, "qfpay", () => start())

    const first = await start({ stateFile: state.other("other.json") })
    await openPayment(first)
    await first.close()
    const other = readStateFile(state.other("other.json"))
    other.state.ledger.records[0].appCode = "GONEAPP"
    await expectStartRefused(state.file, JSON.stringify(other), () => start(), /app code GONEAPP, which is not configured/)
  })
})

async function waitFor(probe: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms
  while (!probe()) {
    if (Date.now() > until) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 5))
  }
}
