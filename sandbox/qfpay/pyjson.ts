/**
 * Python `json.dumps(obj)` with its default settings, byte for byte.
 *
 * QFPay builds notification bodies with Python's defaults, and merchants verify `md5(raw_body + key)`.
 * A simulator that used `JSON.stringify` would produce different bytes (no spaces, raw UTF-8), so providers
 * that accidentally re-serialise parsed JSON would pass here and fail in production. Matching Python keeps
 * the simulator honest. The defaults are:
 *
 * - separators `", "` between items and `": "` between key and value;
 * - `ensure_ascii=True`: every character outside printable ASCII (space..`~`) is written as `\uXXXX` with
 *   lower-case hex, astral characters as a UTF-16 surrogate pair (JS strings already hold them that way);
 * - `"`, `\`, `\n`, `\r`, `\t`, `\b`, `\f` get their short escapes; `/` is not escaped;
 * - key order is insertion order (no `sort_keys`).
 */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null"
  switch (typeof value) {
    case "string":
      return pyJsonString(value)
    case "boolean":
      return value ? "true" : "false"
    case "number":
      return pyNumber(value)
    case "bigint":
      return value.toString()
    case "object":
      return Array.isArray(value) ? pyArray(value) : pyObject(value as Record<string, unknown>)
    default:
      throw new TypeError(`Object of type ${typeof value} is not JSON serializable`)
  }
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
}

/** A JSON string literal as Python writes it with ensure_ascii=True. */
export function pyJsonString(text: string): string {
  let out = '"'
  // Iterate UTF-16 code units on purpose: an astral character becomes its two surrogates, as in Python.
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    const code = text.charCodeAt(i)
    const short = SHORT_ESCAPES[ch]
    if (short !== undefined) {
      out += short
    } else if (code >= 0x20 && code <= 0x7e) {
      out += ch
    } else {
      out += "\\u" + code.toString(16).padStart(4, "0")
    }
  }
  return out + '"'
}

function pyNumber(n: number): string {
  // Python writes non-finite floats as bare words (allow_nan=True is the default).
  if (Number.isNaN(n)) return "NaN"
  if (n === Infinity) return "Infinity"
  if (n === -Infinity) return "-Infinity"
  // Integers match. Non-integer floats can differ from Python's repr in exponent style; QFPay payloads
  // carry every number as a string, so this edge is documented rather than emulated.
  return String(n)
}

function pyArray(items: unknown[]): string {
  return "[" + items.map((item) => pyJsonDumps(item)).join(", ") + "]"
}

function pyObject(obj: Record<string, unknown>): string {
  const parts: string[] = []
  for (const [key, val] of Object.entries(obj)) {
    // `undefined` has no Python equivalent; leave the key out like JSON.stringify does.
    if (val === undefined) continue
    parts.push(pyJsonString(key) + ": " + pyJsonDumps(val))
  }
  return "{" + parts.join(", ") + "}"
}
