// Starts a throw-away demo (its own data folder and free ports, so a developer's running demo is left
// alone) and makes sure Debian's Chromium is there. The tests read where everything runs from STATE_FILE.
// A small control server on loopback lets a test restart the demo on the same data folder (POST /restart),
// as a merchant restarting Medusa would: the database, the ledger and the simulators' state survive.
const fs = require("node:fs")
const http = require("node:http")
const os = require("node:os")
const path = require("node:path")
const { spawn } = require("node:child_process")
const { freePort, startDatabase } = require("../../scripts/database")
const { ensureChromium } = require("../../scripts/ensure-chromium")

const ROOT = path.resolve(__dirname, "../..")
const STATE_FILE = path.join(os.tmpdir(), "medusa-payments-browser-tests.json")

async function waitForUrl(url, timeoutMs, child) {
  const started = Date.now()
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`the demo exited (code ${child.exitCode}) before ${url} answered`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`)
}

function logTail(dataDir) {
  const dir = path.join(dataDir, "logs")
  if (!fs.existsSync(dir)) return "(no logs)"
  return fs
    .readdirSync(dir)
    .map((f) => `--- ${f}\n${fs.readFileSync(path.join(dir, f), "utf8").split("\n").slice(-40).join("\n")}`)
    .join("\n")
}

/**
 * Starts `npm run demo` (with --reset the first time) and waits until Medusa and the storefront answer.
 * `env` adds variables for the demo (e.g. DEMO_STOREFRONT_URL, for a suite that runs a storefront of its own).
 */
async function startDemo(dataDir, ports, reset, env = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", "scripts/demo.ts", ...(reset ? ["--reset"] : [])], {
    cwd: ROOT,
    env: {
      ...process.env,
      DEMO_DATA_DIR: dataDir,
      DEMO_MEDUSA_PORT: String(ports.medusa),
      DEMO_STOREFRONT_PORT: String(ports.storefront),
      DEMO_QFPAY_PORT: String(ports.qfpay),
      DEMO_QUANTAPAY_PORT: String(ports.quantapay),
      DEMO_QBITPAY_PORT: String(ports.qbitpay),
      // The jest run's own variables must not leak into the demo's Medusa.
      NODE_OPTIONS: "",
      TEST_TYPE: "",
      DATABASE_URL: "",
      DB_HOST: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  try {
    await waitForUrl(`http://localhost:${ports.medusa}/health`, 240_000, child)
    await waitForUrl(`http://localhost:${ports.storefront}/healthz`, 60_000, child)
  } catch (error) {
    process.stdout.write(`\nDemo output:\n${output}\n${logTail(dataDir)}\n`)
    child.kill("SIGINT")
    throw error
  }
  return child
}

/** Stops the demo the way Ctrl-C does (SIGINT: it stops Medusa, the simulators and PostgreSQL cleanly). */
async function stopDemo(child) {
  if (!child || child.exitCode !== null) return
  const exited = new Promise((r) => child.once("exit", r))
  child.kill("SIGINT")
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
  await exited
  clearTimeout(timer)
}

module.exports = async function globalSetup() {
  ensureChromium({ log: (m) => process.stdout.write(`\n${m}\n`) })
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-demo-browser-"))
  const ports = {
    medusa: await freePort(),
    storefront: await freePort(),
    qfpay: await freePort(),
    quantapay: await freePort(),
    qbitpay: await freePort(),
  }
  const demo = { child: await startDemo(dataDir, ports, true), dataDir }
  globalThis.__BROWSER_DEMO__ = demo
  // A PostgreSQL for stores a test makes itself (the packed plugin's store): embedded, or DATABASE_URL.
  demo.db = await startDatabase({ log: (m) => process.stdout.write(`\n[browser] ${m}\n`) })

  demo.control = http.createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/restart") {
      res.writeHead(404).end()
      return
    }
    const started = Date.now()
    stopDemo(demo.child)
      .then(() => startDemo(dataDir, ports, false))
      .then((child) => {
        demo.child = child
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ restartedInMs: Date.now() - started }))
      })
      .catch((error) => res.writeHead(500).end(String(error && error.message)))
  })
  const controlPort = await freePort()
  await new Promise((r) => demo.control.listen(controlPort, "127.0.0.1", r))

  fs.writeFileSync(STATE_FILE, JSON.stringify({ ports, dataDir, controlUrl: `http://127.0.0.1:${controlPort}`, databaseUrl: demo.db.url }))
  process.stdout.write(`\n[browser] demo up: storefront :${ports.storefront}, Medusa :${ports.medusa}\n`)
}

module.exports.STATE_FILE = STATE_FILE
module.exports.stopDemo = stopDemo
module.exports.startDemo = startDemo
