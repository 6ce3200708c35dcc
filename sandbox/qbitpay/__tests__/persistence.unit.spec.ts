/**
 * The `stateFile` option: a second simulator started on the first one's file knows its charges, events,
 * webhook history and queued retries, keeps the merchants' account ids and token secret, goes on with the
 * ids, and expires the charges whose time ran out while it was stopped.
 */
import { expectBadFilesRefused, expectNoFileWrites, expectStartRefused, readStateFile, stateFileFixture } from "../../shared/__tests__/state-files"
import { startQbitpaySimulator, type QbitpaySimulator, type QbitpaySimulatorOptions } from "../server"
import { KEY_A, KEY_B, Receiver, chargeBody, client, eventually, pause } from "./helpers"

const MINUTE = 60_000

const state = stateFileFixture("qbitpay-state", "qbitpay.json")
let sim: QbitpaySimulator
const api = client(() => sim.url)
const asB = { key: KEY_B }

/** Starts a simulator on the state file; `sim` (what `api` talks to) becomes this one. */
async function start(extra: Partial<QbitpaySimulatorOptions> = {}): Promise<QbitpaySimulator> {
  sim = state.track(await startQbitpaySimulator({ merchants: [{ apiKey: KEY_A }, { apiKey: KEY_B }], stateFile: state.file, ...extra }))
  return sim
}

async function restart(extra: Partial<QbitpaySimulatorOptions> = {}): Promise<QbitpaySimulator> {
  await sim.close()
  return start(extra)
}

const create = async (extra: Record<string, unknown> = {}) => (await api.post("/api/v1/charges", chargeBody(extra))).data
const pageCall = (method: "GET" | "POST", path: string, token: string) =>
  api.request(method, `/h5/api/charges/${path}`, method === "POST" ? "" : undefined, { authorization: `Bearer ${token}` })

describe("Qbit Pay simulator with a state file", () => {
  it("keeps charges, events and merchants across a restart: retrieve, list, pay an open charge with an old token", async () => {
    await start()
    const paid = await create()
    sim.act(paid.id, "pay")
    const open = await create()
    const token = (await api.get("/api/v1/accessToken")).data.accessToken
    const before = sim.state()

    await restart()
    expect(sim.state().charges).toEqual(before.charges)
    expect(sim.state().events).toEqual(before.events)
    const retrieved = await api.get(`/api/v1/charges/${paid.id}`)
    expect(retrieved.status).toBe(200)
    expect(retrieved.data).toMatchObject({ id: paid.id, status: "closed", paid: true })
    expect((await api.get("/api/v1/charges")).data.data.map((c: { id: string }) => c.id)).toEqual([open.id, paid.id])
    // Still another merchant's charge for B.
    expect((await api.get(`/api/v1/charges/${paid.id}`, asB)).status).toBe(404)

    // The access token issued before the restart still opens the page, and the open charge can be paid.
    expect((await pageCall("GET", open.id, token)).data.charge.status).toBe("pending")
    const payment = await pageCall("POST", `${open.id}/pay`, token)
    expect(payment.status).toBe(200)
    expect(payment.data.charge).toMatchObject({ status: "closed", paid: true })
  })

  it("goes on with the ids: charges and events made after the restart are new and sort after the old ones", async () => {
    await start()
    const old = await create()
    sim.act(old.id, "fail")
    const oldIds = [old.id, ...sim.state().events.map((e) => e.id)]
    await restart()
    const fresh = await create()
    sim.act(fresh.id, "pay")
    const newIds = [fresh.id, ...sim.state().events.map((e) => e.id).filter((id) => !oldIds.includes(id))]
    expect(newIds).toHaveLength(2)
    for (const id of newIds) expect(id > oldIds.reduce((a, b) => (a > b ? a : b))).toBe(true)
    expect(readStateFile(state.file)).toMatchObject({ version: 1, simulator: "qbitpay" })
  })

  it("expires at start an open charge whose time ran out while it was stopped; re-arms the others", async () => {
    const receiver = await Receiver.start()
    try {
      await start({ chargeExpiryMs: 100 })
      const soon = await create({ cbUrl: receiver.url })
      await sim.close()
      await pause(150)
      await start({ chargeExpiryMs: 100 })
      expect(sim.state().charges[0]).toMatchObject({ id: soon.id, status: "cancelled" })
      expect(sim.state().events.map((e) => e.type)).toEqual(["charge.expired"])
      await eventually(() => receiver.events().length === 1)
      // The simulator writes the push as delivered once it is answered, a moment after it arrives; a restart
      // before that would rightly send it again (an unanswered push is retried).
      await eventually(() => sim.state().webhooks.some((w) => w.delivered))

      await restart({ chargeExpiryMs: 10 * MINUTE })
      const later = await create({ cbUrl: receiver.url })
      await restart({ chargeExpiryMs: 10 * MINUTE })
      expect((await api.get(`/api/v1/charges/${later.id}`)).data.status).toBe("pending")
      // No read after this: the push comes from the re-armed expiry job, not from lazy expiry.
      sim.advanceTime(10 * MINUTE)
      await eventually(() => receiver.events().length === 2)
      expect(receiver.events()[1]).toMatchObject({ type: "charge.expired", data: { id: later.id, status: "cancelled" } })
    } finally {
      await receiver.stop()
    }
  })

  it("re-arms a webhook retry that was waiting when the simulator stopped: same event id, next attempt", async () => {
    const receiver = await Receiver.start([500])
    try {
      await start()
      const charge = await create({ cbUrl: receiver.url })
      sim.act(charge.id, "pay")
      await eventually(() => sim.state().webhooks.length === 1)
      expect(readStateFile(state.file).state.webhooks.queued).toHaveLength(1)

      await restart()
      sim.advanceTime(15 * MINUTE)
      await eventually(() => sim.state().webhooks.length === 2)
      const [one, two] = sim.state().webhooks
      expect([one.attempt, one.delivered, two.attempt, two.delivered, two.pendingWebhooks]).toEqual([1, false, 2, true, 1])
      expect(two.id).toBe(one.id)
      expect(receiver.pushes).toHaveLength(2)
      await eventually(() => readStateFile(state.file).state.webhooks.queued.length === 0)
    } finally {
      await receiver.stop()
    }
  })

  it("reset() writes the empty state; without a state file nothing is written", async () => {
    await start()
    sim.act((await create()).id, "pay")
    sim.reset()
    const saved = readStateFile(state.file).state
    expect([saved.charges.charges, saved.events, saved.webhooks.history]).toEqual([[], [], []])

    await expectNoFileWrites(async () => {
      await start({ stateFile: undefined })
      sim.act((await create()).id, "pay")
      await api.get("/api/v1/accessToken")
      sim.advanceTime(MINUTE)
      sim.reset()
      await sim.close()
    })
  })

  it("refuses to start from a corrupt file, another version or an unknown merchant's charges, naming the file", async () => {
    await expectBadFilesRefused(state.file, "qbitpay", () => start())

    await start({ stateFile: state.other("other.json") })
    await create()
    await sim.close()
    const other = readStateFile(state.other("other.json"))
    other.state.merchants = other.state.merchants.filter((m: { apiKey: string }) => m.apiKey !== KEY_A)
    await expectStartRefused(state.file, JSON.stringify(other), () => start(), /charges of a merchant whose api key is not configured/)
  })
})
