/** Shared fixtures of the Qbit Pay simulator tests (not a test file itself: jest only runs *.unit.spec.ts). */
import http from "node:http"
import type { AddressInfo } from "node:net"
import axios, { type AxiosResponse } from "axios"

export const KEY_A = "qbit-key-merchant-a"
export const KEY_B = "qbit-key-merchant-b"

/** A webhook endpoint: records each push; answers with the scripted statuses in turn, then 200 "ok". */
export class Receiver {
  readonly pushes: Array<{ headers: http.IncomingHttpHeaders; body: string }> = []
  private readonly server: http.Server
  url = ""

  constructor(private readonly script: number[] = []) {
    this.server = http.createServer(async (req, res) => {
      let body = ""
      for await (const chunk of req as AsyncIterable<Buffer>) body += chunk.toString("utf8")
      this.pushes.push({ headers: req.headers, body })
      const status = this.script.length > 0 ? (this.script.shift() as number) : 200
      res.writeHead(status, { "Content-Type": "text/plain" }).end(status < 300 ? "ok" : "receiver says no")
    })
  }

  static async start(script: number[] = [], path = "/hooks/qbitpay"): Promise<Receiver> {
    const receiver = new Receiver(script)
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", () => resolve()))
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}${path}`
    return receiver
  }

  /** Parsed bodies of the pushes so far. */
  events(): Array<Record<string, unknown> & { data: Record<string, unknown> }> {
    return this.pushes.map((p) => JSON.parse(p.body))
  }

  stop(): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

/** Polls until `probe` gives a truthy value (checked every 5 ms, up to `ms`). */
export async function eventually<T>(probe: () => T, ms = 2000): Promise<NonNullable<T>> {
  const started = Date.now()
  let value = probe()
  while (!value) {
    if (Date.now() - started > ms) throw new Error(`still waiting after ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
    value = probe()
  }
  return value as NonNullable<T>
}

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface RequestOptions {
  /** API key for Basic auth; null = no Authorization header. */
  key?: string | null
  /** Raw Authorization header (wins over `key`). */
  authorization?: string
  /** JSON (default) or a form body. */
  form?: boolean
  timeout?: number
}

/** JSON bodies parsed, anything else (the `malformed` fault's HTML, an empty 302) left as text. */
function jsonOrText(raw: unknown): unknown {
  if (typeof raw !== "string" || !/^\s*[[{"]/.test(raw)) return raw
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {
    // JSON-looking but not JSON: keep the text.
  }
  return value
}

/** A merchant-side client of `baseUrl`: never throws on HTTP status, parses JSON when it can. */
export function client(baseUrl: () => string, defaultKey = KEY_A) {
  const request = (method: string, path: string, data?: unknown, o: RequestOptions = {}): Promise<AxiosResponse> => {
    const headers: Record<string, string> = {}
    const key = o.key === undefined ? defaultKey : o.key
    if (o.authorization !== undefined) headers.Authorization = o.authorization
    else if (key !== null) headers.Authorization = `Basic ${Buffer.from(`${key}:`).toString("base64")}`
    let body: unknown = data
    if (data !== undefined && o.form) {
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      body = new URLSearchParams(data as Record<string, string>).toString()
    } else if (data !== undefined && typeof data !== "string") {
      headers["Content-Type"] = "application/json"
      body = JSON.stringify(data)
    }
    return axios.request({
      method,
      url: baseUrl() + path,
      data: body,
      headers,
      timeout: o.timeout ?? 5000,
      validateStatus: () => true,
      transformResponse: jsonOrText,
    })
  }
  return {
    request,
    get: (path: string, o?: RequestOptions) => request("GET", path, undefined, o),
    post: (path: string, data: unknown, o?: RequestOptions) => request("POST", path, data, o),
    put: (path: string, data: unknown, o?: RequestOptions) => request("PUT", path, data, o),
    /** Control API call (no auth). */
    sim: (method: string, path: string, data?: unknown) => request(method, path, data ?? {}, { key: null }),
  }
}

let orderSeq = 0
/** A valid create body; `cbUrl` defaults to a closed port (pushes fail quietly). */
export function chargeBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: 100,
    currency: "USD",
    externalOrderId: `order-${++orderSeq}`,
    cbUrl: "http://127.0.0.1:9/unused",
    redirectUrl: "https://shop.example/return?o=1",
    ...extra,
  }
}
