/**
 * Offline QFPay simulator: HTTP plumbing and routing. The gateway rules live in gateway.ts (/trade/v1),
 * checkout.ts (hosted checkout) and core.ts (paying, refunds settling, notifications); this module reads
 * requests, applies faults and the rate limit, and writes responses.
 *
 * Surfaces:
 *   POST /trade/v1/{payment,query,refund,close,reversal}   the merchant API (form body, JSON answers)
 *   GET  /checkstand/  + POST /checkstand/api/{open,submit} the hosted checkout page
 *   GET  /sim/scan/:syssn, /sim/pay/:syssn                 stand-ins for the wallet (qrcode / pay_url)
 *   POST /sim/transactions/:syssn/{pay,fail}               used by those pages
 *   /__sim/*                                               control API for tests and other processes
 */
import type { IncomingMessage, ServerResponse } from "node:http"
import { URL } from "node:url"
import {
  answerControl,
  expectMethod,
  handleControl,
  HttpError,
  readBody,
  readJson,
  sendJson,
  sendText,
  serveSimulator,
} from "../shared/http"
import { messageFor } from "./catalogue"
import { CHECKSTAND_HTML } from "./checkstand.html"
import { CheckoutError, openCheckout, submitCheckout } from "./checkout"
import { Sleeper } from "./clock"
import { SimCore } from "./core"
import {
  authenticate,
  handleCancel,
  handlePayment,
  handleQuery,
  handleRefund,
  refundLockKey,
  type JsonBody,
  type RefundOptions,
  type TradeCall,
} from "./gateway"
import { shopperPageHtml } from "./shopper.html"
import { stateView } from "./store"
import type { Fault, QfpaySimulator, QfpaySimulatorOptions, SimState } from "./types"
import { GatewayError } from "./validation"

export type { Fault, QfpaySimulator, QfpaySimulatorOptions, SimState, NotificationAttempt, MerchantConfig } from "./types"
export { SimControlError } from "./faults"

/** §16: per merchant, at most 100 requests in any second and 400 in any minute. */
const RATE_LIMIT = { perSecond: 100, perMinute: 400 }
const RATE_LIMITED_BODY = { respcd: "1100", resperr: "Too many requests: rate limit exceeded", respmsg: "" }

/** Default settlement delay of a refund forced into 1143 by a fault (before timeScale). */
const DEFAULT_SETTLE_AFTER_MS = 5_000

type TradeHandler = (core: SimCore, call: TradeCall, refund: RefundOptions) => JsonBody

const TRADE_HANDLERS: Record<string, TradeHandler> = {
  "/trade/v1/payment": (core, call) => handlePayment(core, call),
  "/trade/v1/query": (core, call) => handleQuery(core, call),
  "/trade/v1/refund": (core, call, refund) => handleRefund(core, call, refund),
  "/trade/v1/close": (core, call) => handleCancel(core, "close", call),
  "/trade/v1/reversal": (core, call) => handleCancel(core, "reversal", call),
}

export async function startQfpaySimulator(options: QfpaySimulatorOptions): Promise<QfpaySimulator> {
  const core = new SimCore(options)
  const app = new SimulatorHttp(core)
  const base = await serveSimulator<SimState, Fault>("QFPay", options.port ?? 0, core, app)
  return {
    ...base,
    completeTransaction: (syssn, outcome) => {
      const record = core.completeTransaction(syssn, outcome)
      return stateView(record, core.merchantOf(record).userid)
    },
  }
}

class SimulatorHttp {
  /** Real-time waits of delay faults (not scaled: they are about HTTP timing, not simulated time). */
  private readonly sleeper = new Sleeper()

  constructor(private readonly core: SimCore) {}

  close(): void {
    this.sleeper.clear()
  }

  async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", this.core.url).pathname
    if (path.startsWith("/trade/v1/")) return this.trade(req, res, path)
    if (path.startsWith("/__sim/")) return this.control(req, res, path)

    if (path === "/checkstand" || path === "/checkstand/" || path === "/checkstand/index.html") {
      expectMethod(req, "GET")
      return sendText(res, 200, "text/html; charset=utf-8", CHECKSTAND_HTML)
    }
    if (path === "/checkstand/api/open" || path === "/checkstand/api/submit") {
      expectMethod(req, "POST")
      return this.checkout(res, path, await readJson(req))
    }
    const page = /^\/sim\/(scan|pay)\/([^/]+)$/.exec(path)
    if (page) {
      expectMethod(req, "GET")
      const record = this.core.ledger.find(decodeURIComponent(page[2]))
      if (!record || record.order_type !== "payment") return sendText(res, 404, "text/plain", "unknown transaction")
      return sendText(res, 200, "text/html; charset=utf-8", shopperPageHtml(record, page[1] as "scan" | "pay"))
    }
    const shopper = /^\/sim\/transactions\/([^/]+)\/(pay|fail)$/.exec(path)
    if (shopper) {
      expectMethod(req, "POST")
      return this.complete(res, decodeURIComponent(shopper[1]), shopper[2] as "pay" | "fail")
    }
    if (path === "/" && req.method === "GET") {
      return sendJson(res, 200, { simulator: "qfpay", url: this.core.url, docs: "sandbox/qfpay/README.md" })
    }
    throw new HttpError(404, `no route for ${req.method} ${path}`)
  }

  // -------------------------------------------------------------------------------------------------------
  // /trade/v1/*

  private async trade(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const handler = TRADE_HANDLERS[path]
    if (!handler) return sendJson(res, 404, { respcd: "1104", resperr: `unknown endpoint ${path}`, respmsg: "" })
    if (req.method !== "POST") return sendJson(res, 405, { respcd: "1103", resperr: "use POST", respmsg: "" })
    const body = await readBody(req)
    const fault = this.core.faults.take(path)

    // Faults that answer without touching any state.
    switch (fault?.mode) {
      case "http500":
        return sendText(res, 500, "text/html", "<html><body><h1>500 Internal Server Error</h1></body></html>")
      case "http429":
        return sendJson(res, 429, RATE_LIMITED_BODY)
      case "drop_before":
        req.socket.destroy()
        return
      case "malformed":
        return sendText(res, 200, "text/html", "<html>upstream error")
      case "respcd":
        // Only a refund forced into 1143 is processed (it becomes a refund that settles later).
        if (!(fault.respcd === "1143" && path === "/trade/v1/refund")) {
          return sendJson(res, 200, { respcd: fault.respcd, resperr: fault.resperr ?? messageFor(fault.respcd ?? ""), respmsg: "" })
        }
    }

    // A refund whose request is held open by a delay counts as "processing" for its payment, so a second
    // refund sent meanwhile gets "You still have processing requests".
    let lockKey: string | undefined
    const lock = (): void => {
      if (lockKey || path !== "/trade/v1/refund") return
      const syssn = new URLSearchParams(body).get("syssn")
      const appCode = req.headers["x-qf-appcode"]
      if (!syssn || typeof appCode !== "string") return
      lockKey = refundLockKey(appCode, syssn)
      this.core.refundLocks.set(lockKey, (this.core.refundLocks.get(lockKey) ?? 0) + 1)
    }
    try {
      if (fault?.mode === "delay_before") {
        lock()
        await this.sleeper.sleep(fault.delayMs ?? 0)
      }
      const settleAfterMs = fault?.mode === "respcd" ? fault.settleAfterMs ?? DEFAULT_SETTLE_AFTER_MS : undefined
      const { status, json } = this.processTrade(req, path, body, handler, { settleAfterMs, ownLockKey: lockKey })
      if (fault?.mode === "delay_after") {
        lock()
        await this.sleeper.sleep(fault.delayMs ?? 0)
      }
      if (fault?.mode === "drop_after") {
        req.socket.destroy()
        return
      }
      sendJson(res, status, json)
    } finally {
      if (lockKey) {
        const left = (this.core.refundLocks.get(lockKey) ?? 1) - 1
        if (left > 0) this.core.refundLocks.set(lockKey, left)
        else this.core.refundLocks.delete(lockKey)
      }
    }
  }

  /** Authentication, rate limit and the endpoint handler; business errors become HTTP 200 answers. */
  private processTrade(
    req: IncomingMessage,
    path: string,
    body: string,
    handler: TradeHandler,
    refund: RefundOptions
  ): { status: number; json: JsonBody } {
    const appCode = String(req.headers["x-qf-appcode"] ?? "-")
    try {
      const call = authenticate(this.core, req.headers, body)
      if (!this.withinRateLimit(call.merchant.appCode)) {
        this.core.logger.warn(`${path} ${appCode} rate limited`)
        return { status: 429, json: RATE_LIMITED_BODY }
      }
      const json = handler(this.core, call, refund)
      this.core.logger.info(`${path} ${appCode} -> ${String(json.respcd)}`)
      return { status: 200, json }
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err
      this.core.logger.info(`${path} ${appCode} -> ${err.respcd} ${err.resperr}`)
      return { status: 200, json: { respcd: err.respcd, resperr: err.resperr, respmsg: "" } }
    } finally {
      // Before any delay_after / drop_after fault: what was processed is on disk.
      this.core.persist()
    }
  }

  private withinRateLimit(appCode: string): boolean {
    const now = Date.now()
    const recent = (this.core.rateWindows.get(appCode) ?? []).filter((t) => t > now - 60_000)
    const lastSecond = recent.filter((t) => t > now - 1_000).length
    const allowed = lastSecond < RATE_LIMIT.perSecond && recent.length < RATE_LIMIT.perMinute
    if (allowed) recent.push(now)
    this.core.rateWindows.set(appCode, recent)
    return allowed
  }

  // -------------------------------------------------------------------------------------------------------
  // Hosted checkout API

  private checkout(res: ServerResponse, path: string, body: unknown): void {
    try {
      if (path === "/checkstand/api/open") {
        // The page sends {params}; a bare params object is accepted too.
        const input = body as Record<string, unknown>
        const params = input && typeof input === "object" && "params" in input ? input.params : body
        return sendJson(res, 200, openCheckout(this.core, params))
      }
      return sendJson(res, 200, submitCheckout(this.core, body))
    } catch (err) {
      if (!(err instanceof CheckoutError)) throw err
      this.core.logger.info(`checkout refused: ${err.message}`)
      return sendJson(res, 400, { ok: false, error: "QFSign_Error", reason: err.message })
    } finally {
      this.core.persist()
    }
  }

  private complete(res: ServerResponse, syssn: string, outcome: "pay" | "fail" | "pay-late"): void {
    answerControl(res, () => {
      const record = this.core.completeTransaction(syssn, outcome)
      return {
        ok: true,
        transaction: stateView(record, this.core.merchantOf(record).userid),
        redirect: outcome !== "fail" ? record.return_url : undefined,
      }
    })
  }

  // -------------------------------------------------------------------------------------------------------
  // Control API (/__sim/*)

  private control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    return handleControl(req, res, path, this.core, [
      {
        method: "POST",
        pattern: /^\/__sim\/transactions\/([^/]+)\/(pay|fail|pay-late)$/,
        handle: async (req, res, [syssn, outcome]) => {
          await readBody(req)
          this.complete(res, syssn, outcome as "pay" | "fail" | "pay-late")
        },
      },
    ])
  }
}
