/**
 * Outgoing HTTP POSTs of the simulators (webhooks, notifications). Every request in flight is tracked so
 * reset()/close() can abort them all; the promise never rejects, it reports what happened instead.
 */
import http from "node:http"
import https from "node:https"
import { URL } from "node:url"

export interface PostOutcome {
  status?: number
  /** Start of the response body (at most 64 KiB are kept). */
  body?: string
  error?: string
}

export class OutboundPoster {
  private readonly inflight = new Set<http.ClientRequest>()

  /** POSTs `body` to `url` with `headers` (Content-Length is added); times out after `timeoutMs`. */
  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return Promise.resolve({ error: "invalid URL" })
    }
    const client = target.protocol === "https:" ? https : target.protocol === "http:" ? http : undefined
    if (!client) return Promise.resolve({ error: `unsupported protocol ${target.protocol}` })

    return new Promise<PostOutcome>((resolve) => {
      let settled = false
      const finish = (outcome: PostOutcome): void => {
        if (settled) return
        settled = true
        this.inflight.delete(req)
        resolve(outcome)
      }
      const req = client.request(
        target,
        { method: "POST", headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) } },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on("data", (chunk: Buffer) => {
            if (size < 64 * 1024) chunks.push(chunk)
            size += chunk.length
          })
          res.on("end", () => finish({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }))
          res.on("error", (err) => finish({ status: res.statusCode, error: err.message }))
        }
      )
      this.inflight.add(req)
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)))
      req.on("error", (err) => finish({ error: err.message }))
      req.end(body)
    })
  }

  /** Aborts every request in flight (their promises resolve with an error). */
  abortAll(): void {
    for (const req of this.inflight) req.destroy()
    this.inflight.clear()
  }
}
