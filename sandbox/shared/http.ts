/**
 * HTTP plumbing shared by the simulators: body reading, JSON/text answers, listening on 127.0.0.1, a
 * once-only close, the control routes every simulator has (`/__sim/state`, `reset`, `faults`,
 * `time/advance`) and the common part of the handle a start function returns.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import type { SimClock } from "./clock"
import { SimControlError } from "./faults"
import type { SimLogger } from "./types"

export const MAX_BODY_BYTES = 1024 * 1024

/** An error that becomes an HTTP answer with this status. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

export function expectMethod(req: IncomingMessage, method: string): void {
  if (req.method !== method) throw new HttpError(405, `use ${method}`)
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, "request body too large"))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })
}

/** The body parsed as JSON; an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req)
  if (text.trim() === "") return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new HttpError(400, "body must be JSON")
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendText(res, status, "application/json; charset=utf-8", JSON.stringify(body))
}

export function sendText(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string,
  headers: Record<string, string> = {}
): void {
  // The client may be gone (it timed out during a delay fault); that is part of the scenario, not an error.
  if (res.destroyed || res.writableEnded) return
  res.writeHead(status, { ...headers, "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) })
  res.end(body)
}

/**
 * Creates a server on 127.0.0.1 (`port` 0 = a free one) whose handler errors become JSON answers:
 * an HttpError with its status, anything else a 500 that is also logged.
 */
export async function listenLocal(
  port: number,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  warn: (msg: string) => void
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500
      if (status === 500) warn(`internal error on ${req.method} ${req.url}: ${String(err)}`)
      sendJson(res, status, { ok: false, error: err instanceof Error ? err.message : String(err) })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  return { server, port: (server.address() as AddressInfo).port }
}

/** A close() that runs `stop` once, then closes the server, also cutting keep-alive and held requests. */
export function closeOnce(server: http.Server, stop: () => void): () => Promise<void> {
  let closing: Promise<void> | undefined
  return () => {
    closing ??= new Promise<void>((resolve) => {
      stop()
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return closing
  }
}

/** What the common control routes need from a simulator. */
export interface ControlTarget {
  state(): unknown
  reset(): void
  faults: { add(input: unknown): unknown; list(): unknown[]; clear(): void }
  clock: SimClock
}

/**
 * Answers `GET /__sim/state`, `POST /__sim/reset`, `GET|POST|DELETE /__sim/faults` and
 * `POST /__sim/time/advance {ms}`. Returns false when `req` is none of these. Throws SimControlError
 * (status 400) on a bad fault or body.
 */
export async function commonControl(req: IncomingMessage, res: ServerResponse, path: string, sim: ControlTarget): Promise<boolean> {
  switch (`${req.method} ${path}`) {
    case "GET /__sim/state":
      sendJson(res, 200, sim.state())
      return true
    case "POST /__sim/reset":
      sim.reset()
      sendJson(res, 200, { ok: true })
      return true
    case "GET /__sim/faults":
      sendJson(res, 200, { faults: sim.faults.list() })
      return true
    case "POST /__sim/faults":
      sendJson(res, 200, { ok: true, fault: sim.faults.add(await readJson(req)) })
      return true
    case "DELETE /__sim/faults":
      sim.faults.clear()
      sendJson(res, 200, { ok: true })
      return true
    case "POST /__sim/time/advance": {
      const body = (await readJson(req)) as { ms?: unknown }
      if (typeof body?.ms !== "number" || !(body.ms >= 0)) throw new SimControlError(400, "body must be {ms: number >= 0}")
      sim.clock.advance(body.ms)
      sendJson(res, 200, { ok: true, now: new Date(sim.clock.now()).toISOString(), clockOffsetMs: sim.clock.offset })
      return true
    }
    default:
      return false
  }
}

/**
 * Sends `action()`'s result as HTTP 200 JSON; a SimControlError becomes its status with
 * `{ok: false, error}` (after `onRefused`, e.g. a log line). Other errors propagate.
 */
export function answerControl(res: ServerResponse, action: () => unknown, onRefused?: (err: SimControlError) => void): void {
  let result: unknown
  try {
    result = action()
  } catch (err) {
    if (!(err instanceof SimControlError)) throw err
    onRefused?.(err)
    return sendJson(res, err.status, { ok: false, error: err.message })
  }
  sendJson(res, 200, result)
}

/** A simulator-specific control route; `params` are the pattern's groups, URI-decoded. */
export interface ControlRoute {
  method: string
  pattern: RegExp
  handle(req: IncomingMessage, res: ServerResponse, params: string[]): Promise<void> | void
}

/** The whole `/__sim/*` API: the common routes, then `routes`, else 404; SimControlErrors become answers. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  sim: ControlTarget,
  routes: readonly ControlRoute[]
): Promise<void> {
  try {
    if (await commonControl(req, res, path, sim)) return
    for (const route of routes) {
      const match = route.pattern.exec(path)
      if (match && req.method === route.method) return await route.handle(req, res, match.slice(1).map(decodeURIComponent))
    }
    throw new SimControlError(404, `no control route ${req.method} ${path}`)
  } catch (err) {
    if (!(err instanceof SimControlError)) throw err
    sendJson(res, err.status, { ok: false, error: err.message })
  }
}

/** What serveSimulator needs from a simulator's core. */
export interface SimulatorCore<S> extends ControlTarget {
  /** Set once the server listens. */
  url: string
  logger: SimLogger
  state(): S
  close(): void
}

/** The part of a simulator handle every simulator has. */
export interface SimulatorBase<S, F> {
  url: string
  port: number
  close(): Promise<void>
  state(): S
  reset(): void
  setFault(f: F): void
  clearFaults(): void
  advanceTime(ms: number): void
}

/**
 * Listens on 127.0.0.1 (`port` 0 = a free one), sets `core.url`, and returns the common handle. Its close()
 * stops the core and `app` (timers, deliveries, delay faults) and cuts open connections.
 */
export async function serveSimulator<S, F>(
  name: string,
  port: number,
  core: SimulatorCore<S>,
  app: { route(req: IncomingMessage, res: ServerResponse): Promise<void>; close(): void }
): Promise<SimulatorBase<S, F>> {
  const listening = await listenLocal(port, (req, res) => app.route(req, res), (msg) => core.logger.warn(msg))
  core.url = `http://127.0.0.1:${listening.port}`
  core.logger.info(`${name} simulator listening on ${core.url}`)
  return {
    url: core.url,
    port: listening.port,
    close: closeOnce(listening.server, () => {
      core.close()
      app.close()
    }),
    state: () => core.state(),
    reset: () => core.reset(),
    setFault: (f: F) => void core.faults.add(f),
    clearFaults: () => core.faults.clear(),
    advanceTime: (ms: number) => core.clock.advance(ms),
  }
}
