import type { MedusaNextFunction, MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { DELIVERY_RECORDED_EVENT, recordDelivery, webhookArrivals, webhookDelayMs } from "../ledger/deliveries"
import { requireLedger } from "../ledger/store"
import type { LoggerLike } from "../lib/http"
import { rawBodyBytes } from "../lib/webhook"
import { isOurProviderId, ourRegistrations, providerFor } from "../providers/manifest"

const REFUSAL_LOG_EVERY_MS = 60_000
const refusals = new Map<string, { loggedAt: number; unlogged: number }>()

/** One log line per registration per minute for refused deliveries, with how many were not logged: a storm of forgeries must not become a storm of log lines. */
function warnRefused(logger: LoggerLike, providerId: string, reason: string, now = Date.now()) {
  const seen = refusals.get(providerId)
  if (seen && now - seen.loggedAt < REFUSAL_LOG_EVERY_MS) {
    seen.unlogged++
    return
  }
  const more = seen?.unlogged ? ` (and ${seen.unlogged} more refused in the last minute)` : ""
  logger.warn(`${providerId} webhook refused: ${reason}${more}`)
  refusals.set(providerId, { loggedAt: now, unlogged: 0 })
}

/**
 * Our registrations' webhooks, on Medusa's own URL `POST /hooks/payment/<identifier>_<id>` (any id): verify
 * the raw bytes, write the delivery to the ledger, then answer the gateway, and process from the record
 * off the request path (the delivery subscriber, after Medusa's usual delay). A delivery already processed
 * is answered at once; a forged or garbled one is refused and not acknowledged. Other providers' webhooks
 * go on to Medusa's own route.
 */
export async function paymentWebhooks(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  const segment = (req.params as { provider?: string } | undefined)?.provider ?? req.path.split("/").pop()
  if (!isOurProviderId(segment)) return next()
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const registration = (await ourRegistrations(req.scope.resolve(ContainerRegistrationKeys.CONFIG_MODULE), logger)).find((r) => r.hookSegment === segment)
  if (!registration) return next()
  webhookArrivals.note()
  const provider = providerFor(registration, logger)
  const raw = rawBodyBytes(req.rawBody) ?? Buffer.alloc(0)
  const reading = provider.readWebhook({ data: (req.body ?? {}) as Record<string, unknown>, rawData: raw, headers: req.headers })
  try {
    const { delivery, duplicate } = await recordDelivery(requireLedger(req.scope), registration.providerId, reading, raw)
    if (!reading.ok && !reading.authentic) {
      warnRefused(logger, registration.providerId, reading.reason)
      const refusal = provider.webhookRefusal()
      res.status(refusal.status).type("text/plain").send(refusal.body)
      return
    }
    const ack = provider.webhookAcknowledgement()
    res.status(ack.status).type("text/plain").send(ack.body)
    // A new delivery is processed from the record after Medusa's usual delay; a gateway's retry of one that
    // failed is tried again now. If this emit is lost (a crash now), the reconciliation job finds the record.
    if ((!duplicate && delivery.status === "received") || (duplicate && delivery.status === "failed")) {
      await req.scope
        .resolve(Modules.EVENT_BUS)
        .emit({ name: DELIVERY_RECORDED_EVENT, data: { id: delivery.id } }, { delay: duplicate ? 0 : webhookDelayMs(), attempts: 3 })
        .catch((error: Error) => logger.warn(`Webhook delivery ${delivery.id} recorded; processing is left to the reconciliation job: ${error.message}`))
    }
  } catch (error) {
    // Nothing durable was written: not acknowledged, so the gateway delivers it again.
    logger.error(`${registration.providerId} webhook could not be recorded: ${(error as Error).message}`)
    if (!res.headersSent) res.status(500).type("text/plain").send("FAIL")
  }
}
