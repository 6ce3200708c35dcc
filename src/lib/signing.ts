import { createHash, createHmac, timingSafeEqual } from "node:crypto"

/** Digest algorithms the gateways use. */
export type DigestAlgorithm = "md5" | "sha256"

export type Bytes = string | Buffer | Uint8Array

function toBuffer(input: Bytes): Buffer {
  return typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input)
}

/** Lower-case hex digest of the concatenation of the given parts (strings are UTF-8). */
export function digestHex(algorithm: DigestAlgorithm, ...parts: Bytes[]): string {
  const hash = createHash(algorithm)
  for (const part of parts) {
    hash.update(toBuffer(part))
  }
  return hash.digest("hex")
}

export const md5Hex = (...parts: Bytes[]): string => digestHex("md5", ...parts)
export const sha256Hex = (...parts: Bytes[]): string => digestHex("sha256", ...parts)

/** Lower-case hex HMAC-SHA256. */
export function hmacSha256Hex(secret: Bytes, message: Bytes): string {
  return createHmac("sha256", toBuffer(secret)).update(toBuffer(message)).digest("hex")
}

/**
 * Compares two strings in constant time (for equal lengths). A length mismatch returns false without
 * throwing; `timingSafeEqual` itself throws on different lengths, which would leak nothing useful but
 * would turn a bad header into an exception.
 */
export function constantTimeEqual(expected: string, received: unknown): boolean {
  if (typeof received !== "string" || typeof expected !== "string" || expected.length === 0) {
    return false
  }
  const a = Buffer.from(expected, "utf8")
  const b = Buffer.from(received, "utf8")
  if (a.length !== b.length) {
    // Compare against itself so the work done does not depend on where the inputs differ.
    timingSafeEqual(a, a)
    return false
  }
  return timingSafeEqual(a, b)
}

/** Constant-time comparison of two hex digests, ignoring letter case (gateways differ in casing). */
export function constantTimeEqualHex(expected: string, received: unknown): boolean {
  if (typeof received !== "string") {
    return false
  }
  return constantTimeEqual(expected.toLowerCase(), received.trim().toLowerCase())
}

export type SignableParams = Record<string, string | number | undefined | null>

/**
 * Drops empty values (undefined, null, "") and stringifies the rest. Gateways that sign "every non-empty
 * parameter" expect exactly the pairs that go on the wire, so callers send the result of this function.
 */
export function compactParams(params: SignableParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue
    const text = String(value)
    if (text === "") continue
    out[key] = text
  }
  return out
}

/**
 * `k1=v1&k2=v2...` over the non-empty params, sorted by name in ascending code-unit (ASCII) order, with raw
 * (not URL-encoded) values. `exclude` lists names that are sent but not signed.
 */
export function sortedParamString(params: SignableParams, exclude: readonly string[] = []): string {
  const compact = compactParams(params)
  return Object.keys(compact)
    .filter((key) => !exclude.includes(key))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => `${key}=${compact[key]}`)
    .join("&")
}

/**
 * Sorted-parameter signature: digest(sortedParamString(params) + key), as some gateways sign API requests and
 * hosted checkout URLs. Returns lower-case hex; compare with `constantTimeEqualHex`.
 */
export function signSortedParams(
  params: SignableParams,
  key: string,
  algorithm: DigestAlgorithm,
  exclude: readonly string[] = []
): string {
  return digestHex(algorithm, sortedParamString(params, exclude), key)
}
