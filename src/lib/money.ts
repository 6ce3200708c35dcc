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

/** ISO 4217 currencies with no minor unit. */
const ZERO_DECIMAL = new Set([
  "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF",
  "XOF", "XPF",
])

/** ISO 4217 currencies with three decimals. */
const THREE_DECIMAL = new Set(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])

/**
 * Number of decimals in the currency's minor unit (JPY 0, USD 2, KWD 3). `overrides` lets a gateway apply
 * its own rules on top of ISO (e.g. a crypto ticker with 6 or 8 decimals).
 */
export function currencyExponent(currency: string, overrides: Record<string, number> = {}): number {
  const code = normalizeCurrency(currency)
  if (code in overrides) return overrides[code]
  if (ZERO_DECIMAL.has(code)) return 0
  if (THREE_DECIMAL.has(code)) return 3
  return 2
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
 * Converts a major-unit amount to integer minor units for the currency. Rejects negative amounts and
 * amounts with more decimals than the currency has (e.g. 10.005 USD), instead of rounding money silently.
 */
export function toMinorUnits(
  amount: unknown,
  currency: string,
  overrides: Record<string, number> = {}
): bigint {
  const exponent = currencyExponent(currency, overrides)
  const text = decimalText(amount)
  const [, sign, whole, fraction = ""] = DECIMAL_RE.exec(text)!
  const trimmedFraction = fraction.replace(/0+$/, "")
  if (trimmedFraction.length > exponent) {
    throw new MoneyError(
      `Amount ${text} ${normalizeCurrency(currency)} has more than ${exponent} decimal place(s) and cannot be charged exactly.`
    )
  }
  const minor = BigInt(whole + trimmedFraction.padEnd(exponent, "0"))
  if (sign && minor !== 0n) {
    throw new MoneyError(`Amount ${text} is negative.`)
  }
  return minor
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

/** Major-unit amount as an exact decimal string with exactly the currency's decimals ("10.50", "1000", "1.250"). */
export function toDecimalString(
  amount: unknown,
  currency: string,
  overrides: Record<string, number> = {}
): string {
  return fromMinorUnits(toMinorUnits(amount, currency, overrides), currency, overrides)
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

/** Parses a gateway's minor-unit integer (e.g. QFPay `txamt: "1050"`). Undefined when it is not a plain integer. */
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
