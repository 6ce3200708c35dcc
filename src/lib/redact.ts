/**
 * Redaction for everything that may reach a log line or an error message. Two layers:
 * - by value: every configured secret (API key, client key, webhook secret) is replaced wherever it
 *   appears, even inside a URL or a JSON string;
 * - by name: fields and headers whose names say "secret" (signatures, tokens, keys, authorization) are
 *   masked whatever their value, because a signature is derived from the secret and changes per request.
 *   A name counts when it is one of the names below or its last `-`/`_` part is (`x-acme-sign`,
 *   `acme-signature`, `merchant_key`), so a gateway's own header is covered without naming the gateway here.
 */

export const REDACTED = "[REDACTED]"

const DEFAULT_SENSITIVE_NAMES = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "sign",
  "signature",
  "client_key",
  "clientkey",
  "api-key",
  "api_key",
  "apikey",
  "key",
  "secret",
  "webhook_secret",
  "webhooksecret",
  "access_token",
  "accesstoken",
  "token",
  "password",
]

export type Redactor = {
  /** Masks secret values inside free text. */
  text(input: string): string
  /** Deep copy of a value with sensitive fields masked and secret values scrubbed from strings. */
  value<T>(input: T): T
}

export function createRedactor(
  secrets: Array<string | undefined | null>,
  extraSensitiveNames: string[] = []
): Redactor {
  // Longest first so a secret that contains another is masked whole. Very short values are skipped:
  // masking "a" everywhere would make logs useless and protects nothing.
  const values = Array.from(new Set(secrets.filter((s): s is string => typeof s === "string" && s.length >= 4)))
    .sort((a, b) => b.length - a.length)
  const names = new Set([...DEFAULT_SENSITIVE_NAMES, ...extraSensitiveNames].map((n) => n.toLowerCase()))
  const sensitive = (name: string) => {
    const lower = name.toLowerCase()
    return names.has(lower) || names.has(lower.split(/[-_]/).pop() ?? lower)
  }

  const text = (input: string): string => {
    let out = input
    for (const secret of values) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
      // As it appears in a URL and in a form body (where a space is "+").
      for (const encoded of [encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]) {
        if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED)
      }
    }
    // Query-string style `sign=...` / `accessToken=...` pairs inside URLs.
    out = out.replace(/([?&#](?:sign|signature|accessToken|access_token|api-key|api_key|key|token)=)[^&#\s"']+/gi, `$1${REDACTED}`)
    return out
  }

  const value = <T>(input: T, depth = 0): T => {
    if (depth > 8) return REDACTED as unknown as T
    if (typeof input === "string") return text(input) as unknown as T
    if (Array.isArray(input)) return input.map((v) => value(v, depth + 1)) as unknown as T
    if (Buffer.isBuffer(input)) return text(input.toString("utf8")) as unknown as T
    if (input instanceof URLSearchParams) {
      const copy: Record<string, string> = {}
      input.forEach((v, k) => {
        copy[k] = sensitive(k) ? REDACTED : text(v)
      })
      return copy as unknown as T
    }
    if (input && typeof input === "object") {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
        out[k] = sensitive(k) && v !== undefined && v !== null && v !== "" ? REDACTED : value(v, depth + 1)
      }
      return out as T
    }
    return input
  }

  return { text, value: (input) => value(input) }
}
