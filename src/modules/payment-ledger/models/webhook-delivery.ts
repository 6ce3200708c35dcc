import { model } from "@medusajs/framework/utils"

/**
 * Every webhook delivery, written before the gateway is answered and processed from here, so an event is
 * neither lost (a crash after the answer) nor run twice (gateways retry). Never a secret: the event is the
 * typed reading of the verified body, not the body.
 */
export const WebhookDelivery = model
  .define("payment_ledger_delivery", {
    id: model.id({ prefix: "pldl" }).primaryKey(),
    /** The registration the webhook URL belongs to, e.g. `pp_qfpay_qfpay`. */
    provider_id: model.text(),
    /** What happened, named stably by the gateway's event (unique per registration). */
    delivery_key: model.text(),
    verified: model.boolean(),
    kind: model.text().nullable(),
    merchant_order_id: model.text().nullable(),
    gateway_reference: model.text().nullable(),
    /** The verified event (lib/payment-event), amounts as strings. */
    event: model.json().nullable(),
    /** received -> processing -> processed | ignored; failed is retried. */
    status: model.enum(["received", "processing", "processed", "ignored", "failed"]).default("received"),
    outcome: model.text().nullable(),
    attempts: model.number().default(0),
    last_error: model.text().nullable(),
    received_at: model.dateTime(),
    processed_at: model.dateTime().nullable(),
    next_attempt_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ["provider_id", "delivery_key"], unique: true }, { on: ["status", "next_attempt_at"] }])
