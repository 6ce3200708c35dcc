import { fromMinorUnits } from "./money"

/**
 * What a gateway reported, in one typed shape whatever the gateway: read from a verified webhook by each
 * provider's webhook.ts, then judged here. Nothing in it is a secret (it is stored in the ledger).
 */
export type GatewayEventKind =
  /** Money arrived for our order. */
  | "paid"
  /** Less money than asked arrived (crypto); never a payment by itself. */
  | "underpaid"
  | "failed"
  | "expired"
  | "canceled"
  /** Money went back to the shopper (a refund made here or in the gateway's portal). */
  | "refunded"
  | "disputed"
  | "dispute_closed"
  /** Still on its way (the shopper picked a method, the chain is confirming). */
  | "pending"

export type GatewayEvent = {
  /** A stable name of what happened, so the same delivery retried is recognised (gateways retry for hours). */
  key: string
  kind: GatewayEventKind
  /** Our id at the gateway exactly as the gateway sent it (never trimmed or normalised). */
  merchantOrderId: string | null
  /** The gateway's own id of the payment (a transaction or charge id). */
  gatewayReference: string | null
  /** What the gateway says moved, in the currency's minor units, with the currency (upper case). */
  amountMinor: bigint | null
  currency: string | null
  /** For `refunded`: the refund's own reference at the gateway. */
  refundReference?: string | null
  /** For `refunded`: the refund's merchant id at the gateway (ours for refunds sent from Medusa, another for the portal's). */
  refundMerchantId?: string | null
  /** Pay type or coin the shopper used, when the gateway says. */
  method?: string | null
}

/**
 * A refund a gateway reports for a paid payment, made from Medusa or outside it (the gateway's portal).
 * `amountMinor` null with `whole`: the gateway only says the payment was refunded, not how much.
 */
export type GatewayRefundReport = {
  /** The refund's own reference at the gateway (stable: the same refund seen twice is recognised). */
  reference: string
  /** The payment it refunds, where the gateway says (a refund of a duplicate payment is not the order's). */
  paymentReference?: string | null
  amountMinor: bigint | null
  whole?: boolean
  currency: string
  /** The refund's merchant id at the gateway: ours for refunds sent from Medusa. */
  merchantRefundId?: string | null
  /** Where it was seen, for the merchant: "a QFPay refund notification". */
  source: string
}

/**
 * A webhook as a gateway's webhook.ts reads it: verified and turned into one event, or why not. `authentic`
 * says the signature (or key) was right although the event is not one we act on: the gateway should get its
 * acknowledgement then, and only a forged or garbled delivery is refused.
 */
export type WebhookReading = { ok: true; event: GatewayEvent } | { ok: false; reason: string; authentic?: boolean }

/** What a payment is checked against: the attempt we started at the gateway and what it was charged. */
export type ExpectedPayment = {
  /** Our current order id for the session (superseded attempts have another). */
  merchantOrderId: string
  /** The gateway's id of the current attempt, where the gateway gives one before payment (a charge id). */
  gatewayReference?: string | null
  chargedMinor: bigint
  currency: string
  /** The gateway's own minor units where they differ from ISO 4217 (for the wording of a mismatch). */
  minorUnitOverrides?: Record<string, number>
}

/**
 * The one amount rule. A payment counts when it is in the attempt's currency and for exactly the charged
 * amount. Gateways where the shopper decides what to send (crypto) set `acceptOverpayment`: more than asked
 * is accepted and the extra recorded, never absorbed silently; and `underpaymentToleranceMinor`: up to that
 * much less is still accepted (the shortfall recorded). Everything else is a mismatch, never "paid".
 */
export type AmountRule = {
  acceptOverpayment: boolean
  underpaymentToleranceMinor: bigint
  /** A shortfall tolerance in basis points of the charge (100 = 1 %); the larger of the two applies. */
  underpaymentToleranceBps?: bigint
}

export const EXACT_AMOUNT: AmountRule = { acceptOverpayment: false, underpaymentToleranceMinor: 0n }

export type AmountVerdict =
  | { verdict: "exact" }
  | { verdict: "overpaid"; extraMinor: bigint }
  | { verdict: "within_tolerance"; shortMinor: bigint }
  | { verdict: "mismatch"; reason: string }

export function judgeAmount(
  paid: { amountMinor: bigint | null; currency: string | null },
  expected: { chargedMinor: bigint; currency: string; minorUnitOverrides?: Record<string, number> },
  rule: AmountRule
): AmountVerdict {
  const show = (minor: bigint | null, currency: string | null) =>
    minor === null || !currency ? "an unreadable amount" : `${safeDecimal(minor, currency, expected.minorUnitOverrides)} ${currency}`
  const describe = () =>
    `the gateway reports ${show(paid.amountMinor, paid.currency)}, ${show(expected.chargedMinor, expected.currency)} was charged`
  if (paid.amountMinor === null || !paid.currency) return { verdict: "mismatch", reason: describe() }
  if (paid.currency.toUpperCase() !== expected.currency) return { verdict: "mismatch", reason: describe() }
  const difference = paid.amountMinor - expected.chargedMinor
  if (difference === 0n) return { verdict: "exact" }
  if (difference > 0n) return rule.acceptOverpayment ? { verdict: "overpaid", extraMinor: difference } : { verdict: "mismatch", reason: describe() }
  const byShare = (expected.chargedMinor * (rule.underpaymentToleranceBps ?? 0n)) / 10_000n
  const tolerance = rule.underpaymentToleranceMinor > byShare ? rule.underpaymentToleranceMinor : byShare
  if (-difference <= tolerance) return { verdict: "within_tolerance", shortMinor: -difference }
  return { verdict: "mismatch", reason: describe() }
}

export type PaymentDecision =
  | { pays: true; amount: AmountVerdict & { verdict: "exact" | "overpaid" | "within_tolerance" } }
  | { pays: false; why: "not_a_payment" | "other_attempt" | "amount"; reason: string }

/**
 * The one decision whether a verified gateway event is the payment of an attempt: it must say money
 * arrived, carry exactly our current order id (a suffix, a space or a newline makes it another order), be
 * the attempt's gateway payment where the gateway names one up front, and pass the amount rule.
 */
export function decidePayment(event: GatewayEvent, expected: ExpectedPayment, rule: AmountRule): PaymentDecision {
  if (event.kind !== "paid") return { pays: false, why: "not_a_payment", reason: `the event says ${event.kind}` }
  if (event.merchantOrderId !== expected.merchantOrderId) {
    return {
      pays: false,
      why: "other_attempt",
      reason: `it is for order ${JSON.stringify(event.merchantOrderId)}, the session's current order is ${expected.merchantOrderId}`,
    }
  }
  if (expected.gatewayReference && event.gatewayReference !== expected.gatewayReference) {
    return {
      pays: false,
      why: "other_attempt",
      reason: `it is for ${JSON.stringify(event.gatewayReference)}, the session's current payment is ${expected.gatewayReference}`,
    }
  }
  const amount = judgeAmount(event, expected, rule)
  if (amount.verdict === "mismatch") return { pays: false, why: "amount", reason: amount.reason }
  return { pays: true, amount }
}

function safeDecimal(minor: bigint, currency: string, overrides?: Record<string, number>): string {
  try {
    return fromMinorUnits(minor, currency, overrides)
  } catch {
    return String(minor)
  }
}
