import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { orderPaymentDetails } from "../../../../../ledger/merchant"
import { ledgerIdProblem } from "../../validators"

/**
 * GET /admin/payment-ledger/orders/:id: the order's payments at our gateways, from the payment ledger (the
 * order widget): gateway and registration, our order id and the gateway's reference, pay type or coin,
 * amounts charged and received, status and last check, refunds with their real state, disputes.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const problem = ledgerIdProblem(req.params.id, "order_")
  if (problem) throw new MedusaError(MedusaError.Types.INVALID_DATA, problem)
  res.json(await orderPaymentDetails(req.scope, req.params.id))
}
