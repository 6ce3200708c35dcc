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
