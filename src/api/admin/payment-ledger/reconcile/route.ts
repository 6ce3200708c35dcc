import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { reconcilePendingPayments } from "../../../../sync/reconcile"

/**
 * POST /admin/payment-ledger/reconcile: runs reconciliation now, exactly as the scheduled job does (admin
 * only), and answers with its report. A run already going elsewhere (another instance) makes this one skip:
 * `skippedRun: true`.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const report = await reconcilePendingPayments(req.scope)
  res.json({ report })
}
