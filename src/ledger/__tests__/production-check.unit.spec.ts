import path from "node:path"
import { inProcessModules, productionWarning } from "../production-check"

/** The dev store's own medusa-config.ts, loaded as Medusa loads it, with the given environment. */
function devStoreConfig(env: Record<string, string | undefined>) {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]
  try {
    let config: unknown
    jest.isolateModules(() => {
      config = require(path.join(__dirname, "../../../medusa-config"))
    })
    return config
  } finally {
    process.env = saved
  }
}

describe("production check: the modules several instances need", () => {
  it("names the event bus, locking and the workflow engine when Redis is not configured", () => {
    const config = devStoreConfig({ REDIS_URL: undefined })
    expect(inProcessModules(config)).toEqual([
      "the event bus (use @medusajs/medusa/event-bus-redis)",
      "locking (use @medusajs/medusa/locking with the @medusajs/medusa/locking-redis provider)",
      "the workflow engine (use @medusajs/medusa/workflow-engine-redis)",
    ])
    expect(productionWarning(config, { NODE_ENV: "production" })).toMatch(
      /^medusa-payments-hk-crypto: NODE_ENV is production but these Medusa modules are in-process: the event bus .*; locking .*; the workflow engine/
    )
  })

  it("is quiet with Medusa's Redis modules, and outside production", () => {
    const withRedis = devStoreConfig({ REDIS_URL: "redis://127.0.0.1:6379" })
    expect(inProcessModules(withRedis)).toEqual([])
    expect(productionWarning(withRedis, { NODE_ENV: "production" })).toBeUndefined()
    expect(productionWarning(devStoreConfig({ REDIS_URL: undefined }), { NODE_ENV: "development" })).toBeUndefined()
  })

  it("accepts the PostgreSQL locking provider, which also locks across instances", () => {
    const config = { modules: { event_bus: { resolve: "@medusajs/medusa/event-bus-redis" }, workflows: { resolve: "@medusajs/medusa/workflow-engine-redis" }, locking: { resolve: "@medusajs/medusa/locking", options: { providers: [{ resolve: "@medusajs/medusa/locking-postgres" }] } } } }
    expect(inProcessModules(config)).toEqual([])
  })
})
