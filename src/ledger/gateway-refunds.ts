import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { fromMinorUnits, toMinorUnits } from "../lib/money"
import type { GatewayRefundReport } from "../lib/payment-event"
import { providerFor, Registration } from "../providers/manifest"
import { GATEWAY_REFUND_METADATA_KEY } from "./journal"
import { AttemptRow, isUniqueViolation, Ledger, RefundRow, refundsOfAttempt, requireLedger } from "./store"

/** Medusa's refund workflow (core-flows `refundPaymentWorkflowId`): records the refund on the order. */
const REFUND_PAYMENT_WORKFLOW = "refund-payment-workflow"

/** Refund states that mean money went (or is going) back. */
const COUNTED = new Set(["succeeded", "processing", "paid_back", "manual_pending", "unrecorded"])

/**
 * A refund a gateway reports for a paid payment (a QFPay refund notification, a QuantaPay transaction marked
 * R, found by webhook or reconciliation). One of ours (sent from Medusa, or an orphan sent back) is only
 * confirmed. One made outside Medusa (the gateway's portal) is recorded once in the ledger and then on the
 * order, through Medusa's own refund workflow, which the provider answers from the ledger without sending
 * anything (journal `claimGatewayRefund`). Nothing is dropped: a refund Medusa refuses to record stays in the
 * ledger as `unrecorded`, listed for the merchant with Medusa's reason.
 */
export async function recordGatewayRefund(
  container: MedusaContainer,
  registration: Registration,
  attempt: AttemptRow,
  report: GatewayRefundReport
): Promise<string> {
  const ledger = requireLedger(container)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const provider = providerFor(registration, logger)
  const overrides = provider.minorUnitOverrides()
  const refunds = await refundsOfAttempt(ledger, attempt.id)

  const known = refunds.find((r) => r.gateway_reference === report.reference)
  if (known) {
    if (known.status === "processing" || known.status === "unknown") await ledger.updateLedgerRefunds({ id: known.id, status: "succeeded" } as never)
    return `refund ${report.reference} is already recorded (${known.origin})`
  }
  if (report.merchantRefundId) {
    const mine = refunds.find((r) => r.refund_id === report.merchantRefundId)
    if (mine) {
      await ledger.updateLedgerRefunds({ id: mine.id, status: "succeeded", gateway_reference: report.reference } as never)
      return `refund ${mine.refund_id} confirmed by ${report.source}`
    }
    if (await isOurRefund(container, attempt, report.merchantRefundId)) {
      // Sent from here a moment ago, its answer not yet written: try again later rather than record it twice.
      throw new Error(`refund ${report.merchantRefundId} was sent from Medusa and is not recorded yet; retried later`)
    }
  }

  const duplicate = !!report.paymentReference && !!attempt.gateway_reference && report.paymentReference !== attempt.gateway_reference
  let amountMinor = report.amountMinor
  if (amountMinor === null) {
    if (!report.whole) return `refund ${report.reference} has no amount; nothing recorded`
    // "Refunded" without an amount: refunds the merchant owed are paid back; the rest of the payment went back too.
    for (const owed of refunds.filter((r) => r.status === "manual_pending")) {
      await ledger.updateLedgerRefunds({ id: owed.id, status: "paid_back", paid_back_at: new Date(), paid_back_by: `${provider.gatewayName()} (${report.source})` } as never)
      owed.status = "paid_back"
    }
    const paid = toMinorUnits(attempt.paid_amount ?? attempt.amount, attempt.currency, overrides)
    const counted = refunds.filter((r) => COUNTED.has(r.status)).reduce((sum, r) => sum + toMinorUnits(r.amount, r.currency, overrides), 0n)
    amountMinor = paid - counted
    if (amountMinor <= 0n) return `${report.source}: every refund of this payment is recorded`
  }

  const amount = fromMinorUnits(amountMinor, attempt.currency, overrides)
  const note = duplicate
    ? `Refund of the duplicate payment ${report.paymentReference}, made at ${provider.gatewayName()} (${report.source}).`
    : `Refunded at ${provider.gatewayName()}, outside Medusa (${report.source}).`
  let row: RefundRow
  try {
    row = (await ledger.createLedgerRefunds({
      attempt_id: attempt.id,
      refund_id: `gateway_${report.reference}`.slice(0, 128),
      amount,
      currency: attempt.currency,
      status: "succeeded",
      origin: "gateway",
      gateway_reference: report.reference,
      note,
    } as never)) as unknown as RefundRow
  } catch (error) {
    if (isUniqueViolation(error)) return `refund ${report.reference} is already recorded`
    throw error
  }
  logger.warn(`${registration.providerId}: ${amount} ${attempt.currency} of payment ${attempt.gateway_reference} (order ${attempt.merchant_order_id}) was refunded at ${provider.gatewayName()} outside Medusa (${report.source}).`)
  if (duplicate) return `refund ${report.reference} of duplicate payment ${report.paymentReference} recorded`
  return recordOnOrder(container, ledger, attempt, row)
}

/** Records a ledger refund made at the gateway as a refund of the order's payment in Medusa. */
export async function recordOnOrder(container: MedusaContainer, ledger: Ledger, attempt: AttemptRow, row: RefundRow): Promise<string> {
  const payments = container.resolve(Modules.PAYMENT) as unknown as {
    listPayments(f: Record<string, unknown>, c?: Record<string, unknown>): Promise<Array<{ id: string; captured_at?: unknown }>>
  }
  const [payment] = attempt.session_id ? await payments.listPayments({ payment_session_id: attempt.session_id }, { select: ["id", "captured_at"], take: 1 }) : []
  if (!payment) return `refund ${row.gateway_reference} recorded in the ledger (the payment is not an order's payment in Medusa)`
  try {
    await container.resolve(Modules.WORKFLOW_ENGINE).run(REFUND_PAYMENT_WORKFLOW, {
      input: { payment_id: payment.id, amount: row.amount, note: row.note ?? undefined, metadata: { [GATEWAY_REFUND_METADATA_KEY]: row.id } },
    })
    return `refund ${row.gateway_reference} of ${row.amount} ${row.currency} recorded on the order`
  } catch (error) {
    const reason = (error as Error).message ?? String(error)
    await ledger.updateLedgerRefunds({ id: row.id, status: "unrecorded", note: `${row.note ?? ""} Medusa did not record it on the order: ${reason}`.trim().slice(0, 500) } as never)
    return `refund ${row.gateway_reference} kept in the ledger; Medusa did not record it: ${reason}`
  }
}

/** A refund id we sent: an orphan's (derived from the attempt) or a Medusa refund's. */
async function isOurRefund(container: MedusaContainer, attempt: AttemptRow, merchantRefundId: string): Promise<boolean> {
  if (merchantRefundId === `orphan_${attempt.id}`) return true
  if (!/^ref_[A-Za-z0-9]+$/.test(merchantRefundId)) return false
  const payments = container.resolve(Modules.PAYMENT) as unknown as { listRefunds(f: Record<string, unknown>, c?: Record<string, unknown>): Promise<unknown[]> }
  return (await payments.listRefunds({ id: merchantRefundId }, { select: ["id"], take: 1 })).length > 0
}
