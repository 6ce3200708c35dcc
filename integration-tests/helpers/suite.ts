import type { MedusaContainer } from "@medusajs/framework/types"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import type { AxiosInstance } from "axios"
import { freePort } from "../../scripts/database"
import { checkoutApi } from "./checkout"
import { adminHeaders, seedStore, SeededStore } from "./store"

type Simulator = { url: string; close(): Promise<void>; reset(): void }

export type GatewaySuiteContext<S extends Simulator> = {
  sim: () => S
  medusaPort: () => number
  api: AxiosInstance
  getContainer: () => MedusaContainer
  store: () => SeededStore
  admin: () => { headers: Record<string, string> }
  checkout: ReturnType<typeof checkoutApi>
}

/**
 * One provider's end-to-end suite: its simulator on a free loopback port, Medusa (booted by Medusa's own
 * test runner on the embedded PostgreSQL) configured through the same environment variables the root
 * medusa-config.ts reads, a seeded store with a region using the provider, and an admin. The simulator
 * starts before Medusa boots so the config sees its URL; it is reset before every test.
 */
export function gatewaySuite<S extends Simulator>(opts: {
  startSimulator: (medusaPort: number) => Promise<S>
  env: (sim: S, medusaPort: number) => Record<string, string>
  region: { currency: string; countries: string[]; providers: string[]; unitPrice: number; regionName: string }
  tests: (ctx: GatewaySuiteContext<S>) => void
}) {
  let sim: S
  let medusaPort: number
  let store: SeededStore
  let admin: { headers: Record<string, string> }

  beforeAll(async () => {
    medusaPort = await freePort()
    sim = await opts.startSimulator(medusaPort)
    Object.assign(process.env, { PORT: String(medusaPort), ...opts.env(sim, medusaPort) })
  })

  afterAll(async () => {
    await sim?.close()
  })

  medusaIntegrationTestRunner({
    inApp: true,
    env: {},
    testSuite: ({ api, getContainer }) => {
      beforeAll(async () => {
        store = await seedStore(getContainer(), opts.region)
        admin = await adminHeaders(getContainer())
      })
      beforeEach(() => sim.reset())
      opts.tests({
        sim: () => sim,
        medusaPort: () => medusaPort,
        api,
        getContainer,
        store: () => store,
        admin: () => admin,
        checkout: checkoutApi(api, getContainer, () => store, () => admin),
      })
    },
  })
}
