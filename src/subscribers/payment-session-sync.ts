import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ContainerRegistrationKeys, Modules, PaymentActions, PaymentWebhookEvents } from "@medusajs/framework/utils"
import { isOurProviderId } from "../providers/manifest"
import { syncSessionWithGateway } from "../sync/session-sync"

/** Outcomes Medusa's own webhook handler drops; this subscriber records them on the payment session. */
const IGNORED_BY_CORE = new Set<string>([
  PaymentActions.FAILED,
  PaymentActions.CANCELED,
  PaymentActions.REQUIRES_MORE,
  PaymentActions.PENDING,
])

type WebhookEvent = { provider?: string; payload?: { data?: unknown; rawData?: unknown; headers?: unknown } }

/**
 * Keeps our payment sessions in step with what the gateways report when it is not a payment (core
 * handles `captured`): a failed or expired charge, a dispute, an underpayment. The webhook is verified
 * again by the provider; the session is then updated from the gateway's current state, so a storefront
 * polling the cart sees why the payment did not go through. Never throws: a throw would make the event
 * bus retry a webhook that cannot succeed.
 */
export default async function paymentSessionSync({ event, container }: SubscriberArgs<WebhookEvent>) {
  const input = event.data
  if (!isOurProviderId(input?.provider)) return
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const rawData = input.payload?.rawData as { type?: string; data?: number[] } | undefined
    const payload = rawData?.type === "Buffer" && Array.isArray(rawData.data)
      ? { ...input.payload, rawData: Buffer.from(rawData.data) }
      : input.payload
    const payments = container.resolve(Modules.PAYMENT)
    const result = await payments.getWebhookActionAndData({ provider: input.provider!, payload: payload as never })
    const sessionId = result?.data?.session_id
    if (!sessionId || !IGNORED_BY_CORE.has(result.action)) return
    const synced = await syncSessionWithGateway(container, sessionId)
    logger.info(`Payment session ${sessionId} after ${result.action} webhook from ${input.provider}: ${synced.outcome}`)
  } catch (error) {
    logger.warn(`Payment session sync for a ${input.provider} webhook failed: ${(error as Error).message}`)
  }
}

export const config: SubscriberConfig = {
  event: PaymentWebhookEvents.WebhookReceived,
  context: { subscriberId: "medusa-payments-hk-crypto-session-sync" },
}
