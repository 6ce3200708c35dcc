import type { ModuleProviderExports } from "@medusajs/framework/types"
import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import type { z } from "zod"
import type { qbitpayOptionsSchema } from "./options"
import { QbitpayProviderService } from "./service"

/** The options a store passes to this provider in medusa-config (before defaults), and after parsing. */
export type QbitpayOptionsInput = z.input<typeof qbitpayOptionsSchema>
export type { QbitpayOptions } from "./options"

// Typed here so the declaration names ModuleProviderExports through the framework (a store resolves
// @medusajs/framework, not necessarily @medusajs/types).
const provider: ModuleProviderExports = ModuleProvider(Modules.PAYMENT, {
  services: [QbitpayProviderService],
})

export default provider
