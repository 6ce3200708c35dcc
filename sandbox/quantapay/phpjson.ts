/**
 * PHP's `json_encode` with default flags, which is what Boxcoin/QuantaPay answer and webhook with: like
 * JSON.stringify but `/` is escaped as `\/` and every non-ASCII character as `\uXXXX`. Any JSON parser
 * reads it back unchanged; only byte-level comparisons notice.
 */
export function phpJsonEncode(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, "\\/")
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
}
