import { fromMinorUnits } from "./money"
import type { RecordedRefund } from "./session-data"

/**
 * Gateways that never hold the shopper's money (non-custodial crypto checkouts; gateways with no refund
 * endpoint) cannot send a refund back. The refund is then recorded as owed by the merchant, with a marker
 * (`status: "manual_pending"`) the admin can show, and a warning in the log. Medusa books the refund as
 * usual, so the order's totals stay right.
 */
export function manualRefund(params: {
  gateway: string
  refundId: string
  amountMinor: bigint
  currency: string
  /** The gateway's own minor units where they differ from ISO 4217. */
  minorUnitOverrides?: Record<string, number>
  /** What the gateway knows the payment by, so the merchant can find it. */
  gatewayReference: string | null
  now: Date
}): RecordedRefund {
  const amount = fromMinorUnits(params.amountMinor, params.currency, params.minorUnitOverrides)
  return {
    id: params.refundId,
    amount,
    currency: params.currency,
    status: "manual_pending",
    gateway_reference: params.gatewayReference,
    created_at: params.now.toISOString(),
    note: `${params.gateway} cannot send refunds: pay ${amount} ${params.currency} back to the customer yourself${
      params.gatewayReference ? ` (payment ${params.gatewayReference})` : ""
    }.`,
  }
}
