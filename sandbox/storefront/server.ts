/**
 * The demo storefront's server: static files from ./public, the backend settings as /config.js, and QR
 * codes rendered locally as SVG (/qr.svg?text=…), so a payment QR works with no CDN and no network.
 * The browser talks to Medusa's store API directly (STORE_CORS must include this origin).
 */
import fs from "node:fs"
import http from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"
import QRCode from "qrcode"

export type StorefrontOptions = {
  /** 0 = a free port. */
  port: number
  /** Medusa as the browser reaches it, e.g. http://localhost:9000. */
  backendUrl: string
  publishableKey: string
  /** Interface to listen on. Default 127.0.0.1 (loopback only); "0.0.0.0" to reach it from outside. */
  host?: string
  /** Shown in the page header. */
  storeName?: string
}

export type Storefront = { url: string; port: number; close: () => Promise<void> }

const PUBLIC_DIR = path.join(__dirname, "public")
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
}
/** QR payloads are gateway URLs; anything longer is not a payment code. */
const MAX_QR_TEXT = 2048

export async function startStorefront(options: StorefrontOptions): Promise<Storefront> {
  const config = {
    backendUrl: options.backendUrl.replace(/\/+$/, ""),
    publishableKey: options.publishableKey,
    storeName: options.storeName ?? "Medusa payments demo",
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, 500, "text/plain; charset=utf-8", `Storefront error: ${(error as Error).message}`)
    })
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "Method not allowed")
    const url = new URL(req.url ?? "/", "http://storefront.local")
    if (url.pathname === "/config.js") {
      return send(res, 200, TYPES[".js"], `window.STOREFRONT_CONFIG = ${JSON.stringify(config)};\n`)
    }
    if (url.pathname === "/qr.svg") {
      const text = url.searchParams.get("text") ?? ""
      if (!text || text.length > MAX_QR_TEXT) return send(res, 400, "text/plain", "text is required (at most 2048 characters)")
      const svg = await QRCode.toString(text, { type: "svg", margin: 2, errorCorrectionLevel: "M" })
      return send(res, 200, TYPES[".svg"], svg)
    }
    if (url.pathname === "/healthz") return send(res, 200, "text/plain", "ok")
    if (url.pathname === "/favicon.ico") return send(res, 204, "image/x-icon", "")
    // Static assets; every other path is the single-page app, which routes on location.pathname
    // (e.g. /checkout/return?session_id=…, where the payment gateways send the shopper back).
    const asset = url.pathname.match(/^\/(app\.js|style\.css)$/)
    const file = asset ? asset[1] : "index.html"
    const body = fs.readFileSync(path.join(PUBLIC_DIR, file))
    return send(res, 200, TYPES[path.extname(file)], body)
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  // Shown as "localhost": the origin the gateways' return URLs and Medusa's STORE_CORS use by default.
  const wildcard = !options.host || ["127.0.0.1", "0.0.0.0", "::", "localhost"].includes(options.host)
  return {
    url: `http://${wildcard ? "localhost" : options.host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        // Browsers keep connections open; do not let them hold the shutdown.
        server.closeAllConnections()
      }),
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer) {
  // The pages change between runs of a development demo; never serve a stale copy.
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" })
  res.end(body)
}
