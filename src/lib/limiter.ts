export type LimiterOptions = {
  /**
   * While this says so, a task that has its slot waits before it starts (checked every `holdPollMs`), but
   * never longer than `maxHoldMs` after it was queued: deferrable work gives way to a burst of requests
   * without ever being starved by steady load.
   */
  holdWhile?: () => boolean
  maxHoldMs?: number
  holdPollMs?: number
  now?: () => number
}

/**
 * At most `concurrency` tasks at once in this process; the rest wait their turn in arrival order. Used so
 * that a burst of work that may wait (webhook deliveries processed after their answer) cannot take the
 * whole event loop from the requests this process must still answer quickly.
 */
export function createLimiter(concurrency: number, options: LimiterOptions = {}) {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`)
  const { holdWhile, maxHoldMs = 30_000, holdPollMs = 100, now = Date.now } = options
  let running = 0
  let held = 0
  const waiting: Array<() => void> = []
  // A finished task hands its slot straight to the next waiting one, so `running` never goes over.
  const next = () => {
    const handOver = waiting.shift()
    if (handOver) handOver()
    else running--
  }
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      const queuedAt = now()
      if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve))
      else running++
      try {
        if (holdWhile) {
          while (holdWhile() && now() - queuedAt < maxHoldMs) {
            held++
            await new Promise((r) => setTimeout(r, holdPollMs))
            held--
          }
        }
        return await task()
      } finally {
        next()
      }
    },
    get running() {
      return running
    },
    get waiting() {
      return waiting.length
    },
    /** Tasks that have a slot but are held back (`holdWhile`). */
    get held() {
      return held
    },
  }
}

/**
 * Events per second over the last second (ten 100 ms buckets), cheap enough to count on every request:
 * how a process tells a burst (a gateway replaying a backlog of webhooks) from its usual traffic.
 */
export function createArrivalRate(now: () => number = Date.now) {
  const BUCKET_MS = 100
  const BUCKETS = 10
  const counts = new Array<number>(BUCKETS).fill(0)
  let current = Math.floor(now() / BUCKET_MS)
  // Buckets older than a second are emptied as time moves on (at most all ten at once).
  const advance = () => {
    const bucket = Math.floor(now() / BUCKET_MS)
    for (let b = current + 1; b <= Math.min(bucket, current + BUCKETS); b++) counts[b % BUCKETS] = 0
    current = Math.max(current, bucket)
  }
  return {
    note() {
      advance()
      counts[current % BUCKETS]++
    },
    perSecond(): number {
      advance()
      return counts.reduce((sum, n) => sum + n, 0)
    },
  }
}
