import { MedusaService } from "@medusajs/framework/utils"
import { LedgerRefund } from "./models/ledger-refund"
import { PaymentAttempt } from "./models/payment-attempt"
import { WebhookDelivery } from "./models/webhook-delivery"

/** The payment ledger's data service (Medusa's generated CRUD for its three models). */
export class PaymentLedgerService extends MedusaService({ PaymentAttempt, LedgerRefund, WebhookDelivery }) {}

export default PaymentLedgerService
