import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { providerFor, Registration } from "../providers/manifest"
import { AttemptRow, cartIdOfCollection, paymentSession, requireLedger } from "./store"

/** Medusa's order cancellation (core-flows `cancelOrderWorkflowId`): releases the order's reservations. */
const CANCEL_ORDER_WORKFLOW = "cancel-order"

export type CartOrder = { id: string; status: string; metadata: Record<string, unknown> | null }

/** The order a cart became, if any. */
export async function orderOfCart(container: MedusaContainer, cartId: string): Promise<CartOrder | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart", fields: ["order.id", "order.status", "order.metadata"], filters: { id: cartId } })
  const order = (data[0] as { order?: CartOrder } | undefined)?.order
  return order?.id ? order : undefined
}

/** Attempt statuses after which no money will come (until a late payment proves otherwise). */
const UNPAID = new Set(["expired", "failed", "canceled"])

/**
 * An order placed before its payment (the registration's `orderBeforePayment`) whose payment expired,
 * failed or was refused as underpaid: canceled with its reservations released (`expiredOrders: "cancel"`)
 * or left for the merchant (`"keep"`), once, and marked on the order (metadata `payment`) and in the ledger.
 * A payment that still arrives later is attached to a kept order, and orphaned for a canceled one.
 */
export async function settleUnpaidOrder(container: MedusaContainer, registration: Registration, attemptId: string): Promise<string | undefined> {
  const ledger = requireLedger(container)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const provider = providerFor(registration, logger)
  const policy = provider.orderFirst()
  if (!policy.orderBeforePayment) return undefined
  const [attempt] = (await ledger.listPaymentAttempts({ id: attemptId }, { take: 1 })) as unknown as AttemptRow[]
  if (!attempt || !UNPAID.has(attempt.status) || attempt.resolution?.startsWith("order_")) return undefined
  const session = attempt.session_id ? await paymentSession(container, attempt.session_id) : undefined
  if (!session || provider.readSessionData(session.data)?.merchant_order_id !== attempt.merchant_order_id) return undefined
  const cartId = attempt.cart_id ?? (await cartIdOfCollection(container, session.payment_collection_id))
  const order = cartId ? await orderOfCart(container, cartId) : undefined
  if (!order) return undefined

  const reason = provider.readSessionData(session.data)?.last_error ?? `the payment ${attempt.status}`
  const note = { state: `payment_${attempt.status}`, at: new Date().toISOString(), note: `No payment arrived: ${reason}.`, merchant_order_id: attempt.merchant_order_id }
  const orders = container.resolve(Modules.ORDER) as unknown as { updateOrders(id: string, data: Record<string, unknown>): Promise<unknown> }
  if (policy.expiredOrders === "cancel") {
    // Canceled, then noted on the order and in the ledger. A run that stopped in between (a crash, a lost
    // lock) is finished by the next one: the order is found canceled and only the notes are written.
    if (order.status !== "canceled") await container.resolve(Modules.WORKFLOW_ENGINE).run(CANCEL_ORDER_WORKFLOW, { input: { order_id: order.id } })
    await orders.updateOrders(order.id, { metadata: { ...(order.metadata ?? {}), payment: { ...note, action: "order canceled, reservations released" } } })
    await ledger.updatePaymentAttempts({ id: attempt.id, resolution: "order_canceled", attention: "unpaid_order_canceled" } as never)
    logger.warn(`${registration.providerId}: order ${order.id} was placed before its payment, which ${attempt.status}; the order is canceled (${reason})`)
    return "order canceled"
  }
  if (order.status === "canceled") return undefined
  await orders.updateOrders(order.id, { metadata: { ...(order.metadata ?? {}), payment: { ...note, action: "kept for the merchant" } } })
  await ledger.updatePaymentAttempts({ id: attempt.id, resolution: "order_kept", attention: "unpaid_order" } as never)
  logger.warn(`${registration.providerId}: order ${order.id} was placed before its payment, which ${attempt.status}; kept for you to decide (${reason})`)
  return "order kept"
}
