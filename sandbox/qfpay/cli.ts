/**
 * Runs the QFPay simulator standalone:
 *   npx ts-node --transpile-only sandbox/qfpay/cli.ts
 * Env: QFPAY_SIM_PORT (9301), QFPAY_APP_CODE (SIMAPPCODE), QFPAY_CLIENT_KEY (sim-client-key-change-me),
 *      QFPAY_MCHID (optional), QFPAY_NOTIFY_URL (optional standing notify URL), QFPAY_SIM_TIME_SCALE (1),
 *      QFPAY_SIM_STATE_FILE (optional: keep the state in this JSON file across restarts).
 */
import { closeOnSignals, consoleLogger, envNumber, runMain } from "../shared/cli"
import { startQfpaySimulator } from "./server"

runMain(async () => {
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
    logger: consoleLogger(),
    stateFile: process.env.QFPAY_SIM_STATE_FILE || undefined,
  })
  console.log(`QFPay simulator ready at ${simulator.url} (control API under ${simulator.url}/__sim/)`)
  closeOnSignals(simulator)
})
