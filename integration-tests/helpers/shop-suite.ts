import type { MedusaContainer } from "@medusajs/framework/types"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { AxiosInstance } from "axios"
import { freePort } from "../../scripts/database"
import { checkoutApi } from "./checkout"
import { gatewayEnv, resetGateways, startGateways, stopGateways, type GatewayOptions, type Gateways } from "./gateways"
import { adminHeaders, SeededShop } from "./store"

export type ShopSuiteContext<S = SeededShop> = {
  gateways: () => Gateways
  medusaPort: () => number
  api: AxiosInstance
  getContainer: () => MedusaContainer
  shop: () => S
  region: (name: string) => SeededShop["regions"][number]
  admin: () => { headers: Record<string, string> }
  checkout: ReturnType<typeof checkoutApi>
}

/**
 * A store with every registration of the dev store against the three simulators at once (one Medusa boot),
 * seeded by the suite (regions, tax, promotions). The simulators are reset before every test.
 */
export function shopSuite<S = SeededShop>(opts: {
  seed: (container: MedusaContainer) => Promise<S>
  env?: Record<string, string>
  gatewayOptions?: GatewayOptions
  tests: (ctx: ShopSuiteContext<S>) => void
}) {
  let gateways: Gateways
  let medusaPort: number
  let shop: S
  let admin: { headers: Record<string, string> }

  beforeAll(async () => {
    medusaPort = await freePort()
    gateways = await startGateways(medusaPort, opts.gatewayOptions)
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
      // The generic checkout helpers work on a seedShop store; other seeds use their own shopper.
      const asShop = () => shop as unknown as SeededShop
      const store = () => ({ ...asShop(), regionId: asShop().regions[0].id, unitPrice: 0, currency: asShop().regions[0].currency })
      opts.tests({
        gateways: () => gateways,
        medusaPort: () => medusaPort,
        api,
        getContainer,
        shop: () => shop,
        region: (name) => {
          const found = asShop().regions?.find((r) => r.name === name)
          if (!found) throw new Error(`no region ${name}`)
          return found
        },
        admin: () => admin,
        checkout: checkoutApi(api, getContainer, store, () => admin),
      })
    },
  })
}
