import { quantapayCheckoutSignature } from "../../shared/signatures"
/** Test helpers for the QuantaPay simulator specs (not a spec itself). */
import http from "node:http"
import type { AddressInfo } from "node:net"
import type { QuantapaySimulator } from "../server"

export interface ApiAnswer {
  status: number
  contentType: string | null
  text: string
  /** The parsed body, or undefined when it is not JSON. */
  json: any // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** POSTs `fields` form-encoded to /api.php (or `raw` with `contentType`). */
export async function api(
  sim: QuantapaySimulator,
  fields: Record<string, string>,
  raw?: { body: string; contentType?: string; method?: string }
): Promise<ApiAnswer> {
  const method = raw?.method ?? "POST"
  const headers: Record<string, string> = {}
  if (method !== "GET") headers["Content-Type"] = raw?.contentType ?? "application/x-www-form-urlencoded"
  const res = await fetch(`${sim.url}/api.php`, {
    method,
    headers,
    body: method === "GET" ? undefined : raw?.body ?? new URLSearchParams(fields).toString(),
  })
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, contentType: res.headers.get("content-type"), text, json }
}

/** The documented signature: HMAC-SHA256 lower hex of `{price}|{currency}|{order_id}|{timestamp}`. */
export const signCheckout = (secret: string, price: string, currency: string, orderId: string, timestamp: string): string =>
  quantapayCheckoutSignature(secret, { price, currency, orderId, timestamp })

export const unixNow = (sim: QuantapaySimulator): number => Math.floor(Date.parse(sim.state().now) / 1000)

/** JSON control call to the simulator. */
export async function control(sim: QuantapaySimulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json()) as any } // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface Hit {
  headers: http.IncomingHttpHeaders
  body: string
}

/** A merchant webhook endpoint that answers every POST with `status` and keeps what arrived. */
export async function webhookInbox(status = 200) {
  const hits: Hit[] = []
  const server = http.createServer(async (req, res) => {
    let body = ""
    for await (const chunk of req) body += String(chunk)
    hits.push({ headers: req.headers, body })
    res.statusCode = status
    res.end(status === 200 ? "ok" : "nope")
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks/quantapay`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Polls `probe` until it returns something truthy (or fails after `ms`). */
export async function eventually<T>(probe: () => T | undefined | null | false, ms = 2000): Promise<T> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const value = probe()
    if (value) return value
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error("timed out waiting for a condition")
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
