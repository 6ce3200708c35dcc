import { defineConfig, loadEnv, Modules } from "@medusajs/framework/utils"
import path from "node:path"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

/**
 * The dev store: Medusa with this package's payment providers registered from source. Every option comes
 * from the environment; without it the providers point at the offline simulators in sandbox/ with their
 * built-in test credentials, so the store runs with no account and no network.
 */
const backendUrl = process.env.MEDUSA_BACKEND_URL || `http://localhost:${process.env.PORT || 9000}`
const storefrontUrl = process.env.STOREFRONT_URL || "http://localhost:8000"

const list = (value: string | undefined) =>
  value ? value.split(",").map((s) => s.trim()).filter(Boolean) : undefined
const int = (value: string | undefined) => (value ? Number.parseInt(value, 10) : undefined)
const num = (value: string | undefined) => (value ? Number(value) : undefined)
const bool = (value: string | undefined) => (value ? value === "true" : undefined)

/** Drops undefined values so each provider's documented defaults apply. */
const defined = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T

const qfpayOptions = {
  appCode: process.env.QFPAY_APP_CODE || "SIMAPPCODE",
  clientKey: process.env.QFPAY_CLIENT_KEY || "sim-client-key-change-me",
  mchid: process.env.QFPAY_MCHID || undefined,
  baseUrl: process.env.QFPAY_BASE_URL || (process.env.QFPAY_ENVIRONMENT ? undefined : "http://localhost:9301"),
  environment: process.env.QFPAY_ENVIRONMENT || undefined,
  signType: process.env.QFPAY_SIGN_TYPE || undefined,
  mode: process.env.QFPAY_MODE || undefined,
  allowedPayTypes: list(process.env.QFPAY_PAY_TYPES),
  notifyUrl: process.env.QFPAY_NOTIFY_URL || `${backendUrl}/hooks/payment/qfpay_qfpay`,
  returnUrl: process.env.QFPAY_RETURN_URL || `${storefrontUrl}/checkout/return?session_id={session_id}`,
  failedUrl: process.env.QFPAY_FAILED_URL || `${storefrontUrl}/checkout/return?session_id={session_id}&failed=1`,
  orphanedPayments: process.env.QFPAY_ORPHANED_PAYMENTS || undefined,
  orderBeforePayment: bool(process.env.QFPAY_ORDER_BEFORE_PAYMENT),
  expiredOrders: process.env.QFPAY_EXPIRED_ORDERS || undefined,
  orphanRefundGraceMinutes: int(process.env.QFPAY_ORPHAN_REFUND_GRACE_MINUTES),
  timeoutMs: int(process.env.QFPAY_TIMEOUT_MS),
  maxRetries: int(process.env.QFPAY_MAX_RETRIES),
  debug: process.env.QFPAY_DEBUG === "true" || undefined,
}

const quantapayOptions = {
  apiKey: process.env.QUANTAPAY_API_KEY || "sim-quantapay-api-key",
  webhookSecret: process.env.QUANTAPAY_WEBHOOK_SECRET || "sim-quantapay-webhook-secret",
  baseUrl: process.env.QUANTAPAY_BASE_URL || "http://localhost:9302",
  signCheckout: process.env.QUANTAPAY_SIGN_CHECKOUT ? process.env.QUANTAPAY_SIGN_CHECKOUT !== "false" : undefined,
  redirectUrl: process.env.QUANTAPAY_REDIRECT_URL || `${storefrontUrl}/checkout/return?session_id={session_id}`,
  underpaymentPolicy: process.env.QUANTAPAY_UNDERPAYMENT_POLICY || undefined,
  refundMode: process.env.QUANTAPAY_REFUND_MODE || undefined,
  orphanedPayments: process.env.QUANTAPAY_ORPHANED_PAYMENTS || undefined,
  orderBeforePayment: bool(process.env.QUANTAPAY_ORDER_BEFORE_PAYMENT),
  expiredOrders: process.env.QUANTAPAY_EXPIRED_ORDERS || undefined,
  underpaymentTolerance:
    process.env.QUANTAPAY_UNDERPAYMENT_TOLERANCE_MINOR || process.env.QUANTAPAY_UNDERPAYMENT_TOLERANCE_PERCENT
      ? defined({ minorUnits: int(process.env.QUANTAPAY_UNDERPAYMENT_TOLERANCE_MINOR), percent: num(process.env.QUANTAPAY_UNDERPAYMENT_TOLERANCE_PERCENT) })
      : undefined,
  orphanRefundGraceMinutes: int(process.env.QUANTAPAY_ORPHAN_REFUND_GRACE_MINUTES),
  timeoutMs: int(process.env.QUANTAPAY_TIMEOUT_MS),
  maxRetries: int(process.env.QUANTAPAY_MAX_RETRIES),
  debug: process.env.QUANTAPAY_DEBUG === "true" || undefined,
}

const qbitpayOptions = {
  apiKey: process.env.QBITPAY_API_KEY || "sim-qbitpay-api-key",
  baseUrl: process.env.QBITPAY_BASE_URL || "http://localhost:9303",
  paymentPageBase: process.env.QBITPAY_PAYMENT_PAGE_BASE || undefined,
  currency: process.env.QBITPAY_CURRENCY || undefined,
  webhookUrl: process.env.QBITPAY_WEBHOOK_URL || `${backendUrl}/hooks/payment/qbitpay_qbitpay`,
  redirectUrl: process.env.QBITPAY_REDIRECT_URL || `${storefrontUrl}/checkout/return?session_id={session_id}`,
  refundMode: process.env.QBITPAY_REFUND_MODE || undefined,
  orderBeforePayment: bool(process.env.QBITPAY_ORDER_BEFORE_PAYMENT),
  expiredOrders: process.env.QBITPAY_EXPIRED_ORDERS || undefined,
  timeoutMs: int(process.env.QBITPAY_TIMEOUT_MS),
  maxRetries: int(process.env.QBITPAY_MAX_RETRIES),
  debug: process.env.QBITPAY_DEBUG === "true" || undefined,
}

/**
 * With REDIS_URL, the production shape: Medusa's own Redis modules for the event bus, the workflow engine,
 * locking and caching, so several instances (MEDUSA_WORKER_MODE server / worker / shared) work as one.
 * Without it, Medusa's in-process defaults (one instance).
 */
const redisUrl = process.env.REDIS_URL
const workerMode = (process.env.MEDUSA_WORKER_MODE || "shared") as "shared" | "worker" | "server"
const redisModules = redisUrl
  ? [
      { resolve: "@medusajs/medusa/event-bus-redis", key: Modules.EVENT_BUS, options: { redisUrl } },
      { resolve: "@medusajs/medusa/workflow-engine-redis", key: Modules.WORKFLOW_ENGINE, options: { redis: { redisUrl } } },
      {
        resolve: "@medusajs/medusa/locking",
        key: Modules.LOCKING,
        options: { providers: [{ resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, options: { redisUrl } }] },
      },
      {
        resolve: "@medusajs/medusa/caching",
        key: Modules.CACHING,
        options: { providers: [{ resolve: "@medusajs/medusa/caching-redis", id: "caching-redis", is_default: true, options: { redisUrl } }] },
      },
    ]
  : []


module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    redisUrl,
    workerMode,
    http: {
      storeCors: process.env.STORE_CORS || storefrontUrl,
      adminCors: process.env.ADMIN_CORS || backendUrl,
      authCors: process.env.AUTH_CORS || `${storefrontUrl},${backendUrl}`,
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: { disable: process.env.MEDUSA_ADMIN_DISABLED === "true" },
  modules: [
    ...redisModules,
    // The plugin's payment ledger. A store that installs the package gets it through `plugins`; this dev
    // store is the package itself, so it registers the module from source.
    { resolve: "./src/modules/payment-ledger" },
    {
      resolve: "@medusajs/medusa/payment",
      key: Modules.PAYMENT,
      options: {
        // Medusa waits this long before processing a webhook (default 5000 ms) so a storefront completing
        // the cart at the same moment goes first.
        webhook_delay: int(process.env.PAYMENT_WEBHOOK_DELAY_MS),
        providers: [
          // Hosted checkout: the shopper picks any method QFPay enabled on QFPay's page.
          { resolve: "./src/providers/qfpay", id: "qfpay", options: defined(qfpayOptions) },
          // Direct QR / wallet link with the same credentials (QFPay binds one notification URL per app
          // code, so both share /hooks/payment/qfpay_qfpay).
          {
            resolve: "./src/providers/qfpay",
            id: "qfpay-direct",
            options: defined({
              ...qfpayOptions,
              mode: "direct",
              allowedPayTypes: list(process.env.QFPAY_DIRECT_PAY_TYPES) || ["800201", "801501", "802001", "805801"],
              expiredOrders: process.env.QFPAY_DIRECT_EXPIRED_ORDERS || qfpayOptions.expiredOrders,
            }),
          },
          { resolve: "./src/providers/quantapay", id: "quantapay", options: defined(quantapayOptions) },
          { resolve: "./src/providers/qbitpay", id: "qbitpay", options: defined(qbitpayOptions) },
          // `npm run bench` only: Medusa's system provider, captured at once (the floor for a captured payment).
          // An absolute path: Medusa resolves "./x" under src/.
          ...(process.env.BENCH_CAPTURED_PROVIDER === "true" ? [{ resolve: path.join(__dirname, "bench", "captured-provider"), id: "captured" }] : []),
        ],
      },
    },
  ],
})
