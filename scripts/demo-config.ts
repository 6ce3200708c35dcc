/**
 * Fixed values of the one-command demo, shared by scripts/demo.ts and scripts/demo-seed.ts (kept in a
 * module of its own so the demo runner does not load Medusa's workflows just to read them).
 * The demo only listens on localhost, so a well-known admin password is acceptable and documented.
 */
export const DEMO_ADMIN_EMAIL = "admin@demo.local"
export const DEMO_ADMIN_PASSWORD = "demo-password-123"
/** The demo's automatic 12.5% promotion: every cart gets it, so the demo shows a discount without a code. */
export const DEMO_PROMOTION_CODE = "DEMO12"

/** The credentials root medusa-config.ts falls back to in the demo; the demo's simulators know the same ones. */
export const DEMO_SIMULATOR_CREDENTIALS = {
  qfpay: { appCode: "SIMAPPCODE", clientKey: "sim-client-key-change-me" },
  quantapay: { apiKey: "sim-quantapay-api-key", webhookSecret: "sim-quantapay-webhook-secret" },
  qbitpay: { apiKey: "sim-qbitpay-api-key" },
}
