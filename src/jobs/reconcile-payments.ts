import type { MedusaContainer } from "@medusajs/framework/types"
import { reconcilePendingPayments, reconcileSettings } from "../sync/reconcile"

/**
 * Every few minutes (PAYMENT_RECONCILE_SCHEDULE, default every 5 minutes): asks the gateways about our
 * payment sessions still pending past the grace period, completes the paid ones exactly as a webhook would,
 * and marks the expired or failed ones. See src/sync/reconcile.ts.
 */
export default async function reconcilePaymentsJob(container: MedusaContainer) {
  await reconcilePendingPayments(container)
}

export const config = {
  name: "medusa-payments-hk-crypto-reconcile",
  schedule: reconcileSettings().schedule,
}
