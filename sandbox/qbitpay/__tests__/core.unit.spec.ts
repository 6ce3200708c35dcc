/** QbitCore without HTTP: lazy expiry on read, the state machine's refusals, quotes and ids. */
import { QbitCore } from "../core"
import { quote } from "../store"
import type { CreateChargeParams } from "../validation"

const PARAMS: CreateChargeParams = {
  amount: 100,
  currency: "USD",
  externalOrderId: "CORE-1",
  cbUrl: "http://127.0.0.1:9/hook",
  redirectUrl: "https://shop.example/r",
  baseCurrency: "BTC",
  quoteCurrency: "CNY",
}

let core: QbitCore
beforeEach(() => {
  core = new QbitCore({ merchants: [{ apiKey: "k1" }, { apiKey: "k2" }] })
  core.url = "http://127.0.0.1:1"
})
afterEach(() => core.close())

const merchant = (key = "k1") => {
  const m = core.merchantByKey(key)
  if (!m) throw new Error("no merchant")
  return m
}

describe("lazy expiry", () => {
  it("cancels an open charge with charge.expired when it is read after expiresAt, even if its timer never ran", () => {
    const charge = core.createCharge(merchant(), PARAMS)
    core.clock.cancelAll() // no timer: only the read can expire it
    core.clock.advance(30 * 60_000)
    expect(core.view(core.ownCharge(merchant(), charge.id))).toMatchObject({ status: "cancelled", paid: false })
    expect(core.state().events.map((e) => [e.type, e.data.id])).toEqual([["charge.expired", charge.id]])
  })

  it("applies on list reads and in state()", () => {
    const a = core.createCharge(merchant(), PARAMS)
    const b = core.createCharge(merchant(), PARAMS)
    core.clock.cancelAll()
    core.clock.advance(30 * 60_000)
    expect(core.listCharges(merchant(), { limit: 10 }).map((c) => c.status)).toEqual(["cancelled", "cancelled"])
    expect(core.state().events.map((e) => e.data.id).sort()).toEqual([a.id, b.id].sort())
  })

  it("does not touch another merchant's charges on list", () => {
    const theirs = core.createCharge(merchant("k2"), PARAMS)
    core.clock.cancelAll()
    core.clock.advance(30 * 60_000)
    core.listCharges(merchant(), { limit: 10 })
    expect(core.charges.get(theirs.id)?.charge.status).toBe("pending")
  })
})

describe("state machine", () => {
  const fromPending = { pay: "closed/paid", "buyer-paid": "buyerPaid/unpaid", fail: "cancelled/unpaid", expire: "cancelled/unpaid", dispute: "dispute/unpaid" }
  it.each(Object.entries(fromPending) as Array<[keyof typeof fromPending, string]>)("%s from pending gives %s", (action, outcome) => {
    const [status, paidText] = outcome.split("/")
    const paid = paidText === "paid"
    const charge = core.createCharge(merchant(), PARAMS)
    expect(core.act(charge.id, action)).toMatchObject({ status, paid })
  })

  it("refuses every action on a terminal charge with 409 and changes nothing", () => {
    const charge = core.createCharge(merchant(), PARAMS)
    core.act(charge.id, "pay")
    for (const action of ["pay", "buyer-paid", "fail", "expire", "dispute", "close-dispute"] as const) {
      expect(() => core.act(charge.id, action)).toThrow(expect.objectContaining({ status: 409 }))
    }
    expect(core.state().events).toHaveLength(1)
    expect(() => core.act("nope", "pay")).toThrow(expect.objectContaining({ status: 404 }))
  })

  it("only a disputed charge can have its dispute closed; a dispute cannot fail or expire", () => {
    const charge = core.createCharge(merchant(), PARAMS)
    expect(() => core.act(charge.id, "close-dispute")).toThrow(/pending/)
    core.act(charge.id, "dispute")
    expect(() => core.act(charge.id, "fail")).toThrow(/dispute/)
    expect(() => core.act(charge.id, "expire")).toThrow(/dispute/)
    expect(core.act(charge.id, "close-dispute", "lost")).toMatchObject({ status: "cancelled", paid: false })
  })

  it("event data is a snapshot: later changes do not alter an earlier event", () => {
    const charge = core.createCharge(merchant(), PARAMS)
    core.act(charge.id, "dispute")
    core.act(charge.id, "close-dispute")
    const [created, closed] = core.state().events
    expect(created.data.status).toBe("dispute")
    expect(closed.data.status).toBe("closed")
  })
})

describe("ids and quotes", () => {
  it("makes 24-hex ids that sort in creation order", () => {
    const ids = Array.from({ length: 50 }, () => core.ids.next())
    expect(ids.every((id) => /^[0-9a-f]{24}$/.test(id))).toBe(true)
    expect([...ids].sort()).toEqual(ids)
  })

  it("quotes deterministically and reproduces the doc's example", () => {
    expect(quote(100, "USD", "BTC", "CNY")).toEqual({ price: 38737.7, fee: 1, baseAmount: 0.017451, totalCost: 676 })
    expect(quote(100, "USD", "BTC", "CNY")).toEqual(quote(100, "USD", "BTC", "CNY"))
    expect(quote(0.123456, "USDT", "USDT", "USD").fee).toBe(0.001235)
  })
})

describe("construction", () => {
  it("rejects unusable options", () => {
    expect(() => new QbitCore({ merchants: [] })).toThrow(/merchant/)
    expect(() => new QbitCore({ merchants: [{ apiKey: "" }] })).toThrow(/apiKey/)
    expect(() => new QbitCore({ merchants: [{ apiKey: "a" }, { apiKey: "a" }] })).toThrow(/share/)
    expect(() => new QbitCore({ merchants: [{ apiKey: "a" }], timeScale: 0 })).toThrow(/timeScale/)
    expect(() => new QbitCore({ merchants: [{ apiKey: "a" }], chargeExpiryMs: -1 })).toThrow(/chargeExpiryMs/)
  })
})
