import { md5Hex } from "../../lib/signing"

/**
 * Qbit Pay's string to sign (reference §8.4): the object's top-level fields minus empty ones (null,
 * undefined, ""; 0 and false stay), sorted by name in case-sensitive ASCII order, as `name=value` joined
 * with `&`. Strings go in raw (no quotes, no URL-encoding), numbers as `String(n)`, booleans as
 * `true`/`false`, and objects/arrays as compact `JSON.stringify` output in their own key order (nested keys
 * are NOT sorted: the official vector only matches that way).
 */
export function qbitStyleStringToSign(fields: Record<string, unknown>): string {
  return Object.keys(fields)
    .filter((name) => {
      const value = fields[name]
      return value !== null && value !== undefined && value !== ""
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => {
      const value = fields[name]
      const text = typeof value === "object" ? JSON.stringify(value) : String(value)
      return `${name}=${text}`
    })
    .join("&")
}

/**
 * Qbit Pay webhook signature (`QbitPay-Signature`): upper-case hex MD5 of
 * `qbitStyleStringToSign(fields) + "&key=" + key`, where `fields` is the parsed Event and `key` the
 * merchant's API key. Compare with `constantTimeEqualHex` (or `constantTimeEqual`: both sides are upper-case).
 */
export function qbitStyleSignature(fields: Record<string, unknown>, key: string): string {
  return md5Hex(`${qbitStyleStringToSign(fields)}&key=${key}`).toUpperCase()
}
