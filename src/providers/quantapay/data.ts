import type { GatewayProfile } from "../../lib/provider-base"
import { BaseSessionData, readSessionData } from "../../lib/session-data"
import { GATEWAY } from "./client"
import { QuantapayPaymentStatus, SESSION_STATUS_BY_PAYMENT_STATUS } from "./status"

/**
 * What we keep in session / payment data: the storefront contract (lib/session-data) plus QuantaPay's own
 * fields. `amount` is the exact decimal sent to QuantaPay as the price. Every key is written by us.
 */
export type QuantapaySessionData = BaseSessionData & {
  gateway: "quantapay"
  checkout_id: string | null
  /** The coin the shopper picked, once they did. */
  cryptocurrency: string | null
  expires_at: string
  status: QuantapayPaymentStatus
  /** Set when QuantaPay reports an underpaid (X) transaction. */
  underpayment: { transaction_id: string; expected: string; received_fiat: string | null; cryptocurrency: string | null } | null
}

export function readQuantapayData(data: unknown): QuantapaySessionData | undefined {
  return readSessionData<QuantapaySessionData>(data, "quantapay", ["amount", "expires_at"])
}

export const QUANTAPAY_PROFILE: GatewayProfile<QuantapaySessionData> = {
  name: GATEWAY,
  paidPaymentName: "completed QuantaPay transaction",
  sessionStatusByStatus: SESSION_STATUS_BY_PAYMENT_STATUS,
  readData: readQuantapayData,
}
