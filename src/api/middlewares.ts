import { defineMiddlewares, validateAndTransformBody, type MedusaNextFunction, type MedusaRequest, type MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { isOurProviderId, ourRegistrations, providerFor } from "../providers/manifest"
import { PaidBackBody } from "./admin/payment-ledger/validators"
import { paymentWebhooks } from "./webhooks"

/**
 * Storefront input is untrusted and Medusa stores a new session's `data` before any provider sees it: a NUL
 * byte there is a database error (HTTP 500), an unknown key is kept as sent. For our providers the data is
 * checked here first against the provider's allow-list, and bad input is a 400 that says what to send.
 */
async function checkStorefrontPaymentData(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  const body = req.body as { provider_id?: unknown; data?: unknown } | undefined
  if (!isOurProviderId(body?.provider_id)) return next()
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const registration = (await ourRegistrations(req.scope.resolve(ContainerRegistrationKeys.CONFIG_MODULE), logger)).find(
    (r) => r.providerId === body?.provider_id
  )
  if (!registration) return next()
  const problem = providerFor(registration, logger).storefrontInputProblem(body?.data)
  if (problem) {
    res.status(400).json({ type: MedusaError.Types.INVALID_DATA, message: problem })
    return
  }
  next()
}

export default defineMiddlewares({
  routes: [
    {
      // Our registrations' webhooks (signatures are checked on the exact bytes received); any other
      // provider's go on to Medusa's own route.
      method: ["POST"],
      matcher: "/hooks/payment/:provider",
      bodyParser: { preserveRawBody: true },
      middlewares: [paymentWebhooks],
    },
    {
      method: ["POST"],
      matcher: "/store/payment-collections/:id/payment-sessions",
      middlewares: [checkStorefrontPaymentData],
    },
    // The payment ledger's admin routes (behind Medusa's admin authentication like every /admin route).
    { method: ["POST"], matcher: "/admin/payment-ledger/refunds/:id/paid-back", middlewares: [validateAndTransformBody(PaidBackBody)] },
    { method: ["POST"], matcher: "/admin/payment-ledger/attempts/:id/paid-back", middlewares: [validateAndTransformBody(PaidBackBody)] },
  ],
})
