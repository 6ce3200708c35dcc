import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, Modules, PaymentWebhookEvents } from "@medusajs/framework/utils"
import { parseQfpayOptions } from "../../../../providers/qfpay/options"
import { ourRegistrations } from "../../../../providers/registry"
import { QFPAY_ACK_BODY, verifyQfpayNotification } from "../../../../providers/qfpay/webhook"

/** The provider id this route serves; the webhook URL to give QFPay is /hooks/payment/qfpay_qfpay. */
const PROVIDER = "qfpay_qfpay"

/**
 * QFPay retries a notification until it gets HTTP 200 with the exact body `SUCCESS`, while Medusa's generic
 * webhook route answers "OK" to everything. This route, which takes precedence over the generic one for this
 * path, checks the signature first: a valid notification is queued for Medusa's normal webhook processing
 * (`payment.webhook_received`, the same event the generic route emits) and acknowledged with `SUCCESS`; an
 * invalid one is refused with 401 and not acknowledged, so a genuine but garbled delivery is retried.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  const rawOptions = ourRegistrations(req.scope.resolve(ContainerRegistrationKeys.CONFIG_MODULE)).find(
    (r) => r.providerId === `pp_${PROVIDER}`
  )?.options
  if (!rawOptions) {
    logger.error('QFPay notification received but no payment provider with id "qfpay" is configured')
    res.status(503).type("text/plain").send("FAIL")
    return
  }
  const { clientKey } = parseQfpayOptions(rawOptions)
  const verified = verifyQfpayNotification(req.rawBody, req.headers, clientKey)
  if (!verified.ok) {
    logger.warn(`QFPay notification refused: ${verified.reason}`)
    res.status(401).type("text/plain").send("FAIL")
    return
  }
  try {
    const paymentModule = req.scope.resolve(Modules.PAYMENT) as unknown as { options?: Record<string, number> }
    const options = paymentModule.options ?? {}
    const eventBus = req.scope.resolve(Modules.EVENT_BUS)
    await eventBus.emit(
      {
        name: PaymentWebhookEvents.WebhookReceived,
        data: { provider: PROVIDER, payload: { data: req.body, rawData: req.rawBody, headers: req.headers } },
      },
      // Same delay as Medusa's own route: lets a storefront completing the cart right now go first.
      { delay: options.webhook_delay || 5000, attempts: options.webhook_retries || 3 }
    )
  } catch (error) {
    // Not acknowledged: QFPay will deliver it again.
    logger.error(`QFPay notification could not be queued: ${(error as Error).message}`)
    res.status(500).type("text/plain").send("FAIL")
    return
  }
  res.status(200).type("text/plain").send(QFPAY_ACK_BODY)
}
