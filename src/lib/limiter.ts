/**
 * At most `concurrency` tasks at once in this process; the rest wait their turn in arrival order. Used so
 * that a burst of work that may wait (webhook deliveries processed after their answer) cannot take the
 * whole event loop from the requests this process must still answer quickly.
 */
export function createLimiter(concurrency: number) {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`)
  let running = 0
  const waiting: Array<() => void> = []
  // A finished task hands its slot straight to the next waiting one, so `running` never goes over.
  const next = () => {
    const handOver = waiting.shift()
    if (handOver) handOver()
    else running--
  }
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve))
      else running++
      try {
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
  }
}
