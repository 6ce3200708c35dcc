import { Module } from "@medusajs/framework/utils"
import productionCheck from "./loaders/production-check"
import { PaymentLedgerService } from "./service"

/** The container key of the payment ledger module. */
export const PAYMENT_LEDGER_MODULE = "paymentLedger"

export default Module(PAYMENT_LEDGER_MODULE, { service: PaymentLedgerService, loaders: [productionCheck] })
