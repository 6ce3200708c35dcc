import { fromMinorUnits } from "../../lib/money"
import type { GatewayProfile } from "../../lib/provider-base"
import { BaseSessionData, readSessionData } from "../../lib/session-data"
import { GATEWAY } from "./client"
import { QfpayPaymentStatus, SESSION_STATUS_BY_PAYMENT_STATUS } from "./status"

/**
 * What we keep in the payment session / payment data: the storefront contract (lib/session-data) plus
 * QFPay's own fields. Every key is written by us on every update.
 */
export type QfpaySessionData = BaseSessionData & {
  gateway: "qfpay"
  mode: "checkout" | "direct"
  /** The amount in QFPay's integer minor units, as sent in `txamt`. */
  amount_minor: string
  pay_type: string | null
  txdtm: string
  expires_at: string
  status: QfpayPaymentStatus
  /** Extra successful payments QFPay recorded for the same order (several tabs): refund them. */
  duplicate_references: string[]
}

/** Reads our data back, or undefined when it is not ours (e.g. the storefront's raw input on clean-up). */
export function readQfpayData(data: unknown): QfpaySessionData | undefined {
  const read = readSessionData<QfpaySessionData>(data, "qfpay", ["amount_minor", "txdtm", "expires_at"])
  if (!read || !/^\d+$/.test(read.amount_minor)) return undefined
  return {
    ...read,
    // Data written before `amount` joined the storefront contract carries only amount_minor.
    amount: typeof read.amount === "string" ? read.amount : fromMinorUnits(read.amount_minor, read.currency),
    duplicate_references: Array.isArray(read.duplicate_references) ? read.duplicate_references : [],
  }
}

export const QFPAY_PROFILE: GatewayProfile<QfpaySessionData> = {
  name: GATEWAY,
  paidPaymentName: "settled QFPay transaction",
  sessionStatusByStatus: SESSION_STATUS_BY_PAYMENT_STATUS,
  readData: readQfpayData,
}
