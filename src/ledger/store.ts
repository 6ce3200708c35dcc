import { container as appContainer } from "@medusajs/framework"
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { PAYMENT_LEDGER_MODULE } from "../modules/payment-ledger"
import type { PaymentLedgerService } from "../modules/payment-ledger/service"

/**
 * Typed access to the payment ledger (src/modules/payment-ledger) and the few Medusa lookups that go with
 * it. The providers run inside Medusa's payment module, whose container does not hold our module; they
 * reach the ledger through Medusa's application container (`@medusajs/framework` `container`).
 */
export type Ledger = PaymentLedgerService

export type AttemptRow = {
  id: string
  provider_id: string | null
  gateway: string
  merchant_order_id: string
  attempt: number
  session_id: string | null
  payment_collection_id: string | null
  cart_id: string | null
  amount: string
  currency: string
  gateway_reference: string | null
  status: "starting" | "open" | "paid" | "mismatch" | "failed" | "expired" | "canceled" | "refunded"
  detached: "superseded" | "deleted" | null
  attention: string | null
  resolution: string | null
  data: Record<string, unknown> | null
  paid_amount: string | null
  paid_at: Date | string | null
  expires_at: Date | string | null
  last_checked_at: Date | string | null
  next_check_at: Date | string | null
  checks: number
  workflow_runs: number
  customer_email: string | null
  note: string | null
  dispute_status: "open" | "won" | "lost" | null
  disputed_at: Date | string | null
  dispute_closed_at: Date | string | null
  created_at: Date | string
  updated_at: Date | string
}

export type DeliveryRow = {
  id: string
  provider_id: string
  delivery_key: string
  verified: boolean
  kind: string | null
  merchant_order_id: string | null
  gateway_reference: string | null
  event: Record<string, unknown> | null
  status: "received" | "processing" | "processed" | "ignored" | "failed"
  outcome: string | null
  attempts: number
  last_error: string | null
  received_at: Date | string
  processed_at: Date | string | null
  next_attempt_at: Date | string | null
}

export type RefundRow = {
  id: string
  attempt_id: string
  refund_id: string
  amount: string
  currency: string
  status: string
  origin: "medusa" | "orphan" | "gateway"
  gateway_reference: string | null
  note: string | null
  paid_back_at: Date | string | null
  paid_back_by: string | null
  paid_back_reference: string | null
  medusa_refund_id: string | null
  created_at: Date | string
  updated_at?: Date | string
}

/** The ledger in a container, or undefined when the plugin's module is not loaded there. */
export function ledgerIn(container: MedusaContainer = appContainer): Ledger | undefined {
  try {
    return container.hasRegistration(PAYMENT_LEDGER_MODULE) ? container.resolve<Ledger>(PAYMENT_LEDGER_MODULE) : undefined
  } catch {
    return undefined
  }
}

/** The ledger, or a clear error naming what to configure. */
export function requireLedger(container: MedusaContainer): Ledger {
  const ledger = ledgerIn(container)
  if (!ledger) {
    throw new Error(
      'The payment ledger module is not loaded: add { resolve: "medusa-payments-hk-crypto" } to `plugins` in medusa-config (and run `medusa db:migrate`).'
    )
  }
  return ledger
}

export async function attemptByOrderId(ledger: Ledger, gateway: string, merchantOrderId: string): Promise<AttemptRow | undefined> {
  return (await ledger.attemptOfOrder(gateway, merchantOrderId)) as unknown as AttemptRow | undefined
}

export async function refundsOfAttempt(ledger: Ledger, attemptId: string): Promise<RefundRow[]> {
  return (await ledger.listLedgerRefunds({ attempt_id: attemptId }, { order: { created_at: "ASC" } })) as unknown as RefundRow[]
}

export async function attemptById(ledger: Ledger, id: string): Promise<AttemptRow | undefined> {
  const [row] = await ledger.listPaymentAttempts({ id }, { take: 1 })
  return row as unknown as AttemptRow | undefined
}

export async function attemptsOfSession(ledger: Ledger, sessionId: string): Promise<AttemptRow[]> {
  return (await ledger.listPaymentAttempts({ session_id: sessionId }, { order: { attempt: "ASC" } })) as unknown as AttemptRow[]
}

/** A unique-key violation (a concurrent writer got there first). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; type?: string; message?: string } | undefined
  return e?.code === "23505" || e?.type === "duplicate_error" || /already exists|duplicate key|unique/i.test(e?.message ?? "")
}

/** The cart a payment collection belongs to (Medusa keeps the link when the cart changes). */
export async function cartIdOfCollection(container: MedusaContainer, collectionId: string): Promise<string | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart_payment_collection", fields: ["cart_id"], filters: { payment_collection_id: collectionId } })
  return (data[0] as { cart_id?: string } | undefined)?.cart_id
}

export type PaymentSessionRow = {
  id: string
  provider_id: string
  status: string
  data: Record<string, unknown> | null
  amount: unknown
  raw_amount?: unknown
  currency_code: string
  payment_collection_id: string
}

const SESSION_FIELDS = ["id", "provider_id", "status", "data", "amount", "raw_amount", "currency_code", "payment_collection_id"]

/** A payment session by id through Medusa's payment module, or undefined when Medusa deleted it. */
export async function paymentSession(container: MedusaContainer, sessionId: string): Promise<PaymentSessionRow | undefined> {
  const payments = container.resolve(Modules.PAYMENT) as unknown as {
    listPaymentSessions(filters: Record<string, unknown>, config?: Record<string, unknown>): Promise<PaymentSessionRow[]>
  }
  const [session] = await payments.listPaymentSessions({ id: sessionId }, { select: SESSION_FIELDS, take: 1 })
  return session
}
