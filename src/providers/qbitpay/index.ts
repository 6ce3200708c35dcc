import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { QbitpayProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [QbitpayProviderService],
})
