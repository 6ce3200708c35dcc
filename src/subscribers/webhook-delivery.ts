import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { burstPerSecond, DELIVERY_RECORDED_EVENT, inWebhookBurst, processDelivery, processingConcurrency } from "../ledger/deliveries"
import { createLimiter } from "../lib/limiter"

// A burst of deliveries (a gateway retrying a backlog) is processed a few at a time, and none starts while
// the burst is still arriving (up to 30 s), so this process keeps answering webhooks and shoppers
// meanwhile; the rest wait here, recorded and safe in the ledger.
const burst = burstPerSecond()
const processing = createLimiter(processingConcurrency(), { holdWhile: () => inWebhookBurst(burst), maxHoldMs: 30_000 })

/**
 * Processes a webhook delivery our routes recorded in the payment ledger: a payment settles its attempt
 * (an order through Medusa's own payment workflow, or an orphaned payment), other events bring the session
 * in line with the gateway. Never throws: a failure is kept on the delivery and retried from the ledger by
 * the reconciliation job, instead of by the event bus.
 */
export default async function webhookDeliverySubscriber({ event, container }: SubscriberArgs<{ id?: string }>) {
  const id = event.data?.id
  if (!id) return
  try {
    await processing.run(() => processDelivery(container, id))
  } catch (error) {
    container.resolve(ContainerRegistrationKeys.LOGGER).warn(`Webhook delivery ${id} is left to the reconciliation job: ${(error as Error).message}`)
  }
}

export const config: SubscriberConfig = {
  event: DELIVERY_RECORDED_EVENT,
  context: { subscriberId: "medusa-payments-hk-crypto-webhook-delivery" },
}
