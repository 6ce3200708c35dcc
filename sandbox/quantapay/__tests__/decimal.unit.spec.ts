/** Exact arithmetic and PHP-style JSON used by the QuantaPay simulator. */
import { div, floorUnits, formatUnits, mustRatio, ratio, roundUnits, trimZeros } from "../decimal"
import { phpJsonEncode } from "../phpjson"

describe("decimal", () => {
  it("parses plain decimals only", () => {
    expect(ratio("49.99")).toEqual({ num: 4999n, den: 100n })
    for (const bad of ["", "1e3", "-1", " 1", "1.", ".5", "0x10", "1,5"]) expect(ratio(bad)).toBeUndefined()
  })

  it("converts without float error and truncates to the coin's decimals", () => {
    // 49.99 USD at 65000 USD/BTC = 0.000769076923... BTC
    const btc = div(mustRatio("49.99"), mustRatio("65000"))
    expect(formatUnits(floorUnits(btc, 8), 8)).toBe("0.00076907")
    expect(formatUnits(roundUnits(mustRatio("0.125"), 2), 2)).toBe("0.13")
    expect(formatUnits(floorUnits(mustRatio("0.1"), 8) + floorUnits(mustRatio("0.2"), 8), 8)).toBe("0.30000000")
    expect(formatUnits(-5n, 2)).toBe("-0.05")
    expect(formatUnits(1000n, 0)).toBe("1000")
  })

  it("trims trailing zeros", () => {
    expect(trimZeros("0.02500000")).toBe("0.025")
    expect(trimZeros("12.000")).toBe("12")
    expect(trimZeros("100")).toBe("100")
  })
})

describe("phpJsonEncode", () => {
  it("escapes slashes and non-ASCII like PHP's json_encode, and parses back unchanged", () => {
    const value = { url: "https://x.example/a?b=1", title: "Café 茶 😀", n: 1, none: null }
    const text = phpJsonEncode(value)
    expect(text).toBe('{"url":"https:\\/\\/x.example\\/a?b=1","title":"Caf\\u00e9 \\u8336 \\ud83d\\ude00","n":1,"none":null}')
    expect(JSON.parse(text)).toEqual(value)
  })
})
