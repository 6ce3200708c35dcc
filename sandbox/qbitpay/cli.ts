/**
 * Runs the Qbit Pay simulator standalone:
 *   npx ts-node --transpile-only sandbox/qbitpay/cli.ts
 * Env: QBITPAY_SIM_PORT (9303), QBITPAY_API_KEY (sim-qbitpay-api-key), QBITPAY_WEBHOOK_URL (optional
 *      account webhook URL, used by GET /api/v1/events/test without ?cbUrl=), QBITPAY_SIM_TIME_SCALE (1),
 *      QBITPAY_CHARGE_EXPIRY_MS (1800000), QBITPAY_PAGE_BASE (optional, default <url>/h5),
 *      QBITPAY_SIM_STATE_FILE (optional: keep the state in this JSON file across restarts).
 */
import { closeOnSignals, consoleLogger, envNumber, runMain } from "../shared/cli"
import { startQbitpaySimulator } from "./server"

runMain(async () => {
  const simulator = await startQbitpaySimulator({
    port: envNumber("QBITPAY_SIM_PORT", 9303),
    timeScale: envNumber("QBITPAY_SIM_TIME_SCALE", 1),
    chargeExpiryMs: envNumber("QBITPAY_CHARGE_EXPIRY_MS", 30 * 60_000),
    pageBase: process.env.QBITPAY_PAGE_BASE || undefined,
    merchants: [
      {
        apiKey: process.env.QBITPAY_API_KEY || "sim-qbitpay-api-key",
        webhookUrl: process.env.QBITPAY_WEBHOOK_URL || undefined,
      },
    ],
    logger: consoleLogger(),
    stateFile: process.env.QBITPAY_SIM_STATE_FILE || undefined,
  })
  console.log(`Qbit Pay simulator ready at ${simulator.url} (API ${simulator.url}/api/v1, H5 page ${simulator.url}/h5/, control API ${simulator.url}/__sim/)`)
  closeOnSignals(simulator)
})
