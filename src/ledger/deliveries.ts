import { createHash } from "node:crypto"
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { createArrivalRate } from "../lib/limiter"
import type { GatewayEvent, WebhookReading } from "../lib/payment-event"
import { ourRegistrations, providerFor, Registration } from "../providers/manifest"
import { syncSessionWithGateway } from "../sync/session-sync"
import { recordGatewayRefund } from "./gateway-refunds"
import { settleUnpaidOrder } from "./orders"
import { SETTLED, settlePaidAttempt, settlePaymentEvent } from "./settle"
import { attemptByOrderId, DeliveryRow, Ledger, paymentSession, requireLedger } from "./store"

/** The event our webhook routes emit once a delivery is recorded; the delivery subscriber processes it. */
export const DELIVERY_RECORDED_EVENT = "medusa-payments-hk-crypto.webhook_delivery.recorded"

const DELIVERY_LOCK = (id: string) => `medusa-payments-hk-crypto:delivery:${id}`

/** How long after receipt a delivery is processed (Medusa's own webhook delay: a storefront completing the cart right now goes first). */
export function webhookDelayMs(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.PAYMENT_WEBHOOK_DELAY_MS)
  return Number.isInteger(n) && n >= 0 && n <= 600_000 ? n : 5000
}

/** How many deliveries one process works on at once (PAYMENT_WEBHOOK_CONCURRENCY, default 4). */
export function processingConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.PAYMENT_WEBHOOK_CONCURRENCY)
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : 4
}

/**
 * Above this many webhooks a second at one process (PAYMENT_WEBHOOK_BURST_PER_SECOND, default 20; 0: never),
 * the process answers them first and holds back processing recorded ones until the burst is over, at most
 * 30 s per delivery. A gateway replaying a backlog then gets fast answers (and stops retrying), instead of
 * answers that wait behind the processing of everything it sent before.
 */
export function burstPerSecond(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.PAYMENT_WEBHOOK_BURST_PER_SECOND)
  return env.PAYMENT_WEBHOOK_BURST_PER_SECOND !== undefined && env.PAYMENT_WEBHOOK_BURST_PER_SECOND !== "" && Number.isInteger(n) && n >= 0 ? n : 20
}

/** Webhooks of ours this process received in the last second (counted by the webhook route). */
export const webhookArrivals = createArrivalRate()

/** Whether this process is in a webhook burst, so that processing recorded deliveries may wait. */
export function inWebhookBurst(limit = burstPerSecond()): boolean {
  return limit > 0 && webhookArrivals.perSecond() > limit
}

/** The event as stored: amounts as strings (JSON has no bigint). */
export function storedEvent(event: GatewayEvent): Record<string, unknown> {
  return { ...event, amountMinor: event.amountMinor === null ? null : event.amountMinor.toString() }
}

export function eventFromStore(stored: Record<string, unknown>): GatewayEvent {
  const amount = stored.amountMinor
  return { ...(stored as unknown as GatewayEvent), amountMinor: typeof amount === "string" && /^\d+$/.test(amount) ? BigInt(amount) : null }
}

/** What the webhook route needs of a recorded delivery to answer and to decide whether to process it. */
export type RecordedDelivery = Pick<DeliveryRow, "id" | "status">
export type Recorded = { delivery: RecordedDelivery; duplicate: boolean }

/**
 * Writes a delivery before the gateway is answered: verified ones keyed by what happened (the gateway's
 * retries are the same row), unverified ones by a digest of their body (a replayed forgery is one row, and
 * nothing of it is kept but the digest). A delivery already recorded is returned as it is, so a processed
 * one is answered at once without running anything again.
 */
export async function recordDelivery(ledger: Ledger, providerId: string, reading: WebhookReading, rawBody: Buffer, now = new Date()): Promise<Recorded> {
  const key = reading.ok ? reading.event.key : `unverified:${createHash("sha256").update(rawBody).digest("hex").slice(0, 40)}`
  const settled = settledDeliveries.get(providerId, key)
  if (settled) return { delivery: settled, duplicate: true }
  const { delivery, duplicate } = await ledger.recordDeliveryOnce({
    provider_id: providerId,
    delivery_key: key,
    verified: reading.ok || !!reading.authentic,
    kind: reading.ok ? reading.event.kind : null,
    merchant_order_id: reading.ok ? reading.event.merchantOrderId : null,
    gateway_reference: reading.ok ? reading.event.gatewayReference : null,
    event: reading.ok ? storedEvent(reading.event) : null,
    status: reading.ok ? "received" : "ignored",
    outcome: reading.ok ? null : reading.reason.slice(0, 300),
    received_at: now,
    processed_at: reading.ok ? null : now,
  })
  settledDeliveries.remember({ ...delivery, provider_id: providerId, delivery_key: key })
  return { delivery, duplicate }
}

/**
 * Deliveries whose processing is over (processed or ignored: a status that never changes again), kept in
 * this process, so a gateway retrying them is answered without a database round trip. Only the id and
 * status are kept (not the event), so the memory is small and fixed per entry. Bounded: the oldest are
 * forgotten first, and a forgotten one is simply looked up again.
 */
export const settledDeliveries = (() => {
  const LIMIT = 20_000
  const rows = new Map<string, RecordedDelivery>()
  const name = (providerId: string, key: string) => `${providerId}\u0000${key}`
  return {
    get: (providerId: string, key: string) => rows.get(name(providerId, key)),
    remember(row: Pick<DeliveryRow, "id" | "status" | "provider_id" | "delivery_key">) {
      if (row.status !== "processed" && row.status !== "ignored") return
      rows.set(name(row.provider_id, row.delivery_key), { id: row.id, status: row.status })
      if (rows.size > LIMIT) rows.delete(rows.keys().next().value as string)
    },
    clear: () => rows.clear(),
  }
})()

/**
 * Retry spacing of a delivery whose processing failed: 30 s, 1, 2, 4 ... minutes, at most an hour. One that
 * failed only because a lock was held is tried again in 30 s each time: after a crash Medusa's cart lock
 * lives on for up to 2 minutes, and backing off past that would only delay the order.
 */
export function retryDelayMs(attempts: number, error = ""): number {
  if (/acquir(e|ing) lock/i.test(error)) return 30_000
  return Math.min(60 * 60_000, 30_000 * 2 ** Math.max(0, attempts - 1))
}

export type DeliveryOutcome = { status: DeliveryRow["status"]; outcome: string }

/**
 * Processes one recorded delivery, at most once at a time across instances (Medusa's locking) and once in
 * all (a processed delivery is left alone). A failure is recorded with the next time to try; the
 * reconciliation job retries it from the record.
 */
export async function processDelivery(container: MedusaContainer, deliveryId: string): Promise<DeliveryOutcome | undefined> {
  const ledger = requireLedger(container)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const locking = container.resolve(Modules.LOCKING)
  return locking.execute(
    DELIVERY_LOCK(deliveryId),
    async () => {
      // Marked processing and counted in one statement; nothing when its processing is over.
      const delivery = (await ledger.takeDelivery(deliveryId)) as unknown as DeliveryRow | undefined
      if (!delivery?.event) return undefined
      try {
        const registration = (await ourRegistrations(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE), logger)).find(
          (r) => r.providerId === delivery.provider_id
        )
        if (!registration) throw new Error(`${delivery.provider_id} is not configured any more`)
        const result = await handleEvent(container, registration, eventFromStore(delivery.event))
        await ledger.patchDelivery(delivery.id, { ...result, processed_at: new Date(), last_error: null, next_attempt_at: null })
        settledDeliveries.remember({ ...delivery, ...result })
        return result
      } catch (error) {
        const message = (error as Error).message ?? String(error)
        logger.warn(`Webhook delivery ${delivery.id} (${delivery.provider_id} ${delivery.delivery_key}) failed to process and will be retried: ${message}`)
        await ledger.patchDelivery(delivery.id, {
          status: "failed",
          last_error: message.slice(0, 500),
          next_attempt_at: new Date(Date.now() + retryDelayMs(delivery.attempts, message)),
        })
        return { status: "failed" as const, outcome: message }
      }
    },
    { timeout: 10, expire: 30 }
  )
}

/** What a verified event means for our attempts and Medusa's sessions. */
async function handleEvent(container: MedusaContainer, registration: Registration, event: GatewayEvent): Promise<DeliveryOutcome> {
  if (event.kind === "paid") {
    const settled = await settlePaymentEvent(container, registration, event)
    const status = settled.outcome === "unknown_order" ? "ignored" : "processed"
    return { status, outcome: "reason" in settled ? `${settled.outcome}: ${settled.reason}` : settled.outcome }
  }
  if (event.kind === "refunded") {
    const ledger = requireLedger(container)
    const attempt = event.merchantOrderId ? await attemptByOrderId(ledger, registration.identifier, event.merchantOrderId) : undefined
    if (!attempt) return { status: "ignored", outcome: `refund of order ${JSON.stringify(event.merchantOrderId)}, which is no attempt of ours` }
    if (!event.refundReference || event.amountMinor === null || !event.currency) return { status: "ignored", outcome: "refund notification without a reference or amount" }
    const outcome = await recordGatewayRefund(container, registration, attempt, {
      reference: event.refundReference,
      paymentReference: event.gatewayReference,
      amountMinor: event.amountMinor,
      currency: event.currency,
      merchantRefundId: event.refundMerchantId ?? null,
      source: `${registration.providerId} refund notification`,
    })
    return { status: "processed", outcome }
  }
  // Failed, expired, disputed, pending...: the session's current state is read from the gateway and written.
  const ledger = requireLedger(container)
  const attempt = event.merchantOrderId ? await attemptByOrderId(ledger, registration.identifier, event.merchantOrderId) : undefined
  if (!attempt?.session_id) return { status: "ignored", outcome: `no attempt for order ${JSON.stringify(event.merchantOrderId)}` }
  const session = await paymentSession(container, attempt.session_id)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const current = session && providerFor(registration, logger).readSessionData(session.data)?.merchant_order_id === attempt.merchant_order_id
  if (!session || !current) {
    const refreshed = await providerFor(registration, logger).getPaymentStatus({ data: attempt.data ?? {} })
    if (SETTLED.has(refreshed.status)) {
      const settled = await settlePaidAttempt(container, registration, { ...attempt, status: "paid", data: refreshed.data ?? attempt.data })
      return { status: "processed", outcome: `${event.kind}, but the gateway says paid: ${settled.outcome}` }
    }
    return { status: "processed", outcome: `${event.kind}: attempt of a ${session ? "superseded" : "deleted"} session, now ${String(refreshed.data?.status)}` }
  }
  const synced = await syncSessionWithGateway(container, session.id)
  if (synced.outcome === "paid") {
    const settled = await settlePaidAttempt(container, registration, { ...attempt, status: "paid" })
    return { status: "processed", outcome: `${event.kind}, but the gateway says paid: ${settled.outcome}` }
  }
  const order = await settleUnpaidOrder(container, registration, attempt.id)
  return { status: "processed", outcome: `${event.kind}: session ${synced.outcome}${order ? `; ${order}` : ""}` }
}
