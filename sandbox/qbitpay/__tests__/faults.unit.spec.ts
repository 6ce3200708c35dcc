import { qbitEventSignature } from "../../shared/signatures"
/** Fault injection (API and webhook) and the /__sim control API. */
import { startQbitpaySimulator, type QbitpaySimulator } from "../server"
import { WEBHOOK_RETRY_DELAY_MS } from "../webhooks"
import { KEY_A, Receiver, chargeBody, client, eventually, pause } from "./helpers"

let sim: QbitpaySimulator
let receiver: Receiver
const api = client(() => sim.url)

beforeAll(async () => {
  receiver = await Receiver.start()
  sim = await startQbitpaySimulator({ merchants: [{ apiKey: KEY_A, webhookUrl: receiver.url }] })
})
afterAll(async () => {
  await sim.close()
  await receiver.stop()
})
beforeEach(() => {
  sim.reset()
  receiver.pushes.length = 0
})

const chargeCount = (): number => sim.state().charges.length
const addFault = (fault: unknown) => api.sim("POST", "/__sim/faults", fault)

describe("API faults", () => {
  it("http500 answers 500 api_error without creating anything", async () => {
    expect((await addFault({ target: "/api/v1/charges", mode: "http500" })).status).toBe(200)
    const res = await api.post("/api/v1/charges", chargeBody())
    expect(res.status).toBe(500)
    expect(res.data.type).toBe("api_error")
    expect(chargeCount()).toBe(0)
    expect((await api.post("/api/v1/charges", chargeBody())).status).toBe(200)
  })

  it("http403_rate_limit answers 403 rate_limit_error on retrieve", async () => {
    const charge = (await api.post("/api/v1/charges", chargeBody())).data
    sim.setFault({ target: "/api/v1/charges/:id", mode: "http403_rate_limit" })
    const res = await api.get(`/api/v1/charges/${charge.id}`)
    expect(res.status).toBe(403)
    expect(res.data.type).toBe("rate_limit_error")
    expect((await api.get(`/api/v1/charges/${charge.id}`)).status).toBe(200)
  })

  it("malformed answers 200 with a non-JSON body", async () => {
    sim.setFault({ target: "/api/v1/accessToken", mode: "malformed" })
    const res = await api.get("/api/v1/accessToken")
    expect(res.status).toBe(200)
    expect(typeof res.data).toBe("string")
    expect(res.headers["content-type"]).toMatch(/text\/html/)
  })

  it("drop_before drops the connection and creates nothing; drop_after drops it after creating", async () => {
    sim.setFault({ target: "/api/v1/charges", mode: "drop_before" })
    await expect(api.post("/api/v1/charges", chargeBody()).then((r) => r.status)).rejects.toThrow()
    expect(chargeCount()).toBe(0)

    sim.setFault({ target: "/api/v1/charges", mode: "drop_after" })
    await expect(api.post("/api/v1/charges", chargeBody({ externalOrderId: "DROPPED" }))).rejects.toThrow()
    expect(sim.state().charges.map((c) => c.externalOrderId)).toEqual(["DROPPED"])
  })

  it("delay_before / delay_after hold the answer for delayMs; a client that times out still created the charge", async () => {
    sim.setFault({ target: "/api/v1/charges", mode: "delay_before", delayMs: 150 })
    let started = Date.now()
    expect((await api.post("/api/v1/charges", chargeBody())).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)

    sim.setFault({ target: "/api/v1/charges", mode: "delay_after", delayMs: 300 })
    started = Date.now()
    await expect(api.post("/api/v1/charges", chargeBody({ externalOrderId: "LATE" }), { timeout: 80 })).rejects.toThrow(/timeout/)
    expect(sim.state().charges.map((c) => c.externalOrderId)).toContain("LATE")
  })

  it("times counts uses; -1 lasts until cleared; faults only hit their own target", async () => {
    await addFault({ target: "/api/v1/charges", mode: "http500", times: 2 })
    expect((await api.get("/api/v1/charges")).status).toBe(200) // GET list is not the POST target
    expect((await api.post("/api/v1/charges", chargeBody())).status).toBe(500)
    expect((await api.post("/api/v1/charges", chargeBody())).status).toBe(500)
    expect((await api.post("/api/v1/charges", chargeBody())).status).toBe(200)

    await addFault({ target: "/api/v1/accessToken", mode: "http500", times: -1 })
    for (let i = 0; i < 3; i++) expect((await api.get("/api/v1/accessToken")).status).toBe(500)
    expect((await api.sim("GET", "/__sim/faults")).data.faults).toEqual([{ target: "/api/v1/accessToken", mode: "http500", times: -1 }])
    expect((await api.sim("DELETE", "/__sim/faults")).status).toBe(200)
    expect((await api.get("/api/v1/accessToken")).status).toBe(200)
  })

  it.each([
    [{ target: "/trade/v1/payment", mode: "http500" }],
    [{ target: "/api/v1/charges", mode: "http429" }],
    [{ target: "/api/v1/charges", mode: "duplicate" }],
    [{ target: "webhook", mode: "http500" }],
    [{ target: "/api/v1/charges", mode: "delay_before" }],
    [{ target: "/api/v1/charges", mode: "http500", times: 0 }],
    [{ target: "/api/v1/charges", mode: "http500", times: 1.5 }],
    ["not an object"],
  ])("rejects the invalid fault %j with 400", async (fault) => {
    const res = await addFault(fault)
    expect(res.status).toBe(400)
    expect(res.data.ok).toBe(false)
    expect(() => sim.setFault(fault as never)).toThrow()
    expect(sim.state().faults).toEqual([])
  })
})

describe("webhook faults", () => {
  const paidCharge = async () => {
    const charge = (await api.post("/api/v1/charges", chargeBody({ cbUrl: receiver.url }))).data
    sim.act(charge.id, "pay")
    return charge
  }

  it("suppress: nothing is sent, the attempt is recorded, no retry follows", async () => {
    sim.setFault({ target: "webhook", mode: "suppress" })
    await paidCharge()
    const attempt = await eventually(() => sim.state().webhooks[0])
    expect(attempt).toMatchObject({ suppressed: true, delivered: false, attempt: 1 })
    sim.advanceTime(WEBHOOK_RETRY_DELAY_MS * 6)
    await pause(30)
    expect(receiver.pushes).toHaveLength(0)
    expect(sim.state().webhooks).toHaveLength(1)
  })

  it("duplicate: the identical push (same id, body, signature) arrives twice", async () => {
    sim.setFault({ target: "webhook", mode: "duplicate" })
    await paidCharge()
    await eventually(() => receiver.pushes.length === 2)
    // The simulator writes a push to its history once the push is answered, a moment after it arrives.
    await eventually(() => sim.state().webhooks.length === 2)
    const [first, second] = receiver.pushes
    expect(second.body).toBe(first.body)
    expect(second.headers["qbitpay-signature"]).toBe(first.headers["qbitpay-signature"])
    expect(sim.state().webhooks.map((w) => [w.attempt, w.duplicate ?? false, w.delivered])).toEqual([
      [1, false, true],
      [1, true, true],
    ])
  })

  it("malformed: the signature does not verify", async () => {
    sim.setFault({ target: "webhook", mode: "malformed" })
    await paidCharge()
    await eventually(() => receiver.pushes.length === 1)
    const push = receiver.pushes[0]
    expect(push.headers["qbitpay-signature"]).not.toBe(qbitEventSignature(JSON.parse(push.body), KEY_A))
  })

  it("delay_before: the push leaves after delayMs", async () => {
    sim.setFault({ target: "webhook", mode: "delay_before", delayMs: 120 })
    const started = Date.now()
    await paidCharge()
    await eventually(() => receiver.pushes.length === 1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
  })
})

describe("control API", () => {
  it("GET /__sim/state shows charges (with merchantId), events, webhooks, faults and the clock", async () => {
    const charge = (await api.post("/api/v1/charges", chargeBody({ cbUrl: receiver.url }))).data
    await api.sim("POST", `/__sim/charges/${charge.id}/pay`)
    await eventually(() => receiver.pushes.length === 1)
    sim.setFault({ target: "webhook", mode: "suppress" })
    const state = (await api.sim("GET", "/__sim/state")).data
    expect(state.charges).toEqual([expect.objectContaining({ id: charge.id, status: "closed", merchantId: expect.stringMatching(/^[0-9a-f]{24}$/) })])
    expect(state.events.map((e: { type: string }) => e.type)).toEqual(["charge.succeeded"])
    expect(state.webhooks).toHaveLength(1)
    expect(state.faults).toEqual([{ target: "webhook", mode: "suppress", times: 1 }])
    expect(typeof state.now).toBe("string")
    expect(typeof state.clockOffsetMs).toBe("number")
  })

  it("POST /__sim/time/advance moves the clock (and validates ms)", async () => {
    const before = sim.state().clockOffsetMs
    const res = await api.sim("POST", "/__sim/time/advance", { ms: 60_000 })
    expect(res.status).toBe(200)
    expect(res.data.clockOffsetMs).toBe(before + 60_000)
    expect((await api.sim("POST", "/__sim/time/advance", { ms: -1 })).status).toBe(400)
    expect((await api.sim("POST", "/__sim/time/advance", { ms: "1" })).status).toBe(400)
    expect((await api.request("POST", "/__sim/time/advance", "{oops", { key: null })).status).toBe(400)
  })

  it("POST /__sim/reset forgets charges, events, webhooks, faults and pending retries", async () => {
    const failing = await Receiver.start([500, 500, 500])
    try {
      const charge = (await api.post("/api/v1/charges", chargeBody({ cbUrl: failing.url }))).data
      sim.act(charge.id, "pay")
      await eventually(() => failing.pushes.length === 1)
      await pause(20)
      sim.setFault({ target: "/api/v1/charges", mode: "http500" })
      expect((await api.sim("POST", "/__sim/reset")).data).toEqual({ ok: true })
      sim.advanceTime(WEBHOOK_RETRY_DELAY_MS * 2)
      await pause(30)
      expect(failing.pushes).toHaveLength(1)
      const state = sim.state()
      expect([state.charges, state.events, state.webhooks, state.faults]).toEqual([[], [], [], []])
      expect((await api.get(`/api/v1/charges/${charge.id}`)).status).toBe(404)
      expect((await api.post("/api/v1/charges", chargeBody())).status).toBe(200)
    } finally {
      await failing.stop()
    }
  })

  it("answers 404 for unknown control routes, charges and actions", async () => {
    expect((await api.sim("GET", "/__sim/nope")).status).toBe(404)
    expect((await api.sim("POST", "/__sim/charges/ffffffffffffffffffffffff/pay")).status).toBe(404)
    const charge = (await api.post("/api/v1/charges", chargeBody())).data
    expect((await api.sim("POST", `/__sim/charges/${charge.id}/refund`)).status).toBe(404)
    expect((await api.sim("GET", `/__sim/charges/${charge.id}/pay`)).status).toBe(404)
  })

  it("buyer-paid through the control API leaves the charge waiting for the seller", async () => {
    const charge = (await api.post("/api/v1/charges", chargeBody())).data
    const res = await api.sim("POST", `/__sim/charges/${charge.id}/buyer-paid`)
    expect(res.data.charge).toMatchObject({ status: "buyerPaid", paid: false })
    expect(sim.state().events).toEqual([])
  })
})
