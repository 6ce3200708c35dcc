import { qbitEventSignature, secretsMatch } from "../../shared/signatures"
/** Charge lifecycle and events: signed pushes, retries, expiry, failure, disputes and the test endpoint. */
import { WEBHOOK_RETRY_DELAY_MS } from "../webhooks"
import { startQbitpaySimulator, type QbitpaySimulator, type QbitpaySimulatorOptions } from "../server"
import { KEY_A, KEY_B, Receiver, chargeBody, client, eventually, pause } from "./helpers"

const HEX24 = /^[0-9a-f]{24}$/

/** Runs `body` against a fresh simulator (timeScale 1 unless given) whose charges push to `receiver`. */
async function withSim(
  receiver: Receiver,
  body: (sim: QbitpaySimulator, api: ReturnType<typeof client>) => Promise<void>,
  options: Partial<QbitpaySimulatorOptions> = {}
): Promise<void> {
  const sim = await startQbitpaySimulator({ merchants: [{ apiKey: KEY_A, webhookUrl: receiver.url }, { apiKey: KEY_B }], ...options })
  try {
    await body(sim, client(() => sim.url))
  } finally {
    await sim.close()
    await receiver.stop()
  }
}

async function newCharge(api: ReturnType<typeof client>, receiver: Receiver, extra: Record<string, unknown> = {}) {
  const res = await api.post("/api/v1/charges", chargeBody({ cbUrl: receiver.url, ...extra }))
  expect(res.status).toBe(200)
  return res.data as { id: string; externalOrderId: string; redirectUrl: string; expiresAt: string }
}

/** The signature a receiver computes: qbitStyleSignature over the parsed body, with the API key. */
const verifies = (push: { headers: Record<string, unknown>; body: string }, key = KEY_A): boolean =>
  secretsMatch(qbitEventSignature(JSON.parse(push.body), key), push.headers["qbitpay-signature"])

describe("payment success", () => {
  it("pay closes the charge (paid) and pushes one signed charge.succeeded to cbUrl", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (sim, api) => {
      const charge = await newCharge(api, receiver)
      const paid = sim.act(charge.id, "pay")
      expect(paid).toMatchObject({ status: "closed", paid: true })
      await eventually(() => receiver.pushes.length === 1)

      const push = receiver.pushes[0]
      expect(push.headers["content-type"]).toBe("application/json")
      expect(push.headers["qbitpay-signature"]).toMatch(/^[0-9A-F]{32}$/)
      expect(verifies(push)).toBe(true)
      expect(verifies(push, KEY_B)).toBe(false)

      const event = JSON.parse(push.body)
      expect(push.body).toBe(JSON.stringify(event))
      expect(Object.keys(event)).toEqual(["id", "type", "createdAt", "object", "pendingWebhooks", "livemode", "data"])
      expect(event).toMatchObject({ type: "charge.succeeded", object: "event", pendingWebhooks: 0, livemode: true })
      expect(event.id).toMatch(HEX24)
      expect(event.data).toEqual((await api.get(`/api/v1/charges/${charge.id}`)).data)
      expect(event.data).toMatchObject({ id: charge.id, status: "closed", paid: true })

      const state = sim.state()
      expect(state.webhooks).toHaveLength(1)
      expect(state.webhooks[0]).toMatchObject({
        id: event.id,
        type: "charge.succeeded",
        chargeId: charge.id,
        url: receiver.url,
        attempt: 1,
        pendingWebhooks: 0,
        status: 200,
        responseBody: "ok",
        delivered: true,
        body: push.body,
        signature: push.headers["qbitpay-signature"],
      })
      expect(state.events.map((e) => e.type)).toEqual(["charge.succeeded"])
    })
  })

  it("completes a charge the merchant already marked buyerPaid; a closed charge cannot be paid again", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (sim, api) => {
      const charge = await newCharge(api, receiver)
      await api.put(`/api/v1/charges/${charge.id}`, { status: "buyerPaid" })
      expect(sim.act(charge.id, "pay").status).toBe("closed")
      const again = await api.sim("POST", `/__sim/charges/${charge.id}/pay`)
      expect(again.status).toBe(409)
      expect(again.data.ok).toBe(false)
      await eventually(() => receiver.pushes.length === 1)
      await pause(30)
      expect(receiver.pushes).toHaveLength(1)
    })
  })
})

describe("retries", () => {
  it("retries every 15 min on non-2xx with growing pendingWebhooks and stops at the first 2xx", async () => {
    const receiver = await Receiver.start([500, 503, 404])
    await withSim(receiver, async (sim, api) => {
      const charge = await newCharge(api, receiver)
      sim.act(charge.id, "pay")
      // The retry is scheduled once the simulator has read the answer and recorded the attempt: wait for
      // that record before moving the clock (under load it can come well after the push arrives).
      const recorded = (n: number) => eventually(() => sim.state().webhooks.length === n)
      await eventually(() => receiver.pushes.length === 1)
      await recorded(1)
      await pause(20)
      expect(receiver.pushes).toHaveLength(1) // nothing more until 15 minutes have passed

      for (const n of [2, 3, 4]) {
        // The clock also runs in real time: stop 2 s short, then cross the 15-minute mark.
        sim.advanceTime(WEBHOOK_RETRY_DELAY_MS - 2000)
        await pause(20)
        expect(receiver.pushes).toHaveLength(n - 1)
        sim.advanceTime(2000)
        await eventually(() => receiver.pushes.length === n)
        await recorded(n)
      }
      sim.advanceTime(WEBHOOK_RETRY_DELAY_MS * 3)
      await pause(30)
      expect(receiver.pushes).toHaveLength(4)

      const events = receiver.events()
      expect(events.map((e) => e.pendingWebhooks)).toEqual([0, 1, 2, 3])
      expect(new Set(events.map((e) => e.id)).size).toBe(1)
      const signatures = receiver.pushes.map((p) => p.headers["qbitpay-signature"])
      expect(new Set(signatures).size).toBe(4)
      expect(receiver.pushes.every((p) => verifies(p))).toBe(true)

      const attempts = sim.state().webhooks
      expect(attempts.map((a) => [a.attempt, a.status, a.delivered])).toEqual([
        [1, 500, false],
        [2, 503, false],
        [3, 404, false],
        [4, 200, true],
      ])
      expect(attempts[0].responseBody).toBe("receiver says no")
    })
  })

  it("gives up after 6 attempts (1 + 5 retries) on a real, scaled timer", async () => {
    const receiver = await Receiver.start(Array(10).fill(500))
    await withSim(
      receiver,
      async (sim, api) => {
        const charge = await newCharge(api, receiver)
        sim.act(charge.id, "pay")
        await eventually(() => receiver.pushes.length === 6)
        await pause(100)
        expect(receiver.pushes).toHaveLength(6)
        expect(receiver.events().map((e) => e.pendingWebhooks)).toEqual([0, 1, 2, 3, 4, 5])
        expect(sim.state().webhooks.every((a) => !a.delivered)).toBe(true)
      },
      // 15 min × 0.00002 = 18 ms between attempts.
      { timeScale: 0.00002, chargeExpiryMs: 10 * 24 * 3_600_000 }
    )
  })

  it("counts connection errors as failures and records them", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (sim, api) => {
      const charge = await newCharge(api, receiver, { cbUrl: "http://127.0.0.1:9/closed" })
      sim.act(charge.id, "fail")
      const attempt = await eventually(() => sim.state().webhooks[0])
      expect(attempt).toMatchObject({ delivered: false, attempt: 1, url: "http://127.0.0.1:9/closed" })
      expect(attempt.status).toBeUndefined()
      expect(attempt.error).toMatch(/ECONNREFUSED/)
    })
  })
})

describe("expiry, failure and disputes", () => {
  it("expires a pending charge on time (timer): cancelled + charge.expired", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (sim, api) => {
      const charge = await newCharge(api, receiver)
      sim.advanceTime(30 * 60_000 - 10)
      expect((await api.get(`/api/v1/charges/${charge.id}`)).data.status).toBe("pending")
      sim.advanceTime(10)
      await eventually(() => receiver.pushes.length === 1)
      const event = receiver.events()[0]
      expect(event.type).toBe("charge.expired")
      expect(event.data).toMatchObject({ id: charge.id, status: "cancelled", paid: false, expiresAt: charge.expiresAt })
      expect(verifies(receiver.pushes[0])).toBe(true)
      expect(sim.act.bind(sim, charge.id, "pay")).toThrow(/cancelled/)
    })
  })

  it("honours chargeExpiryMs × timeScale on the real clock", async () => {
    const receiver = await Receiver.start()
    await withSim(
      receiver,
      async (_sim, api) => {
        const charge = await newCharge(api, receiver)
        expect(Date.parse(charge.expiresAt) - Date.now()).toBeLessThanOrEqual(60)
        await pause(80)
        const read = await api.get(`/api/v1/charges/${charge.id}`)
        expect(read.data).toMatchObject({ status: "cancelled", paid: false })
        await eventually(() => receiver.pushes.length === 1)
        expect(receiver.events()[0].type).toBe("charge.expired")
      },
      { chargeExpiryMs: 600_000, timeScale: 0.0001 }
    )
  })

  it("also expires a buyerPaid charge (seen through the list endpoint)", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (sim, api) => {
      const charge = await newCharge(api, receiver)
      await api.put(`/api/v1/charges/${charge.id}`, { status: "buyerPaid" })
      sim.advanceTime(30 * 60_000)
      const list = await api.get(`/api/v1/charges?externalOrderId=${charge.externalOrderId}`)
      expect(list.data.data[0].status).toBe("cancelled")
      await eventually(() => receiver.pushes.length === 1)
      expect(receiver.events()[0].type).toBe("charge.expired")
    })
  })

  it("fail cancels with charge.failed; expire (control) with charge.expired", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (sim, api) => {
      const a = await newCharge(api, receiver)
      const b = await newCharge(api, receiver)
      expect((await api.sim("POST", `/__sim/charges/${a.id}/fail`)).data.charge).toMatchObject({ status: "cancelled", paid: false })
      expect((await api.sim("POST", `/__sim/charges/${b.id}/expire`)).data.charge.status).toBe("cancelled")
      await eventually(() => receiver.pushes.length === 2)
      const byCharge = Object.fromEntries(receiver.events().map((e) => [e.data.id, e.type]))
      expect(byCharge).toEqual({ [a.id]: "charge.failed", [b.id]: "charge.expired" })
      expect((await api.sim("POST", `/__sim/charges/${a.id}/expire`)).status).toBe(409)
      // A settled charge no longer expires on its timer.
      sim.advanceTime(60 * 60_000)
      await pause(30)
      expect(receiver.pushes).toHaveLength(2)
    })
  })

  it("dispute: buyerPaid → dispute (charge.dispute.created) → closed or cancelled (charge.dispute.closed)", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (sim, api) => {
      const won = await newCharge(api, receiver)
      const lost = await newCharge(api, receiver)
      expect((await api.sim("POST", `/__sim/charges/${won.id}/close-dispute`)).status).toBe(409)
      expect(sim.act(won.id, "dispute")).toMatchObject({ status: "dispute", paid: false })
      await api.put(`/api/v1/charges/${lost.id}`, { status: "buyerPaid" })
      sim.act(lost.id, "dispute")
      // A disputed charge does not expire.
      sim.advanceTime(2 * 3_600_000)
      expect((await api.get(`/api/v1/charges/${won.id}`)).data.status).toBe("dispute")

      const closedWon = await api.sim("POST", `/__sim/charges/${won.id}/close-dispute`, { outcome: "won" })
      expect(closedWon.data.charge).toMatchObject({ status: "closed", paid: true })
      const closedLost = await api.sim("POST", `/__sim/charges/${lost.id}/close-dispute`, { outcome: "lost" })
      expect(closedLost.data.charge).toMatchObject({ status: "cancelled", paid: false })
      expect((await api.sim("POST", `/__sim/charges/${lost.id}/close-dispute`, { outcome: "maybe" })).status).toBe(400)

      await eventually(() => receiver.pushes.length === 4)
      const seen = receiver.events().map((e) => `${e.data.id === won.id ? "won" : "lost"}:${e.type}:${e.data.status}`)
      expect(seen.sort()).toEqual([
        "lost:charge.dispute.closed:cancelled",
        "lost:charge.dispute.created:dispute",
        "won:charge.dispute.closed:closed",
        "won:charge.dispute.created:dispute",
      ])
      expect(receiver.pushes.every((p) => verifies(p))).toBe(true)
    })
  })
})

describe("GET /api/v1/events/test", () => {
  it("sends one livemode:false charge.succeeded to ?cbUrl=, without retry, and returns it", async () => {
    const receiver = await Receiver.start([500])
    const other = await Receiver.start([], "/other")
    await withSim(receiver, async (sim, api) => {
      const res = await api.get(`/api/v1/events/test?cbUrl=${encodeURIComponent(other.url)}`)
      expect(res.status).toBe(200)
      expect(res.data).toMatchObject({ type: "charge.succeeded", object: "event", livemode: false, pendingWebhooks: 0 })
      expect(res.data.data).toMatchObject({ status: "closed", paid: true, object: "charge" })
      expect(other.pushes).toHaveLength(1)
      expect(JSON.parse(other.pushes[0].body)).toEqual(res.data)
      expect(verifies(other.pushes[0])).toBe(true)
      await other.stop()

      // Without cbUrl: the account webhook URL, which fails once; no retry follows.
      const toAccount = await api.get("/api/v1/events/test")
      expect(toAccount.status).toBe(200)
      expect(receiver.pushes).toHaveLength(1)
      sim.advanceTime(WEBHOOK_RETRY_DELAY_MS * 6)
      await pause(30)
      expect(receiver.pushes).toHaveLength(1)
      expect(sim.state().webhooks.filter((w) => w.url === receiver.url).map((w) => [w.status, w.livemode])).toEqual([[500, false]])
    })
  })

  it("answers 400 without a usable URL", async () => {
    const receiver = await Receiver.start()
    await withSim(receiver, async (_sim, api) => {
      expect((await api.get("/api/v1/events/test", { key: KEY_B })).status).toBe(400)
      const bad = await api.get("/api/v1/events/test?cbUrl=javascript:alert(1)")
      expect(bad.status).toBe(400)
      expect(bad.data.detail[0].field).toBe("cbUrl")
      expect((await api.get("/api/v1/events/test", { key: null })).status).toBe(401)
    })
  })
})
