import { Modules } from "@medusajs/framework/utils"

/**
 * Several Medusa instances (a server and workers) only work as one through Medusa's distributed modules:
 * the event bus carries recorded webhook deliveries to be processed, locking keeps two instances from
 * settling the same payment or running reconciliation at once, and the workflow engine runs the scheduled
 * job once per schedule. This names, for a production config, the ones still in-process.
 */
export function inProcessModules(configModule: unknown): string[] {
  const modules = ((configModule as { modules?: Record<string, unknown> })?.modules ?? {}) as Record<string, unknown>
  const resolveOf = (key: string): string => {
    const entry = modules[key] as { resolve?: unknown } | boolean | undefined
    return entry && typeof entry === "object" && typeof entry.resolve === "string" ? entry.resolve : ""
  }
  const lockingProviders = (() => {
    const entry = modules[Modules.LOCKING] as { options?: { providers?: Array<{ resolve?: unknown }> } } | undefined
    return (entry?.options?.providers ?? []).map((p) => String(p?.resolve ?? ""))
  })()
  const problems: string[] = []
  if (!/event-bus-redis/.test(resolveOf(Modules.EVENT_BUS))) problems.push("the event bus (use @medusajs/medusa/event-bus-redis)")
  if (!lockingProviders.some((r) => /locking-(redis|postgres)/.test(r))) {
    problems.push("locking (use @medusajs/medusa/locking with the @medusajs/medusa/locking-redis provider)")
  }
  if (!/workflow-engine-redis/.test(resolveOf(Modules.WORKFLOW_ENGINE))) problems.push("the workflow engine (use @medusajs/medusa/workflow-engine-redis)")
  return problems
}

export function productionWarning(configModule: unknown, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.NODE_ENV !== "production") return undefined
  const problems = inProcessModules(configModule)
  if (!problems.length) return undefined
  return (
    `medusa-payments-hk-crypto: NODE_ENV is production but these Medusa modules are in-process: ${problems.join("; ")}. ` +
    "With more than one Medusa instance, webhook processing, payment locks and the reconciliation job are then not coordinated between them. " +
    "Configure them in medusa-config (README: Production) even for a single instance, so adding one later is safe."
  )
}
