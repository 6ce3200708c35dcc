import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { QuantapayProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [QuantapayProviderService],
})
