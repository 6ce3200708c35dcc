import type { MedusaContainer } from "@medusajs/framework/types"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { AxiosInstance } from "axios"
import { freePort } from "../../scripts/database"
import { checkoutApi } from "./checkout"
import { gatewayEnv, resetGateways, startGateways, stopGateways, type Gateways } from "./gateways"
import { adminHeaders, SeededShop } from "./store"

export type ShopSuiteContext = {
  gateways: () => Gateways
  medusaPort: () => number
  api: AxiosInstance
  getContainer: () => MedusaContainer
  shop: () => SeededShop
  region: (name: string) => SeededShop["regions"][number]
  admin: () => { headers: Record<string, string> }
  checkout: ReturnType<typeof checkoutApi>
}

/**
 * A store with every registration of the dev store against the three simulators at once (one Medusa boot),
 * seeded by the suite (regions, tax, promotions). The simulators are reset before every test.
 */
export function shopSuite(opts: {
  seed: (container: MedusaContainer) => Promise<SeededShop>
  env?: Record<string, string>
  tests: (ctx: ShopSuiteContext) => void
}) {
  let gateways: Gateways
  let medusaPort: number
  let shop: SeededShop
  let admin: { headers: Record<string, string> }

  beforeAll(async () => {
    medusaPort = await freePort()
    gateways = await startGateways(medusaPort)
    Object.assign(process.env, { PORT: String(medusaPort), ...gatewayEnv(gateways, medusaPort), ...(opts.env ?? {}) })
  })

  afterAll(async () => {
    await stopGateways(gateways)
  })

  medusaIntegrationTestRunner({
    inApp: true,
    env: {},
    testSuite: ({ api, getContainer }) => {
      beforeAll(async () => {
        shop = await opts.seed(getContainer())
        admin = await adminHeaders(getContainer())
      })
      beforeEach(() => resetGateways(gateways))
      const store = () => ({ ...shop, regionId: shop.regions[0].id, unitPrice: 0, currency: shop.regions[0].currency })
      opts.tests({
        gateways: () => gateways,
        medusaPort: () => medusaPort,
        api,
        getContainer,
        shop: () => shop,
        region: (name) => {
          const found = shop.regions.find((r) => r.name === name)
          if (!found) throw new Error(`no region ${name}`)
          return found
        },
        admin: () => admin,
        checkout: checkoutApi(api, getContainer, store, () => admin),
      })
    },
  })
}
