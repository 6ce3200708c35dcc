/**
 * The storefront contract: every provider writes the same shape into payment session data, so a
 * storefront integrates once. Session data is readable (and, at creation, writable) by the browser:
 * nothing secret goes here, and what the browser sends is read through an allow-list, never kept as sent.
 */
export type NextAction =
  | { type: "redirect"; url: string }
  | { type: "qr_code"; content: string; expires_at: string }
  | { type: "none" }

/** A refund as recorded in payment data. `manual_pending` = the merchant must send the money themselves. */
export type RecordedRefund = {
  /** Our id for the refund at the gateway (derived from Medusa's refund id). */
  id: string
  amount: string
  currency: string
  status: "succeeded" | "processing" | "manual_pending"
  gateway_reference: string | null
  created_at: string
  note?: string
}

export const NO_ACTION: NextAction = { type: "none" }

export function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value)
}

/** Reads `refunds` back from stored data, keeping only well-formed entries. */
export function recordedRefunds(data: Record<string, unknown>): RecordedRefund[] {
  const list = data.refunds
  if (!Array.isArray(list)) return []
  return list.filter(
    (r): r is RecordedRefund => isRecord(r) && typeof r.id === "string" && typeof r.amount === "string" && typeof r.status === "string"
  )
}

/**
 * What every provider keeps in its session data, the part a storefront reads (README "Storefront
 * contract"). Each provider adds its own fields beside these.
 */
export type BaseSessionData = {
  session_id: string
  /** Which provider wrote the data: data written by anything else is never trusted as ours. */
  gateway: string
  /** Our id at the gateway (derived from the session id). */
  merchant_order_id: string
  attempt: number
  /** Plain status for the storefront: "pending", "paid", "failed", "expired", "canceled", ... */
  status: string
  /** What is charged, as an exact decimal in the currency's minor unit ("56.22", "1000", "1.250"). */
  amount: string
  currency: string
  /** What the gateway says arrived, where it can differ from `amount` (crypto over- and underpayments), else absent. */
  amount_received?: string | null
  /** The gateway's id of the payment once it has one (a transaction or charge id). */
  gateway_reference: string | null
  /** When the payment page or QR code stops accepting payment (ISO 8601), when known. */
  expires_at: string | null
  next_action: NextAction
  refunds: RecordedRefund[]
  /** A sentence for the shopper when the payment did not go through, else null. */
  last_error: string | null
  /**
   * The registration places the order before the payment (`orderBeforePayment`): complete the cart right
   * away (the order awaits its payment), then act on `next_action`.
   */
  order_first?: boolean
}

/**
 * Reads a provider's own data back from what Medusa stored, or undefined when it is not that provider's
 * (e.g. the storefront's raw input handed to a clean-up call). `strings` names the keys that must be strings.
 */
export function readSessionData<T extends BaseSessionData>(data: unknown, gateway: string, strings: readonly string[]): T | undefined {
  if (!isRecord(data) || data.gateway !== gateway) return undefined
  if (!["session_id", "merchant_order_id", "currency", ...strings].every((key) => typeof data[key] === "string")) return undefined
  return {
    ...(data as unknown as T),
    gateway_reference: typeof data.gateway_reference === "string" ? data.gateway_reference : null,
    expires_at: typeof data.expires_at === "string" ? data.expires_at : null,
    refunds: recordedRefunds(data),
  }
}

/** Keys Medusa itself puts into the data a provider receives (not the storefront's). */
const MEDUSA_KEYS = new Set(["session_id"])
/** A storefront sends a choice or two, never documents: anything bigger is refused. */
export const STOREFRONT_INPUT_MAX_BYTES = 1024
const STOREFRONT_VALUE_MAX_LENGTH = 64

/** The keys a provider reads from the storefront, each with a description for the error message. */
export type StorefrontInputSpec = Readonly<Record<string, string>>

export type StorefrontInput = { ok: true; values: Record<string, string> } | { ok: false; problem: string }

/**
 * Reads what a storefront put into `data` when creating a payment session: only the provider's allowed
 * keys, each a short plain string (no control characters), the whole at most 1 KiB. Anything else is a
 * problem sentence that says what to send. The values are returned for the provider to check further (e.g.
 * against the merchant's allow-list); the input itself is never copied into the data we return.
 */
export function readStorefrontInput(data: unknown, spec: StorefrontInputSpec): StorefrontInput {
  const allowed = Object.keys(spec)
  const expected = allowed.length
    ? `send only ${allowed.map((k) => `"${k}" (${spec[k]})`).join(", ")}`
    : "send no data for this provider"
  if (data === undefined || data === null) return { ok: true, values: {} }
  if (!isRecord(data)) return { ok: false, problem: `data must be an object; ${expected}.` }
  let size: number
  try {
    size = Buffer.byteLength(JSON.stringify(data), "utf8")
  } catch {
    return { ok: false, problem: `data is not plain JSON; ${expected}.` }
  }
  if (size > STOREFRONT_INPUT_MAX_BYTES) return { ok: false, problem: `data is ${size} bytes, more than ${STOREFRONT_INPUT_MAX_BYTES}; ${expected}.` }
  const values: Record<string, string> = {}
  for (const [key, value] of Object.entries(data)) {
    if (MEDUSA_KEYS.has(key)) continue
    if (!allowed.includes(key)) return { ok: false, problem: `data.${safeKey(key)} is not accepted; ${expected}.` }
    if (value === undefined || value === null || value === "") continue
    if (typeof value !== "string") return { ok: false, problem: `data.${key} must be a string; ${expected}.` }
    // eslint-disable-next-line no-control-regex
    if (value.length > STOREFRONT_VALUE_MAX_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
      return { ok: false, problem: `data.${key} must be a short plain string without control characters; ${expected}.` }
    }
    values[key] = value
  }
  return { ok: true, values }
}

/** A key as it may appear in an error message: printable and short. */
function safeKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = key.replace(/[^\x20-\x7e]/g, "?")
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean
}
