/**
 * The simulators' clock and timer wheel (shared by every simulator under sandbox/).
 *
 * Every simulated delay (notification retries, order and page expiry, refund settlement) is scheduled here
 * instead of with a bare setTimeout, for two reasons: `POST /__sim/time/advance` can move the clock forward
 * and fire whatever became due (so a test at timeScale 1 can skip 2 minutes without waiting), and close()
 * can cancel everything in one place so jest exits cleanly. The one real timer is unref'd. Real-time waits
 * (delay faults) go through Sleeper below instead.
 */
export class SimClock {
  private offsetMs = 0
  private readonly jobs = new Map<number, { dueAt: number; run: () => void }>()
  private nextId = 1
  private timer: NodeJS.Timeout | undefined
  private closed = false
  /** Called after every advance and every batch of due jobs (a simulator's state file saves then). */
  onChange: () => void = () => undefined

  /** Simulator time in epoch ms: real time plus every advance so far. */
  now(): number {
    return Date.now() + this.offsetMs
  }

  get offset(): number {
    return this.offsetMs
  }

  /**
   * Puts back the offset a state file saved (at start, before anything is scheduled), so simulator time
   * never runs backwards across a restart. It never moves the clock back.
   */
  restoreOffset(offsetMs: number): void {
    if (typeof offsetMs !== "number" || !(offsetMs >= 0) || !Number.isFinite(offsetMs)) {
      throw new Error(`clockOffsetMs must be a non-negative number (got ${JSON.stringify(offsetMs)})`)
    }
    this.offsetMs = Math.max(this.offsetMs, offsetMs)
  }

  schedule(delayMs: number, run: () => void): number {
    const id = this.nextId++
    this.jobs.set(id, { dueAt: this.now() + Math.max(0, delayMs), run })
    this.arm()
    return id
  }

  cancel(id: number): void {
    this.jobs.delete(id)
  }

  /** Moves the clock forward (never back) and runs every job that became due. */
  advance(ms: number): void {
    if (!(ms > 0)) return
    this.offsetMs += ms
    this.fireDue()
  }

  cancelAll(): void {
    this.jobs.clear()
    this.disarm()
  }

  close(): void {
    this.closed = true
    this.cancelAll()
  }

  private fireDue(): void {
    const now = this.now()
    const due = [...this.jobs.entries()].filter(([, job]) => job.dueAt <= now).sort((a, b) => a[1].dueAt - b[1].dueAt)
    for (const [id, job] of due) {
      this.jobs.delete(id)
      try {
        job.run()
      } catch {
        // A failing job must not stop the others; jobs log their own problems.
      }
    }
    this.arm()
    if (!this.closed) this.onChange()
  }

  private arm(): void {
    this.disarm()
    if (this.closed || this.jobs.size === 0) return
    let next = Infinity
    for (const job of this.jobs.values()) next = Math.min(next, job.dueAt)
    // setTimeout overflows above 2^31-1 ms; re-arming on wake-up covers longer waits.
    const delay = Math.min(Math.max(0, next - this.now()), 2 ** 31 - 1)
    this.timer = setTimeout(() => this.fireDue(), delay)
    this.timer.unref()
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
  }
}

/**
 * Real-time waits (delay faults are about HTTP timing, not simulated time, so they bypass SimClock). The
 * timers are unref'd so they never hold the process open, and clear() abandons every pending wait: its
 * promise never settles, so whatever awaited it stops there.
 */
export class Sleeper {
  private readonly timers = new Set<NodeJS.Timeout>()

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        resolve()
      }, ms)
      timer.unref()
      this.timers.add(timer)
    })
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}

/** The clock fields of every simulator's state(): simulator time (ISO) and how far it was advanced. */
export function clockView(clock: SimClock): { now: string; clockOffsetMs: number } {
  return { now: new Date(clock.now()).toISOString(), clockOffsetMs: clock.offset }
}
