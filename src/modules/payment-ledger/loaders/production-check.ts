import { container as appContainer } from "@medusajs/framework"
import type { LoaderOptions } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { productionWarning } from "../../../ledger/production-check"

/** At boot: in production, warns when the modules several instances need are still in-process. */
export default async function productionCheck({ container }: LoaderOptions) {
  let config: unknown
  try {
    config = appContainer.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
  } catch {
    return
  }
  const warning = productionWarning(config)
  if (!warning) return
  const logger = (() => {
    try {
      return container.resolve(ContainerRegistrationKeys.LOGGER)
    } catch {
      return console
    }
  })()
  logger.warn(warning)
}
