import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { checkAttemptNow } from "../../../../../../sync/reconcile"
import { ledgerIdProblem } from "../../../validators"

/**
 * POST /admin/payment-ledger/attempts/:id/check: "Check with gateway". Asks the gateway about this payment
 * now, through the code the reconciliation job runs: a payment that arrived without its webhook is captured
 * on its order; a paid one is asked for refunds made outside Medusa where the gateway can tell.
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const problem = ledgerIdProblem(req.params.id, "plat_")
  if (problem) throw new MedusaError(MedusaError.Types.INVALID_DATA, problem)
  res.json({ check: await checkAttemptNow(req.scope, req.params.id) })
}
