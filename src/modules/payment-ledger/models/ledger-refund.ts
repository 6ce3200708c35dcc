import { model } from "@medusajs/framework/utils"

/** Every refund sent to a gateway or recorded as owed by the merchant, with its real state. */
export const LedgerRefund = model
  .define("payment_ledger_refund", {
    id: model.id({ prefix: "plrf" }).primaryKey(),
    attempt_id: model.text(),
    /** Our id for the refund at the gateway (derived from Medusa's refund id, or the attempt for an orphan). */
    refund_id: model.text(),
    amount: model.text(),
    currency: model.text(),
    /**
     * succeeded, processing (at the gateway), manual_pending (owed by the merchant), paid_back (the merchant
     * paid it back by hand), unknown (the gateway's answer was lost), unrecorded (made at the gateway, but Medusa
     * refused to record it on the order: see note).
     */
    status: model.text(),
    /** medusa: refunded from Medusa; orphan: an orphaned payment sent back; gateway: made in the gateway's portal. */
    origin: model.enum(["medusa", "orphan", "gateway"]),
    gateway_reference: model.text().nullable(),
    note: model.text().nullable(),
    paid_back_at: model.dateTime().nullable(),
    paid_back_by: model.text().nullable(),
    paid_back_reference: model.text().nullable(),
    /** The Medusa refund this is, once recorded on the order (a refund made in the gateway's portal gets one too). */
    medusa_refund_id: model.text().nullable(),
  })
  .indexes([{ on: ["attempt_id", "refund_id"], unique: true }])
