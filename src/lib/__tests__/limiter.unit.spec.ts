import { createLimiter } from "../limiter"

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
})
