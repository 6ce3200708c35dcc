import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { cartIdOfCollection } from "../ledger/store"
import { ourRegistrations, providerFor, Registration } from "../providers/manifest"

/**
 * Bringing a payment session in line with what its gateway reports. Shared by webhook processing (for the
 * outcomes Medusa's core ignores: failed, expired, disputed, underpaid) and the reconciliation job (for
 * webhooks that never came). The gateway is always asked for its current state, so a late or
 * out-of-order event cannot move a session backwards, and a session that is already authorized or
 * captured is never touched.
 */

/** Session statuses that mean Medusa already has the payment; nothing here may change them. */
const SETTLED = new Set<string>([PaymentSessionStatus.AUTHORIZED, PaymentSessionStatus.CAPTURED])

export type SyncOutcome =
  | { outcome: "updated"; status: string }
  | { outcome: "unchanged"; status: string }
  | { outcome: "paid" }
  | { outcome: "skipped"; reason: string }

type SessionRow = {
  id: string
  provider_id: string
  status: string
  data: Record<string, unknown> | null
  amount: unknown
  currency_code: string
  payment_collection_id: string
}

type PaymentModule = {
  retrievePaymentSession(id: string, config?: Record<string, unknown>): Promise<SessionRow>
  updatePaymentSession(input: Record<string, unknown>): Promise<unknown>
  listPaymentSessions(filters: Record<string, unknown>, config?: Record<string, unknown>): Promise<SessionRow[]>
}

export function paymentModuleOf(container: MedusaContainer): PaymentModule {
  return container.resolve(Modules.PAYMENT) as unknown as PaymentModule
}

export function registrationsOf(container: MedusaContainer): Promise<Registration[]> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  return ourRegistrations(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE), logger)
}

const SESSION_FIELDS = ["id", "provider_id", "status", "data", "amount", "raw_amount", "currency_code", "payment_collection_id"]

export async function syncSessionWithGateway(container: MedusaContainer, sessionId: string): Promise<SyncOutcome> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const payments = paymentModuleOf(container)
  const first = await payments.retrievePaymentSession(sessionId, { select: SESSION_FIELDS })
  if (SETTLED.has(first.status)) return { outcome: "skipped", reason: `session is ${first.status}` }
  const registration = (await registrationsOf(container)).find((r) => r.providerId === first.provider_id)
  if (!registration) return { outcome: "skipped", reason: `${first.provider_id} is not one of this package's providers` }

  const gateway = await providerFor(registration, logger).getPaymentStatus({ data: first.data ?? {} })
  if (SETTLED.has(gateway.status)) return { outcome: "paid" }

  // Serialise with Medusa's payment processing and cart completion, which lock the cart, then re-read: a
  // payment that landed meanwhile wins over what we were about to write.
  const locking = container.resolve(Modules.LOCKING)
  const cartId = await cartIdOfCollection(container, first.payment_collection_id)
  const write = async (): Promise<SyncOutcome> => {
    const session = await payments.retrievePaymentSession(sessionId, { select: SESSION_FIELDS })
    if (SETTLED.has(session.status)) return { outcome: "skipped", reason: `session became ${session.status}` }
    const sameData = JSON.stringify(session.data ?? {}) === JSON.stringify(gateway.data ?? {})
    // An order placed before its payment keeps its session pending authorization while the payment is on its way.
    const status =
      session.status === PaymentSessionStatus.PENDING_AUTHORIZATION && gateway.status === PaymentSessionStatus.PENDING ? session.status : gateway.status
    if (session.status === status && sameData) return { outcome: "unchanged", status: session.status }
    await payments.updatePaymentSession({
      id: session.id,
      amount: (session as { raw_amount?: unknown }).raw_amount ?? session.amount,
      currency_code: session.currency_code,
      data: gateway.data ?? session.data ?? {},
      status,
    })
    return { outcome: "updated", status }
  }
  return cartId ? locking.execute(cartId, write, { timeout: 30 }) : write()
}
