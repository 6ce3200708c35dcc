/**
 * Offline QuantaPay simulator: HTTP plumbing and routing. The API rules live in api.ts, the domain in
 * core.ts (sessions, payments, refunds, webhooks) and the hosted page in pay.html.ts.
 *
 * Surfaces:
 *   POST /api.php                                   the merchant API (form fields, JSON answers, HTTP 200)
 *   GET  /pay.php?checkout=<id>                     the hosted payment page
 *   POST /pay.php/api/select | /pay.php/api/pay      used by that page
 *   /__sim/*                                        control API for tests and other processes
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { URL } from "node:url"
import { Sleeper } from "../shared/clock"
import { SimControlError } from "../shared/faults"
import { answerControl, handleControl, serveSimulator, type ControlRoute } from "../shared/http"
import { expectMethod, HttpError, readBody, readJson, sendJson, sendText } from "../shared/http"
import { Fields, handleApiCall } from "./api"
import { SimCore } from "./core"
import { closedPageHtml, notFoundPageHtml, payPageHtml } from "./pay.html"
import { phpJsonEncode } from "./phpjson"
import type { Fault, PayInput, PayOutcome, QuantapaySimulator, QuantapaySimulatorOptions, SimState } from "./types"

export type {
  AccountConfig,
  Fault,
  PayInput,
  PayResult,
  QuantapaySimulator,
  QuantapaySimulatorOptions,
  SimState,
  TransactionRow,
  WebhookDelivery,
} from "./types"
export { SimControlError } from "../shared/faults"

/** PHP's default Content-Type: api.php never sets application/json (reference §2: "not guaranteed"). */
const PHP_CONTENT_TYPE = "text/html; charset=UTF-8"
const HTTP500_PAGE = "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>"
const HTTP429_PAGE = "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>"
const MALFORMED_BODY =
  "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: MySQL server has gone away in /var/www/cloud/functions.php:1274"

export async function startQuantapaySimulator(options: QuantapaySimulatorOptions): Promise<QuantapaySimulator> {
  const core = new SimCore(options)
  const app = createRouter(core)
  const base = await serveSimulator<SimState, Fault>("QuantaPay", options.port ?? 0, core, app)
  return {
    ...base,
    selectCoin: (checkoutId, coin) => saving(core, () => ({ ...core.selectCoin(checkoutId, coin).row })),
    payCheckout: (checkoutId, input) => saving(core, () => core.pay(checkoutId, input)),
    completeTransaction: (transactionId) => saving(core, () => core.completeByMerchant(transactionId)),
  }
}

/** Runs an action that may change durable state, then saves it (a no-op without a state file), even when it is refused halfway. */
function saving<T>(core: SimCore, action: () => T): T {
  try {
    return action()
  } finally {
    core.persist()
  }
}

/** `{coin?, outcome, shortfallPercent?}` from a JSON body. */
function payInput(body: unknown): PayInput {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>
  const outcomes: PayOutcome[] = ["full", "under", "over", "abandon"]
  if (!outcomes.includes(b.outcome as PayOutcome)) throw new SimControlError(400, "outcome must be full, under, over or abandon")
  if (b.coin !== undefined && typeof b.coin !== "string") throw new SimControlError(400, "coin must be a string")
  if (b.shortfallPercent !== undefined && typeof b.shortfallPercent !== "number") {
    throw new SimControlError(400, "shortfallPercent must be a number")
  }
  if (b.overpayPercent !== undefined && typeof b.overpayPercent !== "number") throw new SimControlError(400, "overpayPercent must be a number")
  return {
    coin: b.coin as string | undefined,
    outcome: b.outcome as PayOutcome,
    shortfallPercent: b.shortfallPercent as number | undefined,
    overpayPercent: b.overpayPercent as number | undefined,
  }
}

/**
 * The request router. Delay faults wait in real time (they are about HTTP timing, not simulated time) on
 * `waits`, which close() abandons.
 */
function createRouter(core: SimCore): { route(req: IncomingMessage, res: ServerResponse): Promise<void>; close(): void } {
  const waits = new Sleeper()
  return {
    close: () => waits.clear(),
    route: async (req, res) => {
      const url = new URL(req.url ?? "/", core.url)
      const path = url.pathname
      switch (true) {
        case path === "/api.php":
          return apiEndpoint(core, waits, req, res)
        case path.startsWith("/__sim/"):
          return handleControl(req, res, path, core, controlRoutes(core))
        case path === "/pay.php":
          expectMethod(req, "GET")
          return hostedPage(core, res, url.searchParams.get("checkout"))
        case path === "/pay.php/api/select" || path === "/pay.php/api/pay": {
          expectMethod(req, "POST")
          const body = (await readJson(req)) as Record<string, unknown>
          const checkout = typeof body?.checkout === "string" ? body.checkout : ""
          return checkoutAction(core, res, checkout, path.endsWith("/select") ? "select" : "pay", body)
        }
        case path === "/" && req.method === "GET":
          return sendJson(res, 200, { simulator: "quantapay", url: core.url, docs: "sandbox/quantapay/README.md" })
      }
      throw new HttpError(404, `no route for ${req.method} ${path}`)
    },
  }
}

/** POST /api.php: faults first, then the dispatcher; the answer is PHP-encoded JSON with HTTP 200. */
async function apiEndpoint(core: SimCore, waits: Sleeper, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const fields = new Fields(req.headers["content-type"], await readBody(req))
  const fault = core.faults.take("api.php", `api.php:${fields.get("function") ?? ""}`)
  const mode = fault?.mode
  if (mode === "http500") return sendText(res, 500, "text/html", HTTP500_PAGE)
  if (mode === "http429") return sendText(res, 429, "text/html", HTTP429_PAGE, { "Retry-After": "1" })
  if (mode === "malformed") return sendText(res, 200, PHP_CONTENT_TYPE, MALFORMED_BODY)
  if (mode === "drop_before") return void req.socket.destroy()
  if (mode === "delay_before") await waits.sleep(fault?.delayMs ?? 0)
  const answer = phpJsonEncode(saving(core, () => handleApiCall(core, fields)))
  if (mode === "delay_after") await waits.sleep(fault?.delayMs ?? 0)
  if (mode === "drop_after") return void req.socket.destroy()
  sendText(res, 200, PHP_CONTENT_TYPE, answer)
}

/** GET /pay.php?checkout=<id>: the payment page, or the expired / already-paid / not-found page. */
function hostedPage(core: SimCore, res: ServerResponse, checkoutId: string | null): void {
  const session = checkoutId ? core.ledger.sessions.get(checkoutId) : undefined
  if (!session) return sendText(res, checkoutId ? 404 : 400, "text/html; charset=utf-8", notFoundPageHtml(checkoutId))
  const status = core.ledger.sessionStatus(session)
  sendText(res, 200, "text/html; charset=utf-8", status === "open" ? payPageHtml(session) : closedPageHtml(session, status))
}

/** A shopper action; a refused one (expired, already paid, bad coin) is `{ok: false, error}` with 4xx. */
function shopper(core: SimCore, res: ServerResponse, action: () => unknown): void {
  answerControl(res, () => saving(core, action), (err) => core.logger.info(`shopper action refused: ${err.message}`))
}

/** What the page's buttons and POST /__sim/checkout/:id/select|pay do (one code path for both). */
function checkoutAction(core: SimCore, res: ServerResponse, checkoutId: string, action: "select" | "pay", body: Record<string, unknown>): void {
  shopper(core, res, () =>
    action === "select"
      ? { ok: true, transaction: { ...core.selectCoin(checkoutId, body?.coin as string | undefined).row } }
      : core.pay(checkoutId, payInput(body))
  )
}

/** The QuantaPay-specific /__sim routes (state, reset, faults and time/advance are common). */
function controlRoutes(core: SimCore): ControlRoute[] {
  return [
    {
      method: "POST",
      pattern: /^\/__sim\/checkout\/([^/]+)\/(select|pay)$/,
      handle: async (req, res, [checkoutId, action]) => {
        const body = (await readJson(req)) as Record<string, unknown>
        checkoutAction(core, res, checkoutId, action as "select" | "pay", body)
      },
    },
    {
      // A late on-chain payment for a pending transaction (allowed until the 48 h purge).
      method: "POST",
      pattern: /^\/__sim\/transactions\/([^/]+)\/pay$/,
      handle: async (req, res, [transactionId]) => {
        const body = await readJson(req)
        shopper(core, res, () => core.payPending(transactionId, payInput(body)))
      },
    },
    {
      // The merchant marks an underpaid or pending transaction completed in the dashboard (reference §7).
      method: "POST",
      pattern: /^\/__sim\/transactions\/([^/]+)\/complete$/,
      handle: async (_req, res, [transactionId]) => {
        shopper(core, res, () => ({ ok: true, transaction: core.completeByMerchant(transactionId) }))
      },
    },
  ]
}
