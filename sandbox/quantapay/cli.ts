/**
 * Runs the QuantaPay simulator standalone:
 *   npx ts-node --transpile-only sandbox/quantapay/cli.ts
 * Env: QUANTAPAY_SIM_PORT (9302), QUANTAPAY_API_KEY (sim-quantapay-api-key),
 *      QUANTAPAY_WEBHOOK_SECRET (sim-quantapay-webhook-secret), QUANTAPAY_WEBHOOK_URL (optional),
 *      QUANTAPAY_SIM_TIME_SCALE (1), QUANTAPAY_ACCEPT_UNDERPAYMENTS, QUANTAPAY_REQUIRE_SIGNATURE and
 *      QUANTAPAY_REFUNDS_ENABLED ("1"/"true" switches on), QUANTAPAY_CREDIT_BALANCE ("150.00"),
 *      QUANTAPAY_SIM_STATE_FILE (optional: keep the state in this JSON file across restarts).
 */
import { closeOnSignals, consoleLogger, envNumber, runMain } from "../shared/cli"
import { startQuantapaySimulator } from "./server"
import type { AccountConfig } from "./types"

/** The variable's value, or `fallback` when it is unset or empty. */
const env = (name: string, fallback?: string): string | undefined => process.env[name] || fallback
const flag = (name: string): boolean => /^(1|true|yes|on)$/i.test(env(name) ?? "")

const account: AccountConfig = {
  apiKey: env("QUANTAPAY_API_KEY", "sim-quantapay-api-key") as string,
  webhookSecret: env("QUANTAPAY_WEBHOOK_SECRET", "sim-quantapay-webhook-secret") as string,
  webhookUrl: env("QUANTAPAY_WEBHOOK_URL"),
  acceptUnderpayments: flag("QUANTAPAY_ACCEPT_UNDERPAYMENTS"),
  requireSignature: flag("QUANTAPAY_REQUIRE_SIGNATURE"),
  refundsEnabled: flag("QUANTAPAY_REFUNDS_ENABLED"),
  creditBalance: env("QUANTAPAY_CREDIT_BALANCE"),
}

runMain(async () => {
  const port = envNumber("QUANTAPAY_SIM_PORT", 9302)
  const timeScale = envNumber("QUANTAPAY_SIM_TIME_SCALE", 1)
  const stateFile = env("QUANTAPAY_SIM_STATE_FILE")
  const simulator = await startQuantapaySimulator({ accounts: [account], port, timeScale, logger: consoleLogger(), stateFile })
  console.log(`QuantaPay simulator ready at ${simulator.url} (API ${simulator.url}/api.php, control API ${simulator.url}/__sim/)`)
  closeOnSignals(simulator)
})
