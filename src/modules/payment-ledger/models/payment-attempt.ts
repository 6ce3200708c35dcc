import { model } from "@medusajs/framework/utils"

/**
 * Every attempt we start at a gateway, written before anything is shown to the shopper and kept whatever
 * Medusa does to its payment session. This, not session data, is what we know was sent to a gateway: a
 * payment for a deleted or superseded session is found through it and refunded or flagged, never dropped.
 */
export const PaymentAttempt = model
  .define("payment_ledger_attempt", {
    id: model.id({ prefix: "plat" }).primaryKey(),
    /** The registration, e.g. `pp_qfpay_qfpay-direct` (null until known). */
    provider_id: model.text().nullable(),
    /** The provider identifier: `qfpay`, `quantapay`, `qbitpay`. */
    gateway: model.text(),
    /** Our id at the gateway (unique per gateway). */
    merchant_order_id: model.text(),
    attempt: model.number(),
    session_id: model.text().nullable(),
    payment_collection_id: model.text().nullable(),
    cart_id: model.text().nullable(),
    /** What the gateway was asked to charge: an exact decimal in the currency's minor unit. */
    amount: model.text(),
    currency: model.text(),
    gateway_reference: model.text().nullable(),
    /**
     * starting: being created at the gateway; open: payable; paid: money arrived; mismatch: money arrived
     * for another amount; failed, expired, canceled: will not be paid; refunded: all money went back.
     */
    status: model.enum(["starting", "open", "paid", "mismatch", "failed", "expired", "canceled", "refunded"]).default("starting"),
    /** Why the session no longer carries this attempt: superseded (a new attempt), deleted (the session went). */
    detached: model.enum(["superseded", "deleted"]).nullable(),
    /** What a merchant must look at: orphaned, refund_owed, duplicate, amount_mismatch, ... (null = nothing). */
    attention: model.text().nullable(),
    /** How an orphaned payment is being settled: refund_scheduled, refunded, refund_failed, flagged. */
    resolution: model.text().nullable(),
    /** The provider's session data as last known, so the gateway can be asked after the session is gone. */
    data: model.json().nullable(),
    paid_amount: model.text().nullable(),
    paid_at: model.dateTime().nullable(),
    expires_at: model.dateTime().nullable(),
    /** When reconciliation asked the gateway last, and when it should ask next. */
    last_checked_at: model.dateTime().nullable(),
    next_check_at: model.dateTime().nullable(),
    checks: model.number().default(0),
    /** How often Medusa's payment workflow was run for this attempt (it must be once per payment). */
    workflow_runs: model.number().default(0),
    /** The shopper's email from the cart, for paying an orphaned payment back by hand. */
    customer_email: model.text().nullable(),
    note: model.text().nullable(),
    /** A dispute (arbitration) at the gateway: open, won (the payment stands) or lost (it does not). */
    dispute_status: model.text().nullable(),
    disputed_at: model.dateTime().nullable(),
    dispute_closed_at: model.dateTime().nullable(),
  })
  .indexes([
    { on: ["gateway", "merchant_order_id"], unique: true },
    { on: ["session_id"] },
    { on: ["status", "next_check_at"] },
    { on: ["attention"] },
  ])
