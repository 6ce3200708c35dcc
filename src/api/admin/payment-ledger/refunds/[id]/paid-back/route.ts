import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { markRefundPaidBack } from "../../../../../../ledger/merchant"
import { paidBackRequest, PaidBackBodyType } from "../../../validators"

/**
 * POST /admin/payment-ledger/refunds/:id/paid-back `{ reference, note?, paid_at? }`: "Mark manual refund as
 * paid back". A refund the merchant owed (no money moved when it was made in Medusa) was paid back by hand;
 * recorded in the ledger with who, when and the reference (e.g. the transaction hash).
 */
export const POST = async (req: AuthenticatedMedusaRequest<PaidBackBodyType>, res: MedusaResponse) => {
  const { id, paidBack } = await paidBackRequest(req, "plrf_")
  res.json({ refund: await markRefundPaidBack(req.scope, id, paidBack) })
}
