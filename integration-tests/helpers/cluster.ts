import { spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import http from "node:http"
import os from "node:os"
import path from "node:path"
import axios from "axios"
import { Client } from "pg"
import { freePort } from "../../scripts/database"
import { startRedis, type Redis } from "../../scripts/redis"
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from "../../scripts/demo-config"
import { demoShopper } from "./demo-shop"
import { CREDENTIALS, gatewayEnv, startGateways, stopGateways, type Gateways } from "./gateways"

/**
 * Several real Medusa processes of the dev store (`medusa start`, each its own Node process) on one
 * PostgreSQL and, when asked, one Redis with Medusa's own Redis modules, the three simulators in this
 * process, and a load balancer in front of the instances that serve HTTP (the URL the gateways are given
 * for webhooks). Instances can be killed (SIGKILL, nothing cleaned up) and started again.
 */
const ROOT = path.resolve(__dirname, "../..")
const MEDUSA_CLI = require.resolve("@medusajs/cli/cli.js")

export type Mode = "server" | "worker" | "shared"

export type Instance = {
  name: string
  mode: Mode
  port: number
  url: string
  log: string
  process: ChildProcess | undefined
  /** SIGKILL: the process dies with whatever it was doing. */
  kill(): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
  logText(): string
}

export type { Seeded } from "./demo-shop"
import type { Seeded } from "./demo-shop"

export type Cluster = {
  instances: Instance[]
  /** Instances that serve the API. */
  http: Instance[]
  /** The load balancer the gateways send webhooks to, with every request it passed on and to whom. */
  balancer: { url: string; port: number; hits: BalancerHit[] }
  gateways: Gateways
  /** What the instances sent each gateway, recorded on the way (the instances talk to the simulators through these). */
  calls: { qfpay: RecordedCall[]; quantapay: RecordedCall[]; qbitpay: RecordedCall[] }
  redis: Redis | undefined
  databaseUrl: string
  seeded: Seeded
  adminHeaders(): Promise<Record<string, string>>
  /** Runs SQL against the cluster's database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>
  stop(): Promise<void>
}

function dbServerUrl(): string {
  const user = encodeURIComponent(process.env.DB_USERNAME || "postgres")
  const pass = process.env.DB_PASSWORD ? `:${encodeURIComponent(process.env.DB_PASSWORD)}` : ""
  return `postgres://${user}${pass}@${process.env.DB_HOST || "localhost"}:${process.env.DB_PORT || 5432}`
}

async function runCli(args: string[], env: NodeJS.ProcessEnv, logFile: string, what: string): Promise<void> {
  const out = fs.openSync(logFile, "a")
  const child = spawn(process.execPath, [MEDUSA_CLI, ...args], { cwd: ROOT, env, stdio: ["ignore", out, out] })
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
  fs.closeSync(out)
  if (code !== 0) throw new Error(`${what} failed (exit ${code}); last lines:\n${fs.readFileSync(logFile, "utf8").split("\n").slice(-30).join("\n")}`)
}

async function waitForHealth(instance: Instance, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (instance.process?.exitCode !== null && instance.process?.exitCode !== undefined) {
      throw new Error(`${instance.name} exited during start-up (code ${instance.process.exitCode}):\n${instance.logText().split("\n").slice(-30).join("\n")}`)
    }
    try {
      const res = await axios.get(`${instance.url}/health`, { timeout: 2000, validateStatus: () => true })
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${instance.name} did not answer /health within ${timeoutMs / 1000} s`)
}

/** Round-robin in front of the HTTP instances, as a load balancer would be (the gateways' webhook URL). */
export type BalancerHit = { instance: string; method: string; path: string; at: number }

async function startBalancer(targets: () => Instance[]): Promise<{ url: string; port: number; hits: BalancerHit[]; close(): Promise<void> }> {
  let next = 0
  const hits: BalancerHit[] = []
  const server = http.createServer((req, res) => {
    const alive = targets().filter((t) => t.process && t.process.exitCode === null)
    if (!alive.length) {
      res.writeHead(503).end("no instance")
      return
    }
    const target = alive[next++ % alive.length]
    hits.push({ instance: target.name, method: req.method ?? "", path: req.url ?? "", at: Date.now() })
    const upstream = http.request({ host: "127.0.0.1", port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers)
      up.pipe(res)
    })
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502)
      res.end("upstream error")
    })
    req.pipe(upstream)
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return { url: `http://localhost:${port}`, port, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

export type RecordedCall = { method: string; path: string; body: string; start: number; end: number }

/**
 * A pass-through proxy in front of a simulator that records every call with its start and end time, to see
 * from the gateway's side what the instances did (and whether two of them did it at once).
 */
async function recordingProxy(target: string): Promise<{ url: string; calls: RecordedCall[]; close(): Promise<void> }> {
  const upstreamUrl = new URL(target)
  const calls: RecordedCall[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      const call: RecordedCall = { method: req.method ?? "", path: req.url ?? "", body: body.toString("utf8"), start: Date.now(), end: 0 }
      calls.push(call)
      const upstream = http.request(
        { host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstreamUrl.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
          up.on("end", () => (call.end = Date.now()))
        }
      )
      upstream.on("error", () => {
        call.end = Date.now()
        if (!res.headersSent) res.writeHead(502)
        res.end()
      })
      upstream.end(body)
    })
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return { url: `http://localhost:${port}`, calls, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

export async function startCluster(opts: {
  instances: Array<{ name: string; mode: Mode }>
  redis: boolean
  env?: Record<string, string>
  /** Node options for the instances only (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  nodeArgs?: string[]
  log?: (msg: string) => void
}): Promise<Cluster> {
  const log = opts.log ?? ((m: string) => process.stdout.write(`[cluster] ${m}\n`))
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-cluster-"))
  const redis = opts.redis ? await startRedis({ log }) : undefined
  const dbName = `medusa_cluster_${Date.now()}`
  const server = dbServerUrl()
  const admin = new Client({ connectionString: `${server}/postgres` })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${dbName}"`)
  await admin.end()
  const databaseUrl = `${server}/${dbName}`

  const instances: Instance[] = []
  const balancer = await startBalancer(() => instances.filter((i) => i.mode !== "worker"))
  const gateways = await startGateways(balancer.port)
  const proxies = {
    qfpay: await recordingProxy(gateways.qfpay.url),
    quantapay: await recordingProxy(gateways.quantapay.url),
    qbitpay: await recordingProxy(gateways.qbitpay.url),
  }
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...gatewayEnv(gateways, balancer.port),
    QFPAY_BASE_URL: proxies.qfpay.url,
    QUANTAPAY_BASE_URL: proxies.quantapay.url,
    QBITPAY_BASE_URL: proxies.qbitpay.url,
    NODE_ENV: "development",
    NODE_OPTIONS: "",
    TEST_TYPE: "",
    JEST_WORKER_ID: "",
    DATABASE_URL: databaseUrl,
    DB_HOST: "",
    MEDUSA_ADMIN_DISABLED: "true",
    MEDUSA_DISABLE_TELEMETRY: "true",
    MEDUSA_BACKEND_URL: balancer.url,
    ...(redis ? { REDIS_URL: redis.url } : { REDIS_URL: "" }),
    ...(opts.env ?? {}),
  }
  log(`database ${dbName}; logs in ${logDir}`)
  await runCli(["db:migrate"], baseEnv, path.join(logDir, "migrate.log"), "db:migrate")
  const seedOut = path.join(logDir, "seed.json")
  await runCli(["exec", "./scripts/demo-seed.ts"], { ...baseEnv, DEMO_SEED_OUTPUT: seedOut }, path.join(logDir, "seed.log"), "seeding")
  const seeded = JSON.parse(fs.readFileSync(seedOut, "utf8")) as Seeded

  for (const spec of opts.instances) {
    const port = await freePort()
    const logFile = path.join(logDir, `${spec.name}.log`)
    const instance: Instance = {
      name: spec.name,
      mode: spec.mode,
      port,
      url: `http://localhost:${port}`,
      log: logFile,
      process: undefined,
      logText: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : ""),
      async start() {
        const out = fs.openSync(logFile, "a")
        const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), MEDUSA_CLI, "start", "--port", String(port)], {
          cwd: ROOT,
          env: { ...baseEnv, PORT: String(port), MEDUSA_WORKER_MODE: spec.mode, INSTANCE_NAME: spec.name },
          stdio: ["ignore", out, out],
          detached: true,
        })
        fs.closeSync(out)
        instance.process = child
        await waitForHealth(instance)
      },
      async kill() {
        const child = instance.process
        if (!child || child.exitCode !== null) return
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
        try {
          process.kill(-child.pid!, "SIGKILL")
        } catch {
          child.kill("SIGKILL")
        }
        await exited
      },
      async stop() {
        const child = instance.process
        if (!child || child.exitCode !== null) return
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
        try {
          process.kill(-child.pid!, "SIGTERM")
        } catch {
          child.kill("SIGTERM")
        }
        const timer = setTimeout(() => void instance.kill(), 10_000)
        await exited
        clearTimeout(timer)
      },
    }
    instances.push(instance)
  }
  const started = Date.now()
  await Promise.all(instances.map((i) => i.start()))
  log(`${instances.length} Medusa instances up in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  let token: string | undefined
  const http_ = instances.filter((i) => i.mode !== "worker")
  return {
    instances,
    http: http_,
    balancer,
    gateways,
    calls: { qfpay: proxies.qfpay.calls, quantapay: proxies.quantapay.calls, qbitpay: proxies.qbitpay.calls },
    redis,
    databaseUrl,
    seeded,
    async adminHeaders() {
      if (!token) {
        const { data } = await axios.post(`${http_[0].url}/auth/user/emailpass`, { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD })
        token = data.token as string
      }
      return { authorization: `Bearer ${token}` }
    },
    async sql(text, params) {
      const client = new Client({ connectionString: databaseUrl })
      await client.connect()
      try {
        return (await client.query(text, params as unknown[])).rows
      } finally {
        await client.end()
      }
    },
    async stop() {
      await Promise.all(instances.map((i) => i.stop().catch(() => undefined)))
      await stopGateways(gateways)
      await Promise.all([balancer.close(), proxies.qfpay.close(), proxies.quantapay.close(), proxies.qbitpay.close()])
      await redis?.stop()
    },
  }
}

/** A shopper on one instance of the demo store (see helpers/demo-shop). */
export function shopper(cluster: Cluster, via: Instance) {
  return demoShopper(axios.create({ baseURL: via.url, validateStatus: () => true }), cluster.seeded)
}

export { CREDENTIALS }
