import http, { IncomingMessage, ServerResponse } from "node:http"
import { AddressInfo } from "node:net"
import { GatewayError } from "../errors"
import {
  AttemptOutcome,
  backoffMs,
  createHttpClient,
  HttpClientOptions,
  insecureBaseUrlProblem,
  LoggerLike,
  RetryPolicy,
  shouldRetry,
} from "../http"

// ---------------------------------------------------------------------------------------------------------
// Pure retry decision and backoff
// ---------------------------------------------------------------------------------------------------------

describe("http: shouldRetry", () => {
  const notSent: AttemptOutcome = { kind: "not_sent" }
  const maybeSent: AttemptOutcome = { kind: "maybe_sent" }
  const status = (s: number, rateLimited = false): AttemptOutcome => ({ kind: "response", status: s, rateLimited })

  it.each<[string, AttemptOutcome, RetryPolicy, boolean]>([
    ["not_sent", notSent, "idempotent", true],
    ["not_sent", notSent, "never", true],
    ["maybe_sent", maybeSent, "idempotent", true],
    ["maybe_sent", maybeSent, "never", false],
    ["HTTP 500", status(500), "idempotent", true],
    ["HTTP 500", status(500), "never", false],
    ["HTTP 502", status(502), "idempotent", true],
    ["HTTP 503", status(503), "never", false],
    ["HTTP 599", status(599), "idempotent", true],
    ["HTTP 429 rate limited", status(429, true), "idempotent", true],
    ["HTTP 429 rate limited", status(429, true), "never", true],
    ["HTTP 403 rate limited (hook)", status(403, true), "never", true],
    ["HTTP 503 rate limited (hook)", status(503, true), "never", true],
    ["HTTP 400", status(400), "idempotent", false],
    ["HTTP 400", status(400), "never", false],
    ["HTTP 401", status(401), "idempotent", false],
    ["HTTP 404", status(404), "idempotent", false],
    ["HTTP 409", status(409), "never", false],
    ["HTTP 429 not flagged", status(429, false), "idempotent", false],
    ["HTTP 200", status(200), "idempotent", false],
  ])("%s under %s -> %s (attempt 0 of 2)", (_label, outcome, policy, expected) => {
    expect(shouldRetry(outcome, 0, 2, policy)).toBe(expected)
  })

  it.each<[AttemptOutcome, RetryPolicy]>([
    [notSent, "never"],
    [notSent, "idempotent"],
    [maybeSent, "idempotent"],
    [status(500), "idempotent"],
    [status(429, true), "never"],
  ])("never retries once attempt >= maxRetries (%p, %s)", (outcome, policy) => {
    expect(shouldRetry(outcome, 1, 2, policy)).toBe(true)
    expect(shouldRetry(outcome, 2, 2, policy)).toBe(false)
    expect(shouldRetry(outcome, 3, 2, policy)).toBe(false)
    expect(shouldRetry(outcome, 0, 0, policy)).toBe(false)
  })
})

describe("http: backoffMs", () => {
  it("stays within 250..5000 ms for any attempt and random value", () => {
    for (let attempt = 0; attempt < 30; attempt++) {
      for (const r of [0, 0.1, 0.5, 0.9, 0.999999, 1]) {
        const ms = backoffMs(attempt, () => r)
        expect(ms).toBeGreaterThanOrEqual(250)
        expect(ms).toBeLessThanOrEqual(5000)
        expect(Number.isInteger(ms)).toBe(true)
      }
    }
  })

  it("grows exponentially from 500 ms and caps at 5 s (fixed jitter)", () => {
    const mid = () => 0.5 // jitter factor 0.75
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffMs(a, mid))).toEqual([375, 750, 1500, 3000, 3750, 3750, 3750])
  })

  it("applies jitter in [0.5, 1) of the base, with a 250 ms floor", () => {
    expect(backoffMs(0, () => 0)).toBe(250)
    expect(backoffMs(1, () => 0)).toBe(500)
    expect(backoffMs(2, () => 0)).toBe(1000)
    expect(backoffMs(2, () => 0.999999)).toBe(2000)
    expect(backoffMs(10, () => 0)).toBe(2500)
    expect(backoffMs(10, () => 0.999999)).toBe(5000)
    expect(backoffMs(3, () => 0.2)).not.toBe(backoffMs(3, () => 0.8))
  })

  it("uses Math.random by default and stays in bounds", () => {
    for (let i = 0; i < 50; i++) {
      const ms = backoffMs(1)
      expect(ms).toBeGreaterThanOrEqual(500)
      expect(ms).toBeLessThanOrEqual(1000)
    }
  })

  it("honours Retry-After when longer than the backoff, up to 5 s", () => {
    expect(backoffMs(0, () => 0, 3000)).toBe(3000)
    expect(backoffMs(0, () => 0, 5000)).toBe(5000)
    expect(backoffMs(0, () => 0, 60_000)).toBe(5000)
    expect(backoffMs(0, () => 0, 100)).toBe(250)
    expect(backoffMs(0, () => 0, 0)).toBe(250)
    expect(backoffMs(3, () => 0.5, 1000)).toBe(3000)
  })
})

describe("http: insecureBaseUrlProblem", () => {
  it.each(["https://openapi-hk.qfapi.com", "https://example.com:8443/x", "http://localhost:9000", "http://localhost", "http://127.0.0.1:4010", "http://[::1]:3000/"])(
    "accepts %s",
    (url) => {
      expect(insecureBaseUrlProblem(url)).toBeUndefined()
    }
  )

  it.each(["http://example.com", "http://openapi-hk.qfapi.com", "http://10.0.0.5", "http://localhost.example.com", "http://127.0.0.1.nip.io", "ftp://localhost", "ws://localhost"])(
    "refuses %s as insecure",
    (url) => {
      expect(insecureBaseUrlProblem(url)).toMatch(/must use https/)
    }
  )

  it.each(["", "garbage", "//example.com", "https//x", "127.0.0.1:9000"])("refuses %p as not a URL", (url) => {
    expect(insecureBaseUrlProblem(url)).toBe("is not a valid URL")
  })

  it("refuses a scheme-less host:port (parsed as an unknown scheme)", () => {
    expect(insecureBaseUrlProblem("localhost:9000")).toMatch(/must use https/)
  })
})

// ---------------------------------------------------------------------------------------------------------
// Wire tests against a real local server
// ---------------------------------------------------------------------------------------------------------

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }
type Handler = (req: IncomingMessage, res: ServerResponse, body: string, index: number) => void

let server: http.Server
let baseURL: string
let seen: Seen[] = []
let handler: Handler = (_req, res) => res.end("ok")

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8")
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body })
      handler(req, res, body, seen.length - 1)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(() => {
  seen = []
  handler = (_req, res) => res.end("ok")
  server.closeAllConnections()
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

function client(overrides: Partial<HttpClientOptions> = {}) {
  const sleeps: number[] = []
  const c = createHttpClient({
    gateway: "TestPay",
    baseURL,
    timeoutMs: 200,
    maxRetries: 2,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
    random: () => 0,
    ...overrides,
  })
  return { ...c, sleeps }
}

async function gatewayError(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError)
    return error as GatewayError
  }
  throw new Error("expected the request to fail")
}

const respond =
  (status: number, body = "", headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(status, headers)
    res.end(body)
  }

async function closedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

describe("http client: responses", () => {
  it("passes a 200 through with the raw body text and lower-cased headers", async () => {
    const raw = '{"respcd": "0000",  "txamt": "1050", "big": 12345678901234567890}'
    handler = respond(200, raw, { "Content-Type": "application/json", "X-Acme-SIGN": "ABC" })
    const { request } = client()
    const res = await request({ operation: "query", method: "POST", path: "/trade/v1/query", form: { a: "1" }, retry: "idempotent" })
    expect(res.status).toBe(200)
    expect(res.body).toBe(raw)
    expect(res.headers["content-type"]).toBe("application/json")
    expect(res.headers["x-acme-sign"]).toBe("ABC")
    expect(seen).toHaveLength(1)
  })

  it("returns a non-JSON body and an empty body as text", async () => {
    handler = respond(200, "<html>not json</html>", { "Content-Type": "text/html" })
    const { request } = client()
    expect((await request({ operation: "x", method: "GET", path: "/", retry: "never" })).body).toBe("<html>not json</html>")
    handler = respond(204)
    const empty = await request({ operation: "x", method: "GET", path: "/", retry: "never" })
    expect(empty.status).toBe(204)
    expect(empty.body).toBe("")
  })

  it.each([400, 401, 403, 404, 409, 422])("returns HTTP %i instead of throwing, without retrying", async (status) => {
    handler = respond(status, '{"error":"nope"}')
    const { request, sleeps } = client()
    const res = await request({ operation: "x", method: "POST", path: "/x", retry: "idempotent" })
    expect(res.status).toBe(status)
    expect(res.body).toBe('{"error":"nope"}')
    expect(seen).toHaveLength(1)
    expect(sleeps).toHaveLength(0)
  })

  it("does not follow redirects", async () => {
    handler = (req, res) => {
      if (req.url === "/elsewhere") return respond(200, "followed")(req, res, "", 0)
      respond(302, "", { Location: `${baseURL}/elsewhere` })(req, res, "", 0)
    }
    const { request } = client()
    const res = await request({ operation: "x", method: "GET", path: "/start", retry: "idempotent" })
    expect(res.status).toBe(302)
    expect(seen.map((s) => s.url)).toEqual(["/start"])
  })
})

describe("http client: what goes on the wire", () => {
  it("sends a form body as application/x-www-form-urlencoded, in insertion order, with raw values encoded once", async () => {
    const { request } = client()
    const form = { txdtm: "2025-11-17 18:00:00", mchid: "M1", note: "a&b=c+d/é" }
    await request({ operation: "pay", method: "POST", path: "/trade/v1/payment", form, retry: "never" })
    expect(seen).toHaveLength(1)
    const [req] = seen
    expect(req.method).toBe("POST")
    expect(req.url).toBe("/trade/v1/payment")
    expect(req.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/)
    expect(req.body).toBe(new URLSearchParams(form).toString())
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual(form)
    expect([...new URLSearchParams(req.body).keys()]).toEqual(["txdtm", "mchid", "note"])
    expect(req.headers.accept).toBe("application/json")
  })

  it("sends a JSON body as application/json", async () => {
    const { request } = client()
    await request({ operation: "charge", method: "POST", path: "/v1/charges", json: { amount: 1050, meta: { a: [1] } }, retry: "never" })
    expect(seen[0].headers["content-type"]).toMatch(/^application\/json/)
    expect(JSON.parse(seen[0].body)).toEqual({ amount: 1050, meta: { a: [1] } })
  })

  it("sends query parameters and custom headers", async () => {
    const { request } = client()
    await request({
      operation: "query",
      method: "GET",
      path: "/trade/v1/query",
      query: { syssn: "123", out_trade_no: "payses_01" },
      headers: { "X-Acme-APPCODE": "APP1", "X-Acme-SIGN": "SIGVALUE" },
      retry: "idempotent",
    })
    const url = new URL(seen[0].url, baseURL)
    expect(url.pathname).toBe("/trade/v1/query")
    expect(url.searchParams.get("syssn")).toBe("123")
    expect(url.searchParams.get("out_trade_no")).toBe("payses_01")
    expect(seen[0].headers["x-acme-appcode"]).toBe("APP1")
    expect(seen[0].headers["x-acme-sign"]).toBe("SIGVALUE")
  })

  it("sends a basic auth header (password defaults to empty)", async () => {
    const { request } = client()
    await request({ operation: "x", method: "GET", path: "/", auth: { username: "sk_test_123" }, retry: "never" })
    await request({ operation: "x", method: "GET", path: "/", auth: { username: "user", password: "pw" }, retry: "never" })
    expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from("sk_test_123:").toString("base64")}`)
    expect(seen[1].headers.authorization).toBe(`Basic ${Buffer.from("user:pw").toString("base64")}`)
  })

  it("sends no authorization header without auth", async () => {
    const { request } = client()
    await request({ operation: "x", method: "GET", path: "/", retry: "never" })
    expect(seen[0].headers.authorization).toBeUndefined()
  })

  it("strips trailing slashes from the base URL and keeps a base path", async () => {
    const { request, baseURL: configured } = client({ baseURL: `${baseURL}/api///` })
    expect(configured).toBe(`${baseURL}/api///`)
    await request({ operation: "x", method: "GET", path: "/v1/ping", retry: "never" })
    expect(seen[0].url).toBe("/api/v1/ping")
  })

  it("ignores proxy settings from the environment", async () => {
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy }
    process.env.HTTP_PROXY = "http://127.0.0.1:9"
    process.env.http_proxy = "http://127.0.0.1:9"
    delete process.env.NO_PROXY
    delete process.env.no_proxy
    try {
      const { request } = client()
      const res = await request({ operation: "x", method: "GET", path: "/direct", retry: "never" })
      expect(res.status).toBe(200)
      expect(seen.map((s) => s.url)).toEqual(["/direct"])
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })
})

describe("http client: server errors and rate limits", () => {
  it("turns a 500 on a 'never' request into an indeterminate GatewayError after exactly 1 request", async () => {
    handler = respond(500, "boom")
    const { request, sleeps } = client({ maxRetries: 3 })
    const error = await gatewayError(request({ operation: "refund", method: "POST", path: "/trade/v1/refund", form: { a: "1" }, retry: "never" }))
    expect(error.kind).toBe("indeterminate")
    expect(error.maybeProcessed).toBe(true)
    expect(error.httpStatus).toBe(500)
    expect(error.gateway).toBe("TestPay")
    expect(error.message).toContain("refund failed with HTTP 500")
    expect(seen).toHaveLength(1)
    expect(sleeps).toHaveLength(0)
  })

  it("retries a 500 on an 'idempotent' request 1 + maxRetries times, then throws", async () => {
    handler = respond(502, "bad gateway")
    const { request, sleeps } = client({ maxRetries: 2 })
    const error = await gatewayError(request({ operation: "query", method: "POST", path: "/q", retry: "idempotent" }))
    expect(seen).toHaveLength(3)
    expect(sleeps).toEqual([250, 500])
    expect(error.httpStatus).toBe(502)
    expect(error.kind).toBe("retry_later")
  })

  it("returns the first good answer after a transient 503 on an idempotent request", async () => {
    handler = (req, res, body, i) => (i === 0 ? respond(503)(req, res, body, i) : respond(200, "fine")(req, res, body, i))
    const { request, sleeps } = client()
    const res = await request({ operation: "query", method: "GET", path: "/q", retry: "idempotent" })
    expect(res.body).toBe("fine")
    expect(seen).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
  })

  it("retries a 429 even for a 'never' request and honours Retry-After", async () => {
    handler = (req, res, body, i) =>
      i === 0 ? respond(429, "slow down", { "Retry-After": "2" })(req, res, body, i) : respond(200, '{"ok":true}')(req, res, body, i)
    const { request, sleeps } = client()
    const res = await request({ operation: "pay", method: "POST", path: "/pay", form: { a: "1" }, retry: "never" })
    expect(res.status).toBe(200)
    expect(res.body).toBe('{"ok":true}')
    expect(seen).toHaveLength(2)
    expect(seen[1].body).toBe(seen[0].body)
    expect(sleeps).toEqual([2000])
  })

  it("caps a long Retry-After at 5 s and ignores an unparseable one", async () => {
    handler = (req, res, body, i) =>
      respond(429, "", { "Retry-After": i === 0 ? "3600" : "Wed, 21 Oct 2015 07:28:00 GMT" })(req, res, body, i)
    const { request, sleeps } = client({ maxRetries: 2 })
    const error = await gatewayError(request({ operation: "pay", method: "POST", path: "/pay", retry: "never" }))
    expect(sleeps).toEqual([5000, 500])
    expect(error.kind).toBe("rate_limited")
    expect(error.maybeProcessed).toBe(false)
    expect(error.httpStatus).toBe(429)
    expect(seen).toHaveLength(3)
  })

  it("uses the isRateLimited hook to retry a gateway-specific rate-limit answer", async () => {
    const isRateLimited = jest.fn((r: { status: number; body: string }) => r.status === 403 && r.body.includes("rate_limit_error"))
    handler = (req, res, body, i) =>
      i < 2 ? respond(403, '{"type":"rate_limit_error"}')(req, res, body, i) : respond(200, "ok")(req, res, body, i)
    const { request } = client({ isRateLimited })
    const res = await request({ operation: "charge", method: "POST", path: "/c", retry: "never" })
    expect(res.body).toBe("ok")
    expect(seen).toHaveLength(3)
    expect(isRateLimited).toHaveBeenCalledTimes(3)
  })

  it("returns a 403 the hook does not flag, and reports a persistent flagged one as rate_limited", async () => {
    handler = respond(403, '{"type":"permission_error"}')
    const isRateLimited = (r: { body: string }) => r.body.includes("rate_limit_error")
    const { request } = client({ isRateLimited })
    expect((await request({ operation: "c", method: "POST", path: "/c", retry: "never" })).status).toBe(403)
    expect(seen).toHaveLength(1)

    seen = []
    handler = respond(403, '{"type":"rate_limit_error"}')
    const error = await gatewayError(request({ operation: "c", method: "POST", path: "/c", retry: "never" }))
    expect(error.kind).toBe("rate_limited")
    expect(error.httpStatus).toBe(403)
    expect(seen).toHaveLength(3)
  })

  it("does not retry at all with maxRetries 0", async () => {
    handler = respond(429)
    const { request, sleeps } = client({ maxRetries: 0 })
    const error = await gatewayError(request({ operation: "x", method: "GET", path: "/", retry: "idempotent" }))
    expect(error.kind).toBe("rate_limited")
    expect(seen).toHaveLength(1)
    expect(sleeps).toHaveLength(0)
  })

  it("stops retrying when the next backoff would pass the deadline", async () => {
    handler = respond(500)
    const { request, sleeps } = client({ maxRetries: 5, deadlineMs: 200 })
    const error = await gatewayError(request({ operation: "query", method: "GET", path: "/", retry: "idempotent" }))
    expect(error.httpStatus).toBe(500)
    expect(seen).toHaveLength(1)
    expect(sleeps).toHaveLength(0)
  })
})

describe("http client: network failures", () => {
  const hang: Handler = () => {
    // never answers
  }

  it("times out a hanging 'never' request as indeterminate after 1 request", async () => {
    handler = hang
    const { request, sleeps } = client({ timeoutMs: 200, maxRetries: 2 })
    const error = await gatewayError(request({ operation: "pay", method: "POST", path: "/pay", form: { a: "1" }, retry: "never" }))
    expect(error.kind).toBe("indeterminate")
    expect(error.maybeProcessed).toBe(true)
    expect(error.message).toMatch(/timed out/)
    expect(seen).toHaveLength(1)
    expect(sleeps).toHaveLength(0)
  })

  it("retries a hanging 'idempotent' request 1 + maxRetries times", async () => {
    handler = hang
    const { request, sleeps } = client({ timeoutMs: 150, maxRetries: 2 })
    const error = await gatewayError(request({ operation: "query", method: "GET", path: "/q", retry: "idempotent" }))
    expect(error.kind).toBe("indeterminate")
    expect(seen).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
  })

  it("caps the per-attempt timeout at the remaining deadline", async () => {
    handler = hang
    const { request } = client({ timeoutMs: 60_000, deadlineMs: 250, maxRetries: 3 })
    const error = await gatewayError(request({ operation: "query", method: "GET", path: "/q", retry: "idempotent" }))
    expect(error.kind).toBe("indeterminate")
    expect(error.message).toMatch(/timed out after \d+ ms/)
    expect(Number(/after (\d+) ms/.exec(error.message)![1])).toBeLessThanOrEqual(250)
    expect(seen).toHaveLength(1)
  })

  it("reports a refused connection as not_sent and retries it even for 'never'", async () => {
    const port = await closedPort()
    const { request, sleeps } = client({ baseURL: `http://127.0.0.1:${port}`, maxRetries: 2 })
    const error = await gatewayError(request({ operation: "refund", method: "POST", path: "/r", form: { a: "1" }, retry: "never" }))
    expect(error.kind).toBe("not_sent")
    expect(error.maybeProcessed).toBe(false)
    expect(error.message).toMatch(/ECONNREFUSED/)
    expect(sleeps).toEqual([250, 500])
  })

  it("reports a socket destroyed mid-request as indeterminate, without retrying 'never'", async () => {
    handler = (req) => req.socket.destroy()
    const { request, sleeps } = client()
    const error = await gatewayError(request({ operation: "refund", method: "POST", path: "/r", form: { a: "1" }, retry: "never" }))
    expect(error.kind).toBe("indeterminate")
    expect(error.message).toMatch(/network error/)
    expect(seen).toHaveLength(1)
    expect(sleeps).toHaveLength(0)
  })

  it("reports a socket destroyed after a partial response as indeterminate", async () => {
    handler = (req, res) => {
      res.writeHead(200, { "Content-Length": "100" })
      res.write('{"respcd": "00')
      setTimeout(() => req.socket.destroy(), 10)
    }
    const { request } = client()
    const error = await gatewayError(request({ operation: "pay", method: "POST", path: "/p", retry: "never" }))
    expect(error.kind).toBe("indeterminate")
    expect(seen).toHaveLength(1)
  })

  it("retries a reset idempotent request and returns the later answer", async () => {
    handler = (req, res, body, i) => (i === 0 ? req.socket.destroy() : respond(200, "second")(req, res, body, i))
    const { request } = client()
    const res = await request({ operation: "query", method: "GET", path: "/q", retry: "idempotent" })
    expect(res.body).toBe("second")
    expect(seen).toHaveLength(2)
  })
})

describe("http client: logging never leaks secrets or signatures", () => {
  const SECRET = "CLIENTKEY_0123456789abcdef"
  const SIGNATURE = "9F86D081884C7D659A2FEAE0C55AD015"

  function capture() {
    const lines: Array<[string, string]> = []
    const logger: LoggerLike = {
      debug: (m) => lines.push(["debug", m]),
      info: (m) => lines.push(["info", m]),
      warn: (m) => lines.push(["warn", m]),
      error: (m) => lines.push(["error", m]),
    }
    return { lines, logger }
  }

  const secretRequest = () => ({
    operation: "payment",
    method: "POST" as const,
    path: "/trade/v1/payment",
    headers: { "X-Acme-APPCODE": "APPCODE1", "X-Acme-SIGN": SIGNATURE, "X-Extra": `k=${SECRET}` },
    form: { mchid: "M1", txamt: "1050", note: `contains ${SECRET} inside`, sign: SIGNATURE },
    retry: "never" as const,
  })

  it("redacts request and response logs with debug on, while sending the real values", async () => {
    handler = respond(200, JSON.stringify({ respcd: "0000", sign: SIGNATURE, echo: SECRET }), { "Content-Type": "application/json" })
    const { lines, logger } = capture()
    const { request } = client({ debug: true, logger, secrets: [SECRET, undefined] })
    await request(secretRequest())

    // The wire carries the real values.
    expect(seen[0].headers["x-acme-sign"]).toBe(SIGNATURE)
    expect(new URLSearchParams(seen[0].body).get("note")).toBe(`contains ${SECRET} inside`)

    expect(lines.length).toBeGreaterThanOrEqual(2)
    expect(lines.some(([level]) => level === "debug")).toBe(true)
    const all = lines.map(([, m]) => m).join("\n")
    expect(all).toContain("TestPay payment POST /trade/v1/payment")
    expect(all).toContain("APPCODE1")
    expect(all).toContain("[REDACTED]")
    expect(all).not.toContain(SECRET)
    expect(all).not.toContain(SIGNATURE)
    expect(all).not.toContain(SIGNATURE.toLowerCase())
  })

  it("redacts warn lines on failures too", async () => {
    handler = respond(500, JSON.stringify({ sign: SIGNATURE, msg: SECRET }))
    const { lines, logger } = capture()
    const { request } = client({ debug: true, logger, secrets: [SECRET], maxRetries: 1 })
    await gatewayError(request({ ...secretRequest(), path: `/trade/v1/payment?key=${SECRET}` }))
    expect(lines.some(([level]) => level === "warn")).toBe(true)
    const all = lines.map(([, m]) => m).join("\n")
    expect(all).not.toContain(SECRET)
    expect(all).not.toContain(SIGNATURE)
  })

  it("logs no bodies or debug lines with debug off", async () => {
    handler = respond(200, JSON.stringify({ respcd: "0000" }))
    const { lines, logger } = capture()
    const { request } = client({ logger, secrets: [SECRET] })
    await request(secretRequest())
    expect(lines).toEqual([])
  })

  it("falls back to info when the logger has no debug method", async () => {
    const lines: string[] = []
    const logger: LoggerLike = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) }
    const { request } = client({ debug: true, logger, secrets: [SECRET] })
    await request(secretRequest())
    expect(lines.length).toBeGreaterThan(0)
    expect(lines.join("\n")).not.toContain(SECRET)
    expect(lines.join("\n")).not.toContain(SIGNATURE)
  })

  it("exposes the redactor configured with the secrets", () => {
    const { redactor } = client({ secrets: [SECRET] })
    expect(redactor.text(`x ${SECRET} y`)).toBe("x [REDACTED] y")
  })

  it("never puts a secret in a thrown error message", async () => {
    const port = await closedPort()
    const { request } = client({ baseURL: `http://127.0.0.1:${port}`, secrets: [SECRET], maxRetries: 0 })
    const error = await gatewayError(request(secretRequest()))
    expect(error.message).not.toContain(SECRET)
    expect(error.message).not.toContain(SIGNATURE)
  })
})
