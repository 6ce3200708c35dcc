import { createArrivalRate, createLimiter } from "../limiter"

const deferred = () => {
  let resolve!: () => void
  let reject!: (e: Error) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

describe("createLimiter", () => {
  it("runs at most `concurrency` tasks at once, the rest in arrival order", async () => {
    const limiter = createLimiter(2)
    const gates = [deferred(), deferred(), deferred(), deferred()]
    const started: number[] = []
    let peak = 0
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i)
        peak = Math.max(peak, limiter.running)
        await gate.promise
        return i
      })
    )
    await new Promise((r) => setImmediate(r))
    expect(started).toEqual([0, 1])
    expect(limiter.waiting).toBe(2)
    gates[1].resolve()
    await new Promise((r) => setImmediate(r))
    expect(started).toEqual([0, 1, 2])
    gates[0].resolve()
    gates[2].resolve()
    gates[3].resolve()
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3])
    expect(peak).toBe(2)
    expect(limiter.running).toBe(0)
  })

  it("a failing task frees its slot and its error reaches the caller", async () => {
    const limiter = createLimiter(1)
    await expect(limiter.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom")
    expect(await limiter.run(async () => "next")).toBe("next")
    expect(limiter.running).toBe(0)
  })

  it("refuses a concurrency that is not a positive integer", () => {
    expect(() => createLimiter(0)).toThrow(/positive integer/)
    expect(() => createLimiter(1.5)).toThrow(/positive integer/)
  })

  it("holds a task back while `holdWhile` says so, and starts it as soon as it stops saying so", async () => {
    let busy = true
    const limiter = createLimiter(2, { holdWhile: () => busy, holdPollMs: 5, maxHoldMs: 60_000 })
    let started = false
    const run = limiter.run(async () => {
      started = true
      return "ran"
    })
    await new Promise((r) => setTimeout(r, 30))
    expect(started).toBe(false)
    expect(limiter.held).toBe(1)
    expect(limiter.running).toBe(1)
    busy = false
    expect(await run).toBe("ran")
    expect(limiter.held).toBe(0)
    expect(limiter.running).toBe(0)
  })

  it("never holds a task longer than maxHoldMs after it was queued, so steady load cannot starve the work", async () => {
    let clock = 0
    const limiter = createLimiter(1, { holdWhile: () => true, holdPollMs: 1, maxHoldMs: 1000, now: () => clock })
    const order: string[] = []
    const first = limiter.run(async () => void order.push("first"))
    const second = limiter.run(async () => void order.push("second"))
    await new Promise((r) => setTimeout(r, 20))
    expect(order).toEqual([])
    clock = 1000
    await first
    // The second was queued at the same time: its wait behind the first counts, so it is not held again.
    await second
    expect(order).toEqual(["first", "second"])
  })
})

describe("createArrivalRate", () => {
  it("counts the events of the last second and forgets older ones", () => {
    let clock = 10_000
    const rate = createArrivalRate(() => clock)
    expect(rate.perSecond()).toBe(0)
    for (let i = 0; i < 30; i++) {
      rate.note()
      clock += 10 // 30 events over 300 ms
    }
    expect(rate.perSecond()).toBe(30)
    clock += 750 // 11,050: the events of 10,000-10,099 are more than a second old
    expect(rate.perSecond()).toBe(20)
    clock += 5_000
    expect(rate.perSecond()).toBe(0)
    rate.note()
    expect(rate.perSecond()).toBe(1)
  })
})
