import { BigNumber, defaultCurrencies } from "@medusajs/framework/utils"
import { PaymentModuleService } from "@medusajs/payment/dist/services"
import { BigNumber as BigNumberJS } from "bignumber.js"
import {
  currencyExponent,
  decimalText,
  fromMinorUnits,
  MoneyError,
  normalizeCurrency,
  parseMajorToMinor,
  parseMinor,
  roundToMinorUnits,
  toMinorUnits,
} from "../money"

describe("money: currencyExponent", () => {
  it.each([
    ["JPY", 0],
    ["KRW", 0],
    ["VND", 0],
    ["USD", 2],
    ["HKD", 2],
    ["EUR", 2],
    ["CNY", 2],
    ["KWD", 3],
    ["BHD", 3],
    ["OMR", 3],
  ])("%s has %i decimals", (currency, exponent) => {
    expect(currencyExponent(currency)).toBe(exponent)
  })

  it("is case-insensitive and trims", () => {
    expect(currencyExponent("jpy")).toBe(0)
    expect(currencyExponent(" kwd ")).toBe(3)
    expect(currencyExponent("hkd")).toBe(2)
  })

  it("applies overrides on top of ISO (keys are upper-case codes)", () => {
    expect(currencyExponent("USDT", { USDT: 6 })).toBe(6)
    expect(currencyExponent("usdt", { USDT: 6 })).toBe(6)
    expect(currencyExponent("BTC", { BTC: 8 })).toBe(8)
    expect(currencyExponent("JPY", { JPY: 2 })).toBe(2)
    expect(currencyExponent("USD", { USD: 0 })).toBe(0)
    expect(currencyExponent("USDT")).toBe(2)
  })

  it("throws MoneyError for an invalid code", () => {
    expect(() => currencyExponent("US")).toThrow(MoneyError)
  })
})

describe("money: normalizeCurrency", () => {
  it("upper-cases and trims", () => {
    expect(normalizeCurrency("hkd")).toBe("HKD")
    expect(normalizeCurrency(" usd\n")).toBe("USD")
    expect(normalizeCurrency("usdt")).toBe("USDT")
  })

  it.each([["", "empty"], ["HK", "too short"], ["ABCDEFGHIJK", "too long"], ["H1D", "digit"], ["HK D", "inner space"], ["HK-D", "dash"]])(
    "rejects %p (%s)",
    (code) => {
      expect(() => normalizeCurrency(code)).toThrow(MoneyError)
      expect(() => normalizeCurrency(code)).toThrow(/Invalid currency code/)
    }
  )

  it.each([undefined, null, 344, {}, ["HKD"]])("rejects the non-string %p", (code) => {
    expect(() => normalizeCurrency(code)).toThrow(MoneyError)
  })

  it("names the offending value and gives an example in the message", () => {
    expect(() => normalizeCurrency("H1D")).toThrow('Invalid currency code "H1D": expected an ISO 4217 code such as "HKD".')
  })

  it("MoneyError is an Error with its own name", () => {
    const error = new MoneyError("x")
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe("MoneyError")
  })
})

describe("money: decimalText", () => {
  it.each<[unknown, string]>([
    [10.5, "10.5"],
    ["10.50", "10.5"],
    [0, "0"],
    ["0.00", "0"],
    [{ value: "10.5", precision: 20 }, "10.5"],
    [{ value: "10.5" }, "10.5"],
    [new BigNumber(10.5), "10.5"],
    [new BigNumber("12345678901234567.89"), "12345678901234567.89"],
    [new BigNumberJS("10.5"), "10.5"],
    [1e21, "1000000000000000000000"],
    [1e-7, "0.0000001"],
  ])("%p -> %p", (input, text) => {
    expect(decimalText(input)).toBe(text)
  })

  it.each<[unknown]>([[null], [undefined], [""]])("throws 'missing' for %p", (input) => {
    expect(() => decimalText(input)).toThrow(new MoneyError("Amount is missing."))
  })

  it.each<[unknown]>([[NaN], [Infinity], [-Infinity]])("throws for the non-finite number %p", (input) => {
    expect(() => decimalText(input)).toThrow(MoneyError)
    expect(() => decimalText(input)).toThrow(/not a finite number/)
  })

  it.each<[unknown]>([
    ["abc"],
    ["NaN"],
    ["Infinity"],
    ["1,000"],
    [" "],
    [{ value: "abc" }],
    [new BigNumberJS(NaN)],
    [new BigNumberJS(Infinity)],
    [true],
    [{}],
    [[]],
    [Symbol.for("x")],
  ])("throws MoneyError for %p", (input) => {
    expect(() => decimalText(input)).toThrow(MoneyError)
  })
})

describe("money: toMinorUnits", () => {
  it.each<[unknown, string, bigint]>([
    [10.5, "HKD", 1050n],
    ["10.50", "HKD", 1050n],
    [{ value: "10.5", precision: 20 }, "USD", 1050n],
    [new BigNumber(10.5), "USD", 1050n],
    [new BigNumber({ value: "10.5", precision: 20 }), "USD", 1050n],
    [new BigNumberJS("10.5"), "USD", 1050n],
    [new BigNumberJS("0.1").plus("0.2"), "USD", 30n],
    [1000, "JPY", 1000n],
    ["1000", "JPY", 1000n],
    ["1000.000", "JPY", 1000n],
    [1.234, "KWD", 1234n],
    ["1.2", "KWD", 1200n],
    [0.05, "USD", 5n],
    [0, "USD", 0n],
    ["-0", "USD", 0n],
    [1, "USD", 100n],
    ["0.000001", "USDT", 1n],
  ])("%p %s -> %p", (amount, currency, minor) => {
    expect(toMinorUnits(amount, currency, { USDT: 6 })).toBe(minor)
  })

  it("is exact for amounts beyond Number.MAX_SAFE_INTEGER", () => {
    expect(toMinorUnits("12345678901234567.89", "USD")).toBe(1234567890123456789n)
    expect(toMinorUnits({ value: "98765432109876543210.12", precision: 30 }, "HKD")).toBe(9876543210987654321012n)
    expect(toMinorUnits(new BigNumber("12345678901234567.89"), "USD")).toBe(1234567890123456789n)
  })

  it("does not turn common float values into off-by-one cents", () => {
    // Naive Math.round(x * 100) style code gets some of these wrong (1.005 * 100 = 100.49999...).
    expect(toMinorUnits(19.99, "USD")).toBe(1999n)
    expect(toMinorUnits(1.1, "USD")).toBe(110n)
    expect(toMinorUnits(4.35, "USD")).toBe(435n)
    expect(toMinorUnits(1.005, "KWD")).toBe(1005n)
  })

  it("rejects more decimals than the currency has instead of rounding", () => {
    expect(() => toMinorUnits(10.005, "USD")).toThrow(MoneyError)
    expect(() => toMinorUnits(10.005, "USD")).toThrow(/10\.005 USD has more than 2 decimal place\(s\)/)
    expect(() => toMinorUnits("10.001", "HKD")).toThrow(MoneyError)
    expect(() => toMinorUnits(1.5, "JPY")).toThrow(/more than 0 decimal place/)
    expect(() => toMinorUnits("1.2345", "KWD")).toThrow(MoneyError)
    expect(() => toMinorUnits("0.0000001", "USDT", { USDT: 6 })).toThrow(MoneyError)
  })

  it("rejects float garbage such as 0.1 + 0.2", () => {
    expect(() => toMinorUnits(0.1 + 0.2, "USD")).toThrow(MoneyError)
  })

  it("rejects negative amounts", () => {
    expect(() => toMinorUnits(-1, "USD")).toThrow(/negative/)
    expect(() => toMinorUnits("-0.01", "USD")).toThrow(/negative/)
    expect(() => toMinorUnits(new BigNumber(-5), "JPY")).toThrow(MoneyError)
  })

  it.each<[unknown]>([[NaN], [Infinity], [-Infinity], ["abc"], [null], [undefined], [""], [{ value: "x" }], [true]])(
    "rejects %p",
    (amount) => {
      expect(() => toMinorUnits(amount, "USD")).toThrow(MoneyError)
    }
  )

  it("rejects an invalid currency before looking at the amount", () => {
    expect(() => toMinorUnits(10, "XX")).toThrow(/Invalid currency code/)
  })
})

describe("money: fromMinorUnits", () => {
  it.each<[bigint | number | string, string, string]>([
    [1050n, "HKD", "10.50"],
    [5n, "USD", "0.05"],
    [0n, "USD", "0.00"],
    [100n, "USD", "1.00"],
    [1000, "JPY", "1000"],
    [0, "JPY", "0"],
    [1234n, "KWD", "1.234"],
    [5n, "KWD", "0.005"],
    ["1050", "HKD", "10.50"],
    [" 1050 ", "HKD", "10.50"],
    [-5n, "USD", "-0.05"],
    [-1050, "HKD", "-10.50"],
    ["-1234", "KWD", "-1.234"],
    [-1000n, "JPY", "-1000"],
    [1234567890123456789n, "USD", "12345678901234567.89"],
    [1n, "USDT", "0.000001"],
  ])("%p %s -> %p", (minor, currency, text) => {
    expect(fromMinorUnits(minor, currency, { USDT: 6 })).toBe(text)
  })

  it.each<[unknown]>([[1.5], [NaN], [Infinity], [Number.MAX_SAFE_INTEGER + 1], ["1.5"], ["abc"], [""], ["1e3"], [null], [undefined], [{}]])(
    "rejects the non-integer %p",
    (minor) => {
      expect(() => fromMinorUnits(minor as bigint, "USD")).toThrow(MoneyError)
      expect(() => fromMinorUnits(minor as bigint, "USD")).toThrow(/is not an integer/)
    }
  )

  it("round-trips with toMinorUnits", () => {
    for (const [amount, currency] of [
      ["10.50", "HKD"],
      ["1000", "JPY"],
      ["1.234", "KWD"],
      ["12345678901234567.89", "USD"],
    ]) {
      expect(fromMinorUnits(toMinorUnits(amount, currency), currency)).toBe(amount)
    }
  })
})

describe("money: roundToMinorUnits (amounts from Medusa)", () => {
  it.each<[unknown, string, bigint]>([
    // The carts: 3 x 9.99 HKD, 12.5% off, plus 30 shipping; 9.99 USD, 12.5% off, 8.875% tax on item and shipping.
    ["56.22375", "HKD", 5622n],
    ["18.2270359375", "USD", 1823n],
    // Exactly half a minor unit rounds up (away from zero), as bignumber.js ROUND_HALF_UP does.
    ["10.005", "USD", 1001n],
    ["10.004999999", "USD", 1000n],
    ["0.005", "USD", 1n],
    ["0.0049", "USD", 0n],
    ["1.0005", "KWD", 1001n],
    ["1.0004", "KWD", 1000n],
    ["1234.5", "JPY", 1235n],
    ["1234.49", "JPY", 1234n],
    ["0.5", "KRW", 1n],
    // Exact amounts are unchanged.
    ["10.5", "HKD", 1050n],
    [1000, "JPY", 1000n],
    [{ value: "56.22375", precision: 20 }, "HKD", 5622n],
    [new BigNumber("18.2270359375"), "USD", 1823n],
    [new BigNumberJS("0.1").plus("0.2"), "USD", 30n],
    [0.1 + 0.2, "USD", 30n],
    // Very large amounts stay exact.
    ["98765432109876543210.125", "HKD", 9876543210987654321013n],
    ["12345678901234567.894999", "USD", 1234567890123456789n],
    // Zero and negative zero.
    [0, "USD", 0n],
    ["0.004", "USD", 0n],
    ["-0", "USD", 0n],
    ["-0.000", "USD", 0n],
    ["1.2345675", "USDT", 1234568n],
  ])("%p %s -> %p", (amount, currency, minor) => {
    expect(roundToMinorUnits(amount, currency, { USDT: 6 })).toBe(minor)
  })

  it("refuses negative amounts, even ones that would round to zero", () => {
    expect(() => roundToMinorUnits(-1, "USD")).toThrow(/negative/)
    expect(() => roundToMinorUnits("-0.004", "USD")).toThrow(/negative/)
    expect(() => roundToMinorUnits(new BigNumber(-5), "JPY")).toThrow(MoneyError)
  })

  it.each<[unknown]>([[NaN], [Infinity], ["abc"], [null], [undefined], [""], [{ value: "x" }], [true]])("refuses %p", (amount) => {
    expect(() => roundToMinorUnits(amount, "USD")).toThrow(MoneyError)
  })

  it("rounds exactly as Medusa's payment module does wherever Medusa rounds (every currency Medusa knows)", () => {
    // The payment module's own function, called as Medusa calls it when it decides a collection is paid.
    const medusaRound = (PaymentModuleService.prototype as any).roundToCurrencyPrecision as (a: unknown, c: string) => InstanceType<typeof BigNumberJS>
    const samples = ["56.22375", "18.2270359375", "10.005", "0.5", "1234.5", "1.0005", "7.9949999", "99999999.995", "0.125"]
    let compared = 0
    for (const code of Object.keys(defaultCurrencies)) {
      const exponent = currencyExponent(code)
      const medusaPrecision = medusaRound("0.1111111", code).decimalPlaces()!
      for (const sample of samples) {
        const ours = fromMinorUnits(roundToMinorUnits(sample, code), code)
        if (medusaPrecision < 7) {
          // Medusa rounds this currency: at our exponent, and to the very number we charge.
          expect(`${code} ${medusaPrecision}`).toBe(`${code} ${exponent}`)
          expect(`${code} ${ours}`).toBe(`${code} ${medusaRound(sample, code).toFixed(exponent)}`)
          compared++
        } else {
          // Medusa keeps full precision (Intl shows no decimals for this code) and books the session's own
          // amount on capture; we charge the nearest minor unit.
          expect(new BigNumberJS(ours).minus(sample).abs().lte(new BigNumberJS(10).pow(-exponent).div(2))).toBe(true)
        }
      }
    }
    expect(compared).toBeGreaterThan(500)
  })
})

describe("money: parseMinor", () => {
  it.each<[unknown, bigint]>([
    ["1050", 1050n],
    [" 1050 ", 1050n],
    ["0", 0n],
    [0, 0n],
    [1050, 1050n],
    ["12345678901234567890", 12345678901234567890n],
  ])("%p -> %p", (value, minor) => {
    expect(parseMinor(value)).toBe(minor)
  })

  it.each<[unknown]>([
    ["-5"],
    [-5],
    ["10.5"],
    [10.5],
    ["1e3"],
    ["0x10"],
    [""],
    ["abc"],
    [NaN],
    [Infinity],
    [Number.MAX_SAFE_INTEGER + 1],
    [null],
    [undefined],
    [1050n],
    [{}],
  ])("returns undefined for %p", (value) => {
    expect(parseMinor(value)).toBeUndefined()
  })
})

describe("money: parseMajorToMinor", () => {
  it.each<[unknown, string, bigint]>([
    ["10.50", "HKD", 1050n],
    [10.5, "HKD", 1050n],
    ["1000", "JPY", 1000n],
    ["1.234", "KWD", 1234n],
    ["0", "USD", 0n],
    ["12345678901234567.89", "USD", 1234567890123456789n],
    ["1.5", "USDT", 1500000n],
    [" 10.50 ", "HKD", 1050n],
  ])("%p %s -> %p", (value, currency, minor) => {
    expect(parseMajorToMinor(value, currency, { USDT: 6 })).toBe(minor)
  })

  it.each<[unknown, string]>([
    ["10.005", "USD"],
    ["1.5", "JPY"],
    ["-1", "USD"],
    ["abc", "USD"],
    ["", "USD"],
    [NaN, "USD"],
    [Infinity, "USD"],
    [null, "USD"],
    [undefined, "USD"],
    [{ value: "10" }, "USD"],
    [new BigNumberJS("10"), "USD"],
    [true, "USD"],
    ["10", "XX"],
  ])("returns undefined (never throws) for %p %s", (value, currency) => {
    expect(() => parseMajorToMinor(value, currency)).not.toThrow()
    expect(parseMajorToMinor(value, currency)).toBeUndefined()
  })

  it.each<[string]>([["0x10"], ["0b11"], ["1e3"], ["1,000"], ["+10"], ["10."], [".5"], ["- 1"]])(
    "returns undefined for the string %p, which is not a clean decimal",
    (value) => {
      expect(parseMajorToMinor(value, "USD")).toBeUndefined()
    }
  )
})
