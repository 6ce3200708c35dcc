import { compareDecimals } from "../money"

describe("compareDecimals", () => {
  it.each([
    ["49.99000000", "49.99", 0],
    ["49.99", "49.990", 0],
    ["50", "49.99", 1],
    ["49.98999999", "49.99", -1],
    ["0.1", "0.10000001", -1],
    [49.99, "49.99", 0],
    ["1000", 1000, 0],
  ])("%s vs %s -> %s", (a, b, expected) => {
    expect(compareDecimals(a, b)).toBe(expected)
  })

  it.each([["-1", "1"], ["1e3", "1000"], ["abc", "1"], [null, "1"], ["1", undefined], [NaN, "1"]])(
    "is undefined for non-decimals (%s, %s)",
    (a, b) => {
      expect(compareDecimals(a, b)).toBeUndefined()
    }
  )
})
