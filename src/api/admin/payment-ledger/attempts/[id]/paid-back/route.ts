import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { markOrphanPaidBack } from "../../../../../../ledger/merchant"
import { paidBackRequest, PaidBackBodyType } from "../../../validators"

/**
 * POST /admin/payment-ledger/attempts/:id/paid-back `{ reference, note?, paid_at? }`: an orphaned payment
 * that could not be refunded automatically was paid back by hand; recorded with who, when and the reference.
 */
export const POST = async (req: AuthenticatedMedusaRequest<PaidBackBodyType>, res: MedusaResponse) => {
  const { id, paidBack } = await paidBackRequest(req, "plat_")
  res.json({ refund: await markOrphanPaidBack(req.scope, id, paidBack) })
}
