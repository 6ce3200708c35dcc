/**
 * Exact decimal arithmetic for the simulator (prices, crypto amounts, fees). Values are non-negative and
 * travel as rationals of bigints, so 49.99 USD -> BTC never goes through a float.
 */

/** A non-negative rational number num/den (den > 0). */
export interface Ratio {
  num: bigint
  den: bigint
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/

/** Parses a plain non-negative decimal ("49.99", "0.025", "1000"); undefined for anything else. */
export function ratio(text: string): Ratio | undefined {
  const m = DECIMAL.exec(text)
  if (!m) return undefined
  const fraction = m[2] ?? ""
  return { num: BigInt(m[1] + fraction), den: 10n ** BigInt(fraction.length) }
}

/** `ratio` for literals that are known to be valid (catalogue tables). */
export function mustRatio(text: string): Ratio {
  const r = ratio(text)
  if (!r) throw new Error(`not a decimal: ${text}`)
  return r
}

export const mul = (...parts: Ratio[]): Ratio =>
  parts.reduce((acc, r) => ({ num: acc.num * r.num, den: acc.den * r.den }), { num: 1n, den: 1n })

export function div(a: Ratio, b: Ratio): Ratio {
  if (b.num === 0n) throw new Error("division by zero")
  return { num: a.num * b.den, den: a.den * b.num }
}

/** The value in units of 10^-scale, rounded down (what "truncated to the coin's decimals" means). */
export function floorUnits(r: Ratio, scale: number): bigint {
  return (r.num * 10n ** BigInt(scale)) / r.den
}

/** The value in units of 10^-scale, rounded half up. */
export function roundUnits(r: Ratio, scale: number): bigint {
  return (r.num * 10n ** BigInt(scale) * 2n + r.den) / (2n * r.den)
}

export const fromUnits = (units: bigint, scale: number): Ratio => ({ num: units, den: 10n ** BigInt(scale) })

/** Units of 10^-scale as a fixed-point string: (4999n, 2) -> "49.99", (5n, 8) -> "0.00000005". */
export function formatUnits(units: bigint, scale: number): string {
  const negative = units < 0n
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0")
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`
  return negative ? `-${text}` : text
}

/** Drops trailing fraction zeros: "0.02500000" -> "0.025", "12.000" -> "12". */
export function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text
}

/** Number of digits after the decimal point of a decimal string. */
export const fractionDigits = (text: string): number => (text.split(".")[1] ?? "").length
