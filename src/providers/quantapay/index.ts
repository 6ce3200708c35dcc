import type { ModuleProviderExports } from "@medusajs/framework/types"
import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import type { z } from "zod"
import type { quantapayOptionsSchema } from "./options"
import { QuantapayProviderService } from "./service"

/** The options a store passes to this provider in medusa-config (before defaults), and after parsing. */
export type QuantapayOptionsInput = z.input<typeof quantapayOptionsSchema>
export type { QuantapayOptions } from "./options"

// Typed here so the declaration names ModuleProviderExports through the framework (a store resolves
// @medusajs/framework, not necessarily @medusajs/types).
const provider: ModuleProviderExports = ModuleProvider(Modules.PAYMENT, {
  services: [QuantapayProviderService],
})

export default provider
