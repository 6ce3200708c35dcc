import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, Modules, PaymentWebhookEvents } from "@medusajs/framework/utils"
import type { LoggerLike } from "../../../../lib/http"
import { ourRegistrations, providerFor } from "../../../../providers/manifest"
import { QFPAY_ACK_BODY } from "../../../../providers/qfpay/webhook"

/** The provider id this route serves; the webhook URL to give QFPay is /hooks/payment/qfpay_qfpay. */
const PROVIDER = "qfpay_qfpay"

/**
 * QFPay retries a notification until it gets HTTP 200 with the exact body `SUCCESS`, while Medusa's generic
 * webhook route answers "OK" to everything. This route, which takes precedence over the generic one for this
 * path, checks the signature first (the registration's own provider, built once): a valid notification is
 * queued for Medusa's normal webhook processing (`payment.webhook_received`, the same event the generic route
 * emits) and acknowledged with `SUCCESS`; an invalid one is refused with 401 and not acknowledged, so a
 * genuine but garbled delivery is retried.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const registration = (await ourRegistrations(req.scope.resolve(ContainerRegistrationKeys.CONFIG_MODULE), logger)).find(
    (r) => r.providerId === `pp_${PROVIDER}`
  )
  if (!registration) {
    logger.error('QFPay notification received but no payment provider with id "qfpay" is configured')
    res.status(503).type("text/plain").send("FAIL")
    return
  }
  const reading = providerFor(registration, logger).readWebhook({ data: req.body as Record<string, unknown>, rawData: req.rawBody as Buffer, headers: req.headers })
  if (!reading.ok && !reading.authentic) {
    logger.warn(`QFPay notification refused: ${reading.reason}`)
    res.status(401).type("text/plain").send("FAIL")
    return
  }
  try {
    await req.scope.resolve(Modules.EVENT_BUS).emit(
      {
        name: PaymentWebhookEvents.WebhookReceived,
        data: { provider: PROVIDER, payload: { data: req.body, rawData: req.rawBody, headers: req.headers } },
      },
      // Medusa's own route waits 5 s by default so a storefront completing the cart right now goes first.
      { delay: Number(process.env.PAYMENT_WEBHOOK_DELAY_MS) || 5000, attempts: 3 }
    )
  } catch (error) {
    // Not acknowledged: QFPay will deliver it again.
    logger.error(`QFPay notification could not be queued: ${(error as Error).message}`)
    res.status(500).type("text/plain").send("FAIL")
    return
  }
  res.status(200).type("text/plain").send(QFPAY_ACK_BODY)
}
