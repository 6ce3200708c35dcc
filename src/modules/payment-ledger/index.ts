import type { ModuleExports } from "@medusajs/framework/types"
import { Module } from "@medusajs/framework/utils"
import productionCheck from "./loaders/production-check"
import { PaymentLedgerService } from "./service"

/** The container key of the payment ledger module. */
export const PAYMENT_LEDGER_MODULE = "paymentLedger"

// Typed here: inferred, the emitted declaration of this export was `any`.
const paymentLedgerModule: ModuleExports<typeof PaymentLedgerService> & { linkable: Record<string, any> } = Module(PAYMENT_LEDGER_MODULE, {
  service: PaymentLedgerService,
  loaders: [productionCheck],
})

export default paymentLedgerModule
