import type { MedusaContainer } from "@medusajs/framework/types"
import { reconcilePendingPayments, reconcileSettings } from "../sync/reconcile"

/**
 * Every few minutes (PAYMENT_RECONCILE_SCHEDULE, default every 5 minutes, or PAYMENT_RECONCILE_INTERVAL_MS):
 * processes webhook deliveries the ledger holds unprocessed, asks the gateways about open payment attempts
 * past the grace period (live sessions and deleted ones alike), completes the paid ones exactly as a
 * webhook would, settles orphaned payments, and marks the expired or failed ones. See src/sync/reconcile.ts.
 */
export default async function reconcilePaymentsJob(container: MedusaContainer) {
  await reconcilePendingPayments(container)
}

export const config = {
  name: "medusa-payments-hk-crypto-reconcile",
  schedule: reconcileSettings().schedule,
}
