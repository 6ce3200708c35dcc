import { BigNumber } from "@medusajs/framework/utils"

/**
 * Money helpers. Medusa hands providers major units as a `BigNumberInput` (number, string, bignumber.js,
 * Medusa BigNumber, or a raw `{ value, precision }` object for refunds). Gateways want integer minor units
 * or exact decimal strings. Everything here goes through decimal strings and BigInt: never through a
 * JavaScript float multiplication.
 */

export class MoneyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "MoneyError"
  }
}

/**
 * ISO 4217 minor units that are not 2 (the default). IDR and MMK are 2 in ISO 4217 even though Intl and
 * Medusa's currency table show them without decimals; a gateway with other rules passes overrides.
 */
const ISO_EXPONENTS: Record<string, number> = {
  // No minor unit.
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0,
  VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  // Three decimals.
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  // Four decimals (units of account).
  CLF: 4, UYW: 4,
}

/**
 * Number of decimals in the currency's minor unit (JPY 0, USD 2, KWD 3). `overrides` lets a gateway apply
 * its own rules on top of ISO (e.g. USDT with 6 decimals).
 */
export function currencyExponent(currency: string, overrides: Record<string, number> = {}): number {
  const code = normalizeCurrency(currency)
  if (code in overrides) return overrides[code]
  return ISO_EXPONENTS[code] ?? 2
}

export function normalizeCurrency(currency: unknown): string {
  if (typeof currency !== "string" || !/^[A-Za-z]{3,10}$/.test(currency.trim())) {
    throw new MoneyError(`Invalid currency code ${JSON.stringify(currency)}: expected an ISO 4217 code such as "HKD".`)
  }
  return currency.trim().toUpperCase()
}

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/

/**
 * The exact decimal text of any Medusa amount input: `10.5`, `"10.50"`, `{ value: "10.5", precision: 20 }`,
 * a Medusa `BigNumber` or a bignumber.js value. Throws on NaN, infinity and anything that is not a number.
 */
export function decimalText(amount: unknown): string {
  if (amount === null || amount === undefined || amount === "") {
    throw new MoneyError("Amount is missing.")
  }
  if (typeof amount === "number" && !Number.isFinite(amount)) {
    throw new MoneyError(`Amount ${amount} is not a finite number.`)
  }
  let text: string
  try {
    // Medusa's BigNumber understands every BigNumberInput shape, raw refund objects included.
    const big = new BigNumber(amount as ConstructorParameters<typeof BigNumber>[0])
    text = big.bigNumber ? big.bigNumber.toFixed() : String(big.numeric)
  } catch {
    throw new MoneyError(`Amount ${safeShow(amount)} is not a number.`)
  }
  if (!DECIMAL_RE.test(text)) {
    throw new MoneyError(`Amount ${safeShow(amount)} is not a finite decimal number.`)
  }
  return text
}

function safeShow(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value)
  } catch {
    return String(value)
  }
}

/**
 * Converts an exact major-unit amount to integer minor units for the currency. Rejects negative amounts and
 * amounts with more decimals than the currency has (e.g. 10.005 USD) instead of rounding: for amounts we
 * wrote ourselves and amounts a gateway reports, where extra decimals mean something is wrong.
 */
export function toMinorUnits(amount: unknown, currency: string, overrides: Record<string, number> = {}): bigint {
  return minorUnits(amount, currency, overrides, "exact")
}

/**
 * The one rule for amounts that come from Medusa (session amounts, the amount a webhook is checked against,
 * refunds): Medusa keeps totals unrounded (a cart's `raw_total` with tax and a percentage promotion is e.g.
 * 56.22375 HKD), so they are rounded to the currency's minor unit, half up (ties away from zero), exactly as
 * Medusa's payment module rounds when it decides a collection is fully authorized or captured
 * (`roundToCurrencyPrecision`: bignumber.js `decimalPlaces` with its default ROUND_HALF_UP at the decimals
 * `Intl` shows for the currency). Where `Intl` shows no decimal point (JPY, KRW, ...) Medusa keeps full
 * precision and books the session's own amount on capture, so the same half-up rule at the ISO exponent
 * charges the nearest whole unit. Never through a float; negative amounts are refused.
 */
export function roundToMinorUnits(amount: unknown, currency: string, overrides: Record<string, number> = {}): bigint {
  return minorUnits(amount, currency, overrides, "round")
}

function minorUnits(amount: unknown, currency: string, overrides: Record<string, number>, mode: "exact" | "round"): bigint {
  const exponent = currencyExponent(currency, overrides)
  const { negative, whole, fraction, text } = splitDecimal(amount)
  const beyond = fraction.slice(exponent)
  if (mode === "exact" && /[1-9]/.test(beyond)) {
    throw new MoneyError(
      `Amount ${text} ${normalizeCurrency(currency)} has more than ${exponent} decimal place(s) and cannot be charged exactly.`
    )
  }
  if (negative && /[1-9]/.test(whole + fraction)) throw new MoneyError(`Amount ${text} is negative.`)
  const kept = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, "0"))
  return mode === "round" && (beyond[0] ?? "0") >= "5" ? kept + 1n : kept
}

function splitDecimal(amount: unknown): { negative: boolean; whole: string; fraction: string; text: string } {
  const text = decimalText(amount)
  const [, sign, whole, fraction = ""] = DECIMAL_RE.exec(text)!
  return { negative: !!sign, whole, fraction, text }
}

/** Minor units (bigint, integer number or digit string) to an exact major-unit decimal string, e.g. 1050n HKD -> "10.50". */
export function fromMinorUnits(
  minor: bigint | number | string,
  currency: string,
  overrides: Record<string, number> = {}
): string {
  const exponent = currencyExponent(currency, overrides)
  let value: bigint
  if (typeof minor === "bigint") {
    value = minor
  } else if (typeof minor === "number" && Number.isSafeInteger(minor)) {
    value = BigInt(minor)
  } else if (typeof minor === "string" && /^-?\d+$/.test(minor.trim())) {
    value = BigInt(minor.trim())
  } else {
    throw new MoneyError(`Minor-unit amount ${safeShow(minor)} is not an integer.`)
  }
  const negative = value < 0n
  const digits = (negative ? -value : value).toString().padStart(exponent + 1, "0")
  const whole = digits.slice(0, digits.length - exponent)
  const fraction = digits.slice(digits.length - exponent)
  return `${negative ? "-" : ""}${whole}${exponent > 0 ? "." + fraction : ""}`
}

/**
 * Parses a gateway's major-unit amount (string or number as sent in JSON) into minor units, exactly.
 * Returns undefined when the value is not a clean decimal or has more decimals than the currency.
 */
export function parseMajorToMinor(
  value: unknown,
  currency: string,
  overrides: Record<string, number> = {}
): bigint | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined
  // Only plain decimal text: bignumber.js would also read "0x10", "0b11", "1e3" and "+10".
  if (typeof value === "string" && !DECIMAL_RE.test(value.trim())) return undefined
  try {
    return toMinorUnits(value, currency, overrides)
  } catch {
    return undefined
  }
}

/** Parses a gateway's minor-unit integer (e.g. `"1050"`). Undefined when it is not a plain integer. */
export function parseMinor(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  if (typeof value === "string" && /^\d+$/.test(value.trim())) return BigInt(value.trim())
  return undefined
}

/**
 * Compares two non-negative decimal texts exactly, whatever their number of decimals ("49.99000000" vs
 * "49.99" -> 0). Returns undefined when either is not a plain decimal.
 */
export function compareDecimals(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  const pa = typeof a === "number" ? decimalTextOrUndefined(a) : typeof a === "string" ? a.trim() : undefined
  const pb = typeof b === "number" ? decimalTextOrUndefined(b) : typeof b === "string" ? b.trim() : undefined
  const ma = pa !== undefined ? /^(\d+)(?:\.(\d+))?$/.exec(pa) : null
  const mb = pb !== undefined ? /^(\d+)(?:\.(\d+))?$/.exec(pb) : null
  if (!ma || !mb) return undefined
  const scale = Math.max((ma[2] ?? "").length, (mb[2] ?? "").length)
  const va = BigInt(ma[1] + (ma[2] ?? "").padEnd(scale, "0"))
  const vb = BigInt(mb[1] + (mb[2] ?? "").padEnd(scale, "0"))
  return va === vb ? 0 : va < vb ? -1 : 1
}

function decimalTextOrUndefined(value: number): string | undefined {
  try {
    return decimalText(value)
  } catch {
    return undefined
  }
}
