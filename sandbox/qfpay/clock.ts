/**
 * The simulator's clock and timer wheel.
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

  /** Simulator time in epoch ms: real time plus every advance so far. */
  now(): number {
    return Date.now() + this.offsetMs
  }

  get offset(): number {
    return this.offsetMs
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

/** QFPay timestamps are Hong Kong local time (UTC+8), formatted `YYYY-MM-DD HH:mm:ss`. */
const HK_OFFSET_MS = 8 * 3600 * 1000

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

export function formatHk(epochMs: number): string {
  const d = new Date(epochMs + HK_OFFSET_MS)
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

/** `YYYYMMDD` in Hong Kong time (the date prefix of a syssn). */
export function hkDateDigits(epochMs: number): string {
  return formatHk(epochMs).slice(0, 10).replace(/-/g, "")
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/

/**
 * Parses a strict 24-hour `YYYY-MM-DD HH:mm:ss` (Hong Kong time) into epoch ms, or undefined when the
 * shape or any field is invalid (month 13, 31 April, hour 24, a 12-hour clock with AM/PM...).
 */
export function parseHk(text: string): number | undefined {
  const m = TIMESTAMP.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const utc = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 31 April over to 1 May; a round trip catches that.
  const back = new Date(utc)
  if (back.getUTCDate() !== day || back.getUTCMonth() !== month - 1) return undefined
  return utc - HK_OFFSET_MS
}
