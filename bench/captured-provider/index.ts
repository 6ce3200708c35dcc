import type { ModuleProviderExports } from "@medusajs/framework/types"
import { AbstractPaymentProvider, ModuleProvider, Modules, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"

/**
 * The bench's second floor: Medusa's system provider, except that a payment is captured when it is
 * authorized, as every gateway here settles at once. Cart completion then does Medusa's whole capture
 * bookkeeping (a capture row, the payment and the collection updated) and none of our code, so the gap
 * between it and a gateway registration is what our providers cost, and the gap between it and the system
 * provider is what Medusa charges any captured payment. Registered only when the bench starts the store
 * (BENCH_CAPTURED_PROVIDER=true in medusa-config.ts); not part of the package.
 */
class CapturedBaselineProvider extends AbstractPaymentProvider {
  static identifier = "captured"

  async initiatePayment() {
    return { id: `captured_${Date.now()}_${Math.random().toString(36).slice(2)}`, data: {} }
  }
  async authorizePayment() {
    return { data: {}, status: PaymentSessionStatus.CAPTURED }
  }
  async getPaymentStatus() {
    return { status: PaymentSessionStatus.CAPTURED }
  }
  async retrievePayment() {
    return {}
  }
  async updatePayment() {
    return { data: {} }
  }
  async deletePayment() {
    return { data: {} }
  }
  async capturePayment() {
    return { data: {} }
  }
  async refundPayment() {
    return { data: {} }
  }
  async cancelPayment() {
    return { data: {} }
  }
  async getWebhookActionAndData() {
    return { action: PaymentActions.NOT_SUPPORTED }
  }
}

const provider: ModuleProviderExports = ModuleProvider(Modules.PAYMENT, { services: [CapturedBaselineProvider] })
export default provider
