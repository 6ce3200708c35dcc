import { createHash, createHmac, timingSafeEqual } from "node:crypto"

/**
 * The gateways' signatures as the simulators compute them, written from the gateway docs on their own
 * (reference gateway-*.md), never shared with the providers in src/: a signing mistake on either side then
 * makes the tests fail instead of being made the same way twice. Each doc's test vectors are asserted in
 * sandbox/shared/__tests__/signatures.unit.spec.ts and again, independently, on the provider side.
 */

export type HashName = "md5" | "sha256"

/** Hex digest of UTF-8 text (or bytes). */
export function hashHex(name: HashName, input: string | Buffer): string {
  return createHash(name).update(input).digest("hex")
}

/**
 * Equal secrets or digests, compared in constant time. Both sides are hashed first so inputs of any length
 * compare in the same time and timingSafeEqual never sees unequal lengths. Case-insensitive for hex when asked.
 */
export function secretsMatch(expected: string, received: unknown, opts: { hex?: boolean } = {}): boolean {
  if (typeof received !== "string" || expected === "") return false
  const norm = (s: string) => (opts.hex ? s.trim().toLowerCase() : s)
  const a = createHash("sha256").update(norm(expected)).digest()
  const b = createHash("sha256").update(norm(received)).digest()
  return timingSafeEqual(a, b)
}

/**
 * QFPay request and checkout signature (QFPay doc "Signature generation", reference §4): every parameter
 * sent in the body, sorted by name in ascending ASCII order, as raw `name=value` joined by `&`, with the
 * client key appended directly; MD5 or SHA256 hex. Names in `notSigned` (the checkout's `sign`, `lang`) are
 * left out. Empty values are never sent, so they are never signed.
 */
export function qfpayParamsSignature(
  params: Readonly<Record<string, string>>,
  clientKey: string,
  hash: HashName,
  notSigned: readonly string[] = []
): string {
  const names = Object.keys(params).filter((name) => !notSigned.includes(name) && params[name] !== "")
  names.sort((x, y) => Buffer.compare(Buffer.from(x, "latin1"), Buffer.from(y, "latin1")))
  let text = ""
  names.forEach((name, i) => {
    text += `${i ? "&" : ""}${name}=${params[name]}`
  })
  return hashHex(hash, text + clientKey)
}

/** QFPay notification signature (reference §12.3): upper-case MD5 of the exact body bytes followed by the key. */
export function qfpayNotificationSignature(body: string | Buffer, clientKey: string): string {
  return createHash("md5")
    .update(typeof body === "string" ? Buffer.from(body, "utf8") : body)
    .update(Buffer.from(clientKey, "utf8"))
    .digest("hex")
    .toUpperCase()
}

/**
 * QuantaPay signed checkout request (reference §5): HMAC-SHA256, keyed with the webhook secret, over
 * `{price}|{currency}|{order_id}|{timestamp}` exactly as submitted; lower-case hex.
 */
export function quantapayCheckoutSignature(webhookSecret: string, fields: { price: string; currency: string; orderId: string; timestamp: string }): string {
  return createHmac("sha256", webhookSecret).update([fields.price, fields.currency, fields.orderId, fields.timestamp].join("|")).digest("hex")
}

/**
 * Qbit Pay webhook signature (`QbitPay-Signature`, reference §8.4): the event's top-level fields without
 * empty ones (null, undefined, ""), sorted by name (case-sensitive ASCII), as `name=value` joined by `&`,
 * where nested objects are their compact JSON in the event's own key order; then `&key=<API key>`, MD5,
 * upper-case hex.
 */
export function qbitEventSignature(event: Readonly<Record<string, unknown>>, apiKey: string): string {
  const pairs: string[] = []
  for (const name of Object.keys(event).sort()) {
    const value = event[name]
    if (value === null || value === undefined || value === "") continue
    pairs.push(`${name}=${value !== null && typeof value === "object" ? JSON.stringify(value) : String(value)}`)
  }
  return hashHex("md5", `${pairs.join("&")}&key=${apiKey}`).toUpperCase()
}

/** HMAC-SHA256 as base64url, for the simulator's own tokens (Qbit Pay's access token). */
export function hmacBase64Url(secret: string, text: string): string {
  return createHmac("sha256", secret).update(text).digest("base64url")
}
