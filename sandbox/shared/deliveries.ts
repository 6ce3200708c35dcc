/**
 * Delivery attempts (notifications, webhook pushes) that are due or in flight, on the simulator clock.
 * The queue knows them by content rather than by clock job, so a state file can keep them and re-arm them
 * after a restart: an attempt that was waiting runs when it falls due (at once if that passed while the
 * simulator was stopped), and one that was in flight is made again with the same attempt number.
 */
import type { SimClock } from "./clock"

export interface QueuedAttempt<P> {
  payload: P
  /** 1 = first delivery, 2.. = retries. */
  attempt: number
  /** Simulator-clock epoch ms when it is (or was) due. */
  dueAt: number
}

export interface DeliveryQueueDeps<P> {
  clock: SimClock
  /** Makes one attempt; it may queue the next one with schedule(). */
  run(payload: P, attempt: number): Promise<void>
  /** After an attempt is over and gone from the queue (a state file saves then). */
  onChange(): void
}

export class DeliveryQueue<P> {
  private readonly entries = new Map<number, QueuedAttempt<P>>()
  private nextKey = 1

  constructor(private readonly deps: DeliveryQueueDeps<P>) {}

  /** Makes attempt `attempt` now; resolves when it is over. */
  start(payload: P, attempt = 1): Promise<void> {
    return this.run(this.add({ payload, attempt, dueAt: this.deps.clock.now() }))
  }

  /** Makes attempt `attempt` after `delayMs` of simulator time. */
  schedule(payload: P, attempt: number, delayMs: number): void {
    this.arm(this.add({ payload, attempt, dueAt: this.deps.clock.now() + delayMs }))
  }

  /** What a state file keeps. */
  list(): QueuedAttempt<P>[] {
    return [...this.entries.values()].map((e) => ({ ...e }))
  }

  /** Re-arms saved attempts, each at its due time (at once when that is past). */
  restore(saved: readonly QueuedAttempt<P>[]): void {
    for (const entry of saved) {
      if (!Number.isInteger(entry.attempt) || typeof entry.dueAt !== "number") throw new Error("a queued delivery attempt needs attempt and dueAt")
      this.arm(this.add({ payload: entry.payload, attempt: entry.attempt, dueAt: entry.dueAt }))
    }
  }

  /** Forgets every attempt (reset/close: the caller cancels the clock jobs; results still in flight are dropped). */
  clear(): void {
    this.entries.clear()
  }

  private add(entry: QueuedAttempt<P>): number {
    const key = this.nextKey++
    this.entries.set(key, entry)
    return key
  }

  private arm(key: number): void {
    const entry = this.entries.get(key)
    if (entry) this.deps.clock.schedule(Math.max(0, entry.dueAt - this.deps.clock.now()), () => void this.run(key))
  }

  private async run(key: number): Promise<void> {
    const entry = this.entries.get(key)
    if (!entry) return
    try {
      await this.deps.run(entry.payload, entry.attempt)
    } finally {
      // Cleared meanwhile (reset/close): nothing changed that a state file should see.
      if (this.entries.delete(key)) this.deps.onChange()
    }
  }
}
