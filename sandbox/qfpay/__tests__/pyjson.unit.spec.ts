import { qfpayNotificationSignature } from "../../shared/signatures"
import { pyJsonDumps, pyJsonString } from "../pyjson"

describe("pyJsonDumps (Python json.dumps defaults)", () => {
  it("reproduces the reference notification body and its X-QF-SIGN", () => {
    const payload = {
      status: "1",
      notify_type: "payment",
      syssn: "20200514000300020093755455",
      out_trade_no: "ORD-1",
      txamt: "10",
      txcurrcd: "HKD",
      respcd: "0000",
      cancel: "0",
      goods_name: "測試",
    }
    const body = pyJsonDumps(payload)
    expect(body).toBe(
      '{"status": "1", "notify_type": "payment", "syssn": "20200514000300020093755455", "out_trade_no": "ORD-1", ' +
        '"txamt": "10", "txcurrcd": "HKD", "respcd": "0000", "cancel": "0", "goods_name": "\\u6e2c\\u8a66"}'
    )
    expect(qfpayNotificationSignature(body, "3ABB1BFFE2E0497BB9270978B0BXXXXX")).toBe("2551A6EE435EBE27CD433F9D0D0D919E")
  })

  it("escapes like ensure_ascii=True: short escapes, lower-case \\u, surrogate pairs, DEL", () => {
    expect(pyJsonString('a"b\\c/d')).toBe('"a\\"b\\\\c/d"')
    expect(pyJsonString("\n\r\t\b\f")).toBe('"\\n\\r\\t\\b\\f"')
    expect(pyJsonString("\u0001\u001f\u007f")).toBe('"\\u0001\\u001f\\u007f"')
    expect(pyJsonString("é€")).toBe('"\\u00e9\\u20ac"')
    expect(pyJsonString("😀")).toBe('"\\ud83d\\ude00"')
  })

  it("uses Python separators for nested values and keeps insertion order", () => {
    expect(pyJsonDumps({ b: [1, 2, { c: null }], a: true, e: [], f: {}, g: false })).toBe(
      '{"b": [1, 2, {"c": null}], "a": true, "e": [], "f": {}, "g": false}'
    )
    expect(pyJsonDumps({ skip: undefined, keep: 1 })).toBe('{"keep": 1}')
    expect(pyJsonDumps(NaN)).toBe("NaN")
  })
})
