import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { QfpayProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [QfpayProviderService],
})
