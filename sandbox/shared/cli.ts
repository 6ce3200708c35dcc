/** Helpers for the simulators' standalone entry points (sandbox/<gateway>/cli.ts). */
import type { SimLogger } from "./types"

/** A numeric environment variable, or `fallback` when unset or empty; throws when it is not a number. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number (got "${raw}")`)
  return value
}

/** Logs to the console with an ISO timestamp. */
export function consoleLogger(): SimLogger {
  const stamp = (): string => new Date().toISOString()
  return {
    info: (msg) => console.log(`${stamp()} ${msg}`),
    warn: (msg) => console.warn(`${stamp()} WARN ${msg}`),
  }
}

/** Closes the simulator and exits on SIGINT / SIGTERM. */
export function closeOnSignals(simulator: { close(): Promise<void> }): void {
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`${signal} received, closing`)
    simulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err)
        process.exit(1)
      }
    )
  }
  process.on("SIGINT", () => stop("SIGINT"))
  process.on("SIGTERM", () => stop("SIGTERM"))
}

/** Runs `main`, printing its error and exiting 1 when it fails. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
