import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { fromMinorUnits, roundToMinorUnits, toMinorUnits } from "../lib/money"
import { decidePayment, GatewayEvent } from "../lib/payment-event"
import { providerFor, Registration } from "../providers/manifest"
import { orderOfCart } from "./orders"
import { AttemptRow, attemptByOrderId, cartIdOfCollection, Ledger, paymentSession, PaymentSessionRow, requireLedger } from "./store"

/** Medusa's payment processing workflow (core-flows `processPaymentWorkflowId`), run by name as Medusa's own webhook subscriber does. */
export const PROCESS_PAYMENT_WORKFLOW = "process-payment-workflow"

/** Session statuses that mean Medusa already has the payment. */
export const SETTLED = new Set<string>([PaymentSessionStatus.AUTHORIZED, PaymentSessionStatus.CAPTURED])

/** Medusa's cart completion workflow (core-flows `completeCartWorkflowId`), run by name like the one above. */
export const COMPLETE_CART_WORKFLOW = "complete-cart"

/** A cart that still exists, was not completed and has no order (an order-first cart has its order), in one read. */
async function cartAwaitingOrder(container: MedusaContainer, cartId: string): Promise<boolean> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart", fields: ["id", "completed_at", "order.id"], filters: { id: cartId } })
  const cart = data[0] as { id?: string; completed_at?: unknown; order?: { id?: string } | null } | undefined
  return !!cart?.id && !cart.completed_at && !cart.order?.id
}

const ATTEMPT_LOCK = (id: string) => `medusa-payments-hk-crypto:attempt:${id}`

export type Settlement =
  | { outcome: "captured"; sessionId: string }
  | { outcome: "already_settled"; sessionId: string }
  | { outcome: "orphaned"; reason: string }
  | { outcome: "mismatch"; reason: string }
  | { outcome: "unknown_order"; reason: string }

/**
 * A verified payment event from a gateway: checked against the ledger attempt it names (the one payment
 * decision and amount rule of lib/payment-event), then settled like any paid attempt.
 */
export async function settlePaymentEvent(container: MedusaContainer, registration: Registration, event: GatewayEvent): Promise<Settlement> {
  const ledger = requireLedger(container)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const provider = providerFor(registration, logger)
  const attempt = event.merchantOrderId ? await attemptByOrderId(ledger, registration.identifier, event.merchantOrderId) : undefined
  if (!attempt) {
    logger.error(`${registration.providerId}: a payment (${event.gatewayReference}) arrived for order ${JSON.stringify(event.merchantOrderId)}, which is no attempt of ours; not treated as paid`)
    return { outcome: "unknown_order", reason: `no attempt with order id ${JSON.stringify(event.merchantOrderId)}` }
  }
  const data = provider.readSessionData(attempt.data)
  const decision = decidePayment(
    event,
    {
      merchantOrderId: attempt.merchant_order_id,
      gatewayReference: data ? provider.currentPaymentReference(data as never) : null,
      chargedMinor: toMinorUnits(attempt.amount, attempt.currency, provider.minorUnitOverrides()),
      currency: attempt.currency,
      minorUnitOverrides: provider.minorUnitOverrides(),
    },
    provider.amountRule()
  )
  if (!decision.pays) {
    const reason = `payment ${event.gatewayReference} of order ${attempt.merchant_order_id} is not treated as paid: ${decision.reason}`
    logger.error(`${registration.providerId}: ${reason}`)
    if (decision.why === "amount") {
      await ledger.updatePaymentAttempts({ id: attempt.id, status: "mismatch", attention: "amount_mismatch", note: reason.slice(0, 500) } as never)
      return { outcome: "mismatch", reason }
    }
    return { outcome: "unknown_order", reason }
  }
  const paidData = data ? { ...data, status: "paid", gateway_reference: event.gatewayReference ?? data.gateway_reference } : attempt.data
  const extra = decision.amount.verdict === "overpaid" ? { attention: "overpaid" } : decision.amount.verdict === "within_tolerance" ? { attention: "underpaid_accepted" } : {}
  await ledger.updatePaymentAttempts({
    id: attempt.id,
    status: "paid",
    paid_at: attempt.paid_at ?? new Date(),
    paid_amount: event.amountMinor !== null ? fromMinorUnits(event.amountMinor, attempt.currency, provider.minorUnitOverrides()) : attempt.amount,
    gateway_reference: event.gatewayReference ?? attempt.gateway_reference,
    data: paidData,
    ...extra,
  } as never)
  return settlePaidAttempt(container, registration, {
    ...attempt,
    status: "paid",
    gateway_reference: event.gatewayReference ?? attempt.gateway_reference,
    data: paidData as Record<string, unknown>,
  })
}

/**
 * A paid attempt (from a webhook or reconciliation) goes where it belongs. If its session is still the
 * cart's current payment for the same amount, Medusa's own payment processing runs (the order appears once;
 * the workflow locks the cart). Otherwise (the session was deleted or superseded, the cart is gone or is an
 * order already paid another way) the payment is orphaned: never dropped, refunded after a grace period
 * where the registration asks for it and the gateway can, or flagged for the merchant with what they need.
 */
export async function settlePaidAttempt(container: MedusaContainer, registration: Registration, attempt: AttemptRow): Promise<Settlement> {
  const ledger = requireLedger(container)
  const locking = container.resolve(Modules.LOCKING)
  return locking.execute(ATTEMPT_LOCK(attempt.id), async () => {
    const session = attempt.session_id ? await paymentSession(container, attempt.session_id) : undefined
    if (session && SETTLED.has(session.status)) {
      // Medusa's payment workflow authorizes and captures, releases the cart, then completes it: a process
      // that died in between left a paid session on a cart with no order. Medusa's own completion finishes it
      // (it finds the session authorized and creates the order once, under its cart lock).
      const cartId = attempt.cart_id ?? (await cartIdOfCollection(container, session.payment_collection_id))
      if (cartId && (await cartAwaitingOrder(container, cartId))) {
        await container.resolve(Modules.WORKFLOW_ENGINE).run(COMPLETE_CART_WORKFLOW, { input: { id: cartId } })
        return { outcome: "captured" as const, sessionId: session.id }
      }
      return { outcome: "already_settled" as const, sessionId: session.id }
    }
    const why = session ? orphanReason(container, registration, attempt, session) : "its payment session was deleted (the cart changed)"
    const reason = await why
    if (!reason) {
      await ledger.updatePaymentAttempts({ id: attempt.id, workflow_runs: attempt.workflow_runs + 1 } as never)
      const engine = container.resolve(Modules.WORKFLOW_ENGINE)
      await engine.run(PROCESS_PAYMENT_WORKFLOW, {
        input: { action: PaymentActions.SUCCESSFUL, data: { session_id: session!.id, amount: session!.raw_amount ?? session!.amount } },
      })
      return { outcome: "captured" as const, sessionId: session!.id }
    }
    await orphan(container, registration, ledger, attempt, reason)
    return { outcome: "orphaned" as const, reason }
  }, { timeout: 30, expire: 30 })
}

/** Why a paid attempt cannot become its session's payment, or undefined when it can. */
async function orphanReason(container: MedusaContainer, registration: Registration, attempt: AttemptRow, session: PaymentSessionRow): Promise<string | undefined> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const provider = providerFor(registration, logger)
  const current = provider.readSessionData(session.data)
  if (!current || current.merchant_order_id !== attempt.merchant_order_id) {
    return `its payment session moved on to order ${current?.merchant_order_id ?? "(none)"} (the cart changed)`
  }
  let sessionMinor: bigint
  try {
    sessionMinor = roundToMinorUnits(session.raw_amount ?? session.amount, session.currency_code, provider.minorUnitOverrides())
  } catch {
    return "its payment session has an unreadable amount"
  }
  if (sessionMinor !== toMinorUnits(attempt.amount, attempt.currency, provider.minorUnitOverrides()) || session.currency_code.toUpperCase() !== attempt.currency) {
    return `its payment session is now for ${String(session.raw_amount ? (session.raw_amount as { value?: string }).value : session.amount)} ${session.currency_code.toUpperCase()}, not ${attempt.amount} ${attempt.currency}`
  }
  const cartId = attempt.cart_id ?? (await cartIdOfCollection(container, session.payment_collection_id))
  if (!cartId) return "its cart is gone"
  // A late payment for an order placed first is attached, unless that order was canceled meanwhile.
  if ((await orderOfCart(container, cartId))?.status === "canceled") return "its order was canceled before the payment arrived"
  return undefined
}

/** Records an orphaned payment and how it will be settled (see `settleOrphans` in reconcile for the refund). */
async function orphan(container: MedusaContainer, registration: Registration, ledger: Ledger, attempt: AttemptRow, reason: string): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  if (attempt.attention === "orphaned") return
  const provider = providerFor(registration, logger)
  const policy = provider.orphanPolicy()
  const email = attempt.customer_email ?? (await cartEmail(container, attempt).catch(() => null))
  const refundAt = new Date(Date.now() + policy.graceMinutes * 60_000)
  await ledger.updatePaymentAttempts({
    id: attempt.id,
    attention: "orphaned",
    resolution: policy.refund ? "refund_scheduled" : "flagged",
    customer_email: email,
    next_check_at: policy.refund ? refundAt : null,
    note: `Paid, but ${reason}.`.slice(0, 500),
  } as never)
  logger.error(
    `${registration.providerId}: payment ${attempt.gateway_reference} of ${attempt.amount} ${attempt.currency} for order ${attempt.merchant_order_id} is orphaned: ${reason}. ${
      policy.refund ? `It is refunded automatically after ${refundAt.toISOString()}.` : `Pay it back to ${email ?? "the customer"} (listed under payments needing attention).`
    }`
  )
}

async function cartEmail(container: MedusaContainer, attempt: AttemptRow): Promise<string | null> {
  const cartId = attempt.cart_id
  if (!cartId) return null
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart", fields: ["email"], filters: { id: cartId } })
  return (data[0] as { email?: string } | undefined)?.email ?? null
}
