/**
 * Runs the QFPay simulator standalone:
 *   npx ts-node --transpile-only sandbox/qfpay/cli.ts
 * Env: QFPAY_SIM_PORT (9301), QFPAY_APP_CODE (SIMAPPCODE), QFPAY_CLIENT_KEY (sim-client-key-change-me),
 *      QFPAY_MCHID (optional), QFPAY_NOTIFY_URL (optional standing notify URL), QFPAY_SIM_TIME_SCALE (1).
 */
import { startQfpaySimulator } from "./server"

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number (got "${raw}")`)
  return value
}

async function main(): Promise<void> {
  const stamp = (): string => new Date().toISOString()
  const simulator = await startQfpaySimulator({
    port: envNumber("QFPAY_SIM_PORT", 9301),
    timeScale: envNumber("QFPAY_SIM_TIME_SCALE", 1),
    merchants: [
      {
        appCode: process.env.QFPAY_APP_CODE || "SIMAPPCODE",
        clientKey: process.env.QFPAY_CLIENT_KEY || "sim-client-key-change-me",
        mchid: process.env.QFPAY_MCHID || undefined,
        notifyUrl: process.env.QFPAY_NOTIFY_URL || undefined,
      },
    ],
    logger: {
      info: (msg) => console.log(`${stamp()} ${msg}`),
      warn: (msg) => console.warn(`${stamp()} WARN ${msg}`),
    },
  })
  console.log(`QFPay simulator ready at ${simulator.url} (control API under ${simulator.url}/__sim/)`)

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

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
})
