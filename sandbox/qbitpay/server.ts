/**
 * Offline Qbit Pay simulator: HTTP plumbing and routing. Charge rules live in core.ts (state machine),
 * api.ts + validation.ts (merchant API), webhooks.ts (signed pushes and retries), page.html.ts (H5 page).
 *
 * Surfaces:
 *   /api/v1/accessToken, /api/v1/charges[/:id], /api/v1/events/test   merchant API (Basic auth, JSON)
 *   GET  /h5/                                                          hosted H5 payment page
 *   GET  /h5/api/charges/:id, POST /h5/api/charges/:id/:action         the page's own API (Bearer token)
 *   /__sim/*                                                           control API for tests and tools
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { Sleeper } from "../shared/clock"
import { SimControlError } from "../shared/faults"
import { HttpError, commonControl, readBody, readJson, sendJson, sendText, serveSimulator } from "../shared/http"
import { findApiRoute } from "./api"
import { QbitCore } from "./core"
import { basicAuthKey, bearerToken, parseBody } from "./http"
import { h5PageHtml } from "./page.html"
import type { ChargeAction, Fault, QbitpaySimulator, QbitpaySimulatorOptions, SimState } from "./types"
import { ApiError, rateLimited, unauthenticated, type ParsedBody } from "./validation"

export type {
  Charge,
  ChargeAction,
  Fault,
  QbitEvent,
  QbitpaySimulator,
  QbitpaySimulatorOptions,
  SimState,
  WebhookAttempt,
} from "./types"
export { SimControlError } from "../shared/faults"

/** Actions the H5 page may take (close-dispute is Qbit's arbitration, so control API only). */
const PAGE_ACTIONS: readonly ChargeAction[] = ["pay", "buyer-paid", "fail", "dispute", "expire"]
const CONTROL_ACTIONS: readonly ChargeAction[] = [...PAGE_ACTIONS, "close-dispute"]
const HTML = "text/html; charset=utf-8"

export async function startQbitpaySimulator(options: QbitpaySimulatorOptions): Promise<QbitpaySimulator> {
  const core = new QbitCore(options)
  const base = await serveSimulator<SimState, Fault>("Qbit Pay", options.port ?? 0, core, new Router(core))
  core.logger.info(`Qbit Pay H5 page at ${core.pageBase}/`)
  return { ...base, act: (chargeId, action, outcome) => core.act(chargeId, action, outcome) }
}

/** Routes every request; `sleeper` holds delay faults (real time: they are about HTTP timing, not simulated time). */
class Router {
  constructor(
    private readonly core: QbitCore,
    private readonly sleeper = new Sleeper()
  ) {}

  /** Called by close(): abandons the waits of delay faults. */
  close = (): void => this.sleeper.clear()

  async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator.invalid")
    const path = url.pathname
    try {
      if (path.startsWith("/api/")) return await this.api(req, res, path, url.searchParams)
      if (path.startsWith("/__sim/")) return await this.control(req, res, path)
      if (path.startsWith("/h5")) return await this.page(req, res, url)
      if (path === "/" && req.method === "GET") {
        return sendJson(res, 200, { simulator: "qbitpay", url: this.core.url, page: `${this.core.pageBase}/`, docs: "sandbox/qbitpay/README.md" })
      }
      throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${req.method}: ${path})`)
    } catch (err) {
      // Everything outside /__sim answers in Qbit Pay's {type, message} error shape.
      if (err instanceof ApiError) return sendJson(res, err.status, err.body())
      if (err instanceof SimControlError || path.startsWith("/__sim/")) throw err
      if (err instanceof HttpError) return sendJson(res, err.status, { type: "invalid_request_error", message: err.message })
      this.core.logger.warn(`internal error on ${req.method} ${req.url}: ${String(err)}`)
      return sendJson(res, 500, { type: "api_error", message: "internal simulator error" })
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // /api/v1: route, fault, authentication, rate limit, handler

  private async api(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const { route, id } = findApiRoute(req.method ?? "", path)
    const text = route.method === "GET" ? "" : await readBody(req)
    const fault = route.faultTarget ? this.core.faults.take(route.faultTarget) : undefined

    // Faults that answer before anything is processed.
    if (fault?.mode === "http500") return sendJson(res, 500, { type: "api_error", message: "Internal server error (injected fault)" })
    if (fault?.mode === "http403_rate_limit") return sendJson(res, 403, rateLimited().body())
    if (fault?.mode === "malformed") return sendText(res, 200, "text/html", "<html><body>502 Bad Gateway")
    if (fault?.mode === "drop_before") return void req.socket.destroy()
    if (fault?.mode === "delay_before") await this.sleeper.sleep(fault.delayMs ?? 0)

    let status = 200
    let payload: unknown
    try {
      const merchant = this.core.merchantByKey(basicAuthKey(req.headers) ?? "")
      if (!merchant) throw unauthenticated()
      if (!this.core.admit(merchant)) throw rateLimited()
      const body: ParsedBody = route.method === "GET" ? { kind: "form", fields: {} } : parseBody(req.headers, text)
      payload = await route.handle(this.core, { merchant, id, query, body })
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      status = err.status
      payload = err.body()
    } finally {
      // Before any delay_after / drop_after fault: what was processed is on disk.
      this.core.persist()
    }
    this.core.logger.info(`${req.method} ${path} -> ${status}`)

    // Faults that strike after the request was processed (its effects stay).
    if (fault?.mode === "delay_after") await this.sleeper.sleep(fault.delayMs ?? 0)
    if (fault?.mode === "drop_after") return void req.socket.destroy()
    sendJson(res, status, payload)
  }

  // ---------------------------------------------------------------------------------------------------------
  // H5 page and its API

  private async page(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname
    if (path === "/h5") {
      // Relative API paths in the page need the trailing slash; the browser keeps the #fragment.
      return sendText(res, 302, "text/plain", "", { Location: `/h5/${url.search}` })
    }
    if (path === "/h5/" || path === "/h5/index.html") {
      if (req.method !== "GET") throw new ApiError(405, "invalid_request_error", "use GET")
      // v1 (2019-02-26): the page itself is requested with Authorization: Bearer <accessToken>.
      if (req.headers.authorization === undefined) return sendText(res, 200, HTML, h5PageHtml())
      const token = bearerToken(req.headers)
      if (token && this.core.tokens.verify(token)) return sendText(res, 200, HTML, h5PageHtml({ token }))
      return sendText(res, 401, HTML, h5PageHtml({ error: "Invalid or expired access token" }))
    }

    const match = /^\/h5\/api\/charges\/([^/]+)(?:\/([a-z-]+))?$/.exec(path)
    if (!match) throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${req.method}: ${path})`)
    const [, rawId, action] = match
    const expected = action === undefined ? "GET" : "POST"
    if (req.method !== expected) throw new ApiError(405, "invalid_request_error", `use ${expected}`)
    if (expected === "POST") await readBody(req)

    const merchantId = this.core.tokens.verify(bearerToken(req.headers))
    const merchant = merchantId ? this.core.merchantById(merchantId) : undefined
    if (!merchant) throw unauthenticated()
    // The token is bound to its merchant: another merchant's charge does not exist for it.
    const id = decodeURIComponent(rawId)
    const record = this.core.ownCharge(merchant, id)
    if (action === undefined) return sendJson(res, 200, { charge: this.core.view(record) })
    if (!PAGE_ACTIONS.includes(action as ChargeAction)) throw new ApiError(404, "invalid_request_error", `unknown page action ${action}`)
    try {
      sendJson(res, 200, { charge: this.core.act(id, action as ChargeAction) })
    } catch (err) {
      if (!(err instanceof SimControlError)) throw err
      sendJson(res, err.status, { type: "invalid_request_error", message: err.message })
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Control API (/__sim/*): the common routes, plus what the H5 page (and Qbit's arbitration) can do

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      if (await commonControl(req, res, path, this.core)) return
      const match = /^\/__sim\/charges\/([^/]+)\/([a-z-]+)$/.exec(path)
      const action = match?.[2] as ChargeAction | undefined
      if (!match || req.method !== "POST" || !action || !CONTROL_ACTIONS.includes(action)) {
        throw new SimControlError(404, `no control route ${req.method} ${path}`)
      }
      const body = await readJson(req)
      const outcome = (body as { outcome?: unknown } | null)?.outcome ?? "won"
      if (outcome !== "won" && outcome !== "lost") throw new SimControlError(400, 'outcome must be "won" or "lost"')
      sendJson(res, 200, { ok: true, charge: this.core.act(decodeURIComponent(match[1]), action, outcome) })
    } catch (err) {
      if (!(err instanceof SimControlError)) throw err
      sendJson(res, err.status, { ok: false, error: err.message })
    }
  }
}
