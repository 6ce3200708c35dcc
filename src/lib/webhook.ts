import { roundToMinorUnits } from "./money"

/**
 * Helpers every provider's webhook handling shares. Nothing here throws on bad input: a webhook handler
 * that throws makes Medusa's event bus retry forever, so untrusted input is reported, not raised.
 */

/** The raw request bytes as Medusa hands them over (Buffer, string, or a JSON-serialised Buffer from Redis). */
export function rawBodyBytes(rawData: unknown): Buffer | undefined {
  if (Buffer.isBuffer(rawData)) return rawData
  if (typeof rawData === "string") return Buffer.from(rawData, "utf8")
  if (rawData instanceof Uint8Array) return Buffer.from(rawData)
  if (
    rawData &&
    typeof rawData === "object" &&
    (rawData as { type?: unknown }).type === "Buffer" &&
    Array.isArray((rawData as { data?: unknown }).data)
  ) {
    return Buffer.from((rawData as { data: number[] }).data)
  }
  return undefined
}

/** A header value by case-insensitive name; the first one when repeated. */
export function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== wanted) continue
    if (typeof value === "string") return value
    if (Array.isArray(value) && typeof value[0] === "string") return value[0]
  }
  return undefined
}

/** Parses a JSON object from raw bytes; undefined for anything else. */
export function parseJsonObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(raw.toString("utf8"))
    return value && typeof value === "object" && !Array.isArray(value) ? value : undefined
  } catch {
    return undefined
  }
}

export type StoredSession = {
  id: string
  provider_id: string
  amount: unknown
  /** Medusa's exact amount (`{ value, precision }`); `amount` may be a float copy of it. */
  raw_amount?: unknown
  currency_code: string
  status: string
  data: Record<string, unknown> | null
}

/**
 * Reads a payment session through the payment module's own session service, which the module's container
 * hands to every provider. Used to check a webhook's amount and currency against the session before
 * reporting it paid. Returns undefined when the session does not exist or the service is unavailable.
 */
export async function lookupPaymentSession(container: unknown, sessionId: string): Promise<StoredSession | undefined> {
  let service: { retrieve: (id: string, config: Record<string, unknown>) => Promise<StoredSession> } | undefined
  try {
    service = (container as Record<string, typeof service>)["paymentSessionService"]
  } catch {
    return undefined
  }
  if (!service || typeof service.retrieve !== "function") return undefined
  try {
    return await service.retrieve(sessionId, {
      select: ["id", "provider_id", "amount", "raw_amount", "currency_code", "status", "data"],
    })
  } catch {
    return undefined
  }
}

export type WebhookSessionCheck =
  | { ok: true; session: StoredSession; currency: string; expectedMinor: bigint }
  | { ok: false; reason: string }

/**
 * The payment session a verified webhook points at, checked to belong to one of our provider's
 * registrations (`pp_<identifier>_...`), with its amount rounded to minor units as it was charged (lib/money
 * `roundToMinorUnits`) for comparing with what the gateway reports.
 */
export async function sessionForWebhook(
  container: unknown,
  sessionId: string,
  identifier: string,
  minorUnitOverrides: Record<string, number> = {}
): Promise<WebhookSessionCheck> {
  const session = await lookupPaymentSession(container, sessionId)
  if (!session) return { ok: false, reason: `no payment session ${sessionId}` }
  const providerId = String(session.provider_id)
  if (providerId !== `pp_${identifier}` && !providerId.startsWith(`pp_${identifier}_`)) {
    return { ok: false, reason: `session ${sessionId} belongs to ${providerId}` }
  }
  try {
    const currency = String(session.currency_code).toUpperCase()
    return { ok: true, session, currency, expectedMinor: roundToMinorUnits(session.raw_amount ?? session.amount, currency, minorUnitOverrides) }
  } catch {
    return { ok: false, reason: `session ${sessionId} has an unreadable amount` }
  }
}
