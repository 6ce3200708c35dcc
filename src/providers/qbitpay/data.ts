import type { GatewayProfile } from "../../lib/provider-base"
import { BaseSessionData, readSessionData } from "../../lib/session-data"
import { GATEWAY } from "./client"
import { QbitpayPaymentStatus, SESSION_STATUS_BY_PAYMENT_STATUS } from "./status"

/**
 * What we keep in session / payment data: the storefront contract (lib/session-data) plus Qbit Pay's own
 * fields. `amount` is the exact decimal sent in major units; `gateway_reference` is the charge id.
 */
export type QbitpaySessionData = BaseSessionData & {
  gateway: "qbitpay"
  gateway_reference: string
  /** The charge's own status at Qbit Pay (pending, buyerPaid, closed, ...). */
  charge_status: string
  status: QbitpayPaymentStatus
}

export function readQbitpayData(data: unknown): QbitpaySessionData | undefined {
  const read = readSessionData<QbitpaySessionData>(data, "qbitpay", ["gateway_reference", "amount"])
  return read && read.gateway_reference ? read : undefined
}

export const QBITPAY_PROFILE: GatewayProfile<QbitpaySessionData> = {
  name: GATEWAY,
  paidPaymentName: "paid Qbit Pay charge",
  sessionStatusByStatus: SESSION_STATUS_BY_PAYMENT_STATUS,
  readData: readQbitpayData,
}
