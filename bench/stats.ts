/**
 * The few statistics the bench reports: quantiles of a sample, and the ratio of two medians with a bootstrap
 * interval (resampling both samples), so "1.08x" comes with how sure we are of it. Deterministic: the
 * resampling uses a seeded generator, so the same samples give the same interval.
 */

/** The q-quantile (0..1) with linear interpolation between order statistics; NaN for an empty sample. */
export function quantile(values: readonly number[], q: number): number {
  if (!values.length) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const at = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const low = Math.floor(at)
  const high = Math.ceil(at)
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low)
}

export const median = (values: readonly number[]) => quantile(values, 0.5)

export type Summary = { n: number; median: number; p90: number; p99: number; max: number }

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9), p99: quantile(values, 0.99), max: values.length ? Math.max(...values) : NaN }
}

/** mulberry32: a small seeded generator, enough for resampling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function resample(values: readonly number[], random: () => number): number[] {
  return values.map(() => values[Math.floor(random() * values.length)])
}

export type Ratio = { ratio: number; low: number; high: number }

/** median(a) / median(b) with a 95% percentile-bootstrap interval. */
export function medianRatio(a: readonly number[], b: readonly number[], rounds = 2000, seed = 1): Ratio {
  const ratio = median(a) / median(b)
  if (a.length < 2 || b.length < 2) return { ratio, low: NaN, high: NaN }
  const random = seededRandom(seed)
  const ratios: number[] = []
  for (let i = 0; i < rounds; i++) ratios.push(median(resample(a, random)) / median(resample(b, random)))
  return { ratio, low: quantile(ratios, 0.025), high: quantile(ratios, 0.975) }
}

/** The same list in a shuffled order (Fisher-Yates), so variants are interleaved without a fixed pattern. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}
