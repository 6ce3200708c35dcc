/**
 * The storefront contract: every provider writes the same shape into payment session data, so a
 * storefront integrates once. Session data is readable (and, at creation, writable) by the browser:
 * nothing secret goes here, and anything read back from it is validated first.
 */
export type NextAction =
  | { type: "redirect"; url: string }
  | { type: "qr_code"; content: string; expires_at: string }
  | { type: "none" }

/** A refund as recorded in payment data. `manual` = the merchant must send the money themselves. */
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

/** The keys every provider keeps in its session data (each provider adds its own). */
export type BaseSessionData = {
  session_id: string
  /** Which provider wrote the data: data written by anything else is never trusted as ours. */
  gateway: string
  /** Our id at the gateway (derived from the session id). */
  merchant_order_id: string
  attempt: number
  currency: string
  /** Plain status for the storefront: "pending", "paid", ... */
  status: string
  next_action: NextAction
  refunds: RecordedRefund[]
  last_error: string | null
}

/**
 * Reads a provider's own data back from what Medusa stored, or undefined when it is not that provider's
 * (e.g. the storefront's raw input handed to a clean-up call). `strings` names the keys that must be strings.
 */
export function readSessionData<T extends BaseSessionData>(data: unknown, gateway: string, strings: readonly string[]): T | undefined {
  if (!isRecord(data) || data.gateway !== gateway) return undefined
  if (!["session_id", "merchant_order_id", "currency", ...strings].every((key) => typeof data[key] === "string")) return undefined
  return { ...(data as unknown as T), refunds: recordedRefunds(data) }
}
