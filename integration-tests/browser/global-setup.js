// Starts a throw-away demo (its own data folder and free ports, so a developer's running demo is left
// alone) and makes sure Debian's Chromium is there. The tests read where everything runs from STATE_FILE.
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const { spawn } = require("node:child_process")
const { freePort } = require("../../scripts/database")
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
    await new Promise((r) => setTimeout(r, 1000))
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
  const child = spawn(process.execPath, [path.join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", "scripts/demo.ts", "--reset"], {
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
    },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  globalThis.__BROWSER_DEMO__ = { child, dataDir }
  try {
    await waitForUrl(`http://localhost:${ports.medusa}/health`, 240_000, child)
    await waitForUrl(`http://localhost:${ports.storefront}/healthz`, 60_000, child)
  } catch (error) {
    process.stdout.write(`\nDemo output:\n${output}\n${logTail(dataDir)}\n`)
    child.kill("SIGINT")
    throw error
  }
  fs.writeFileSync(STATE_FILE, JSON.stringify({ ports, dataDir }))
  process.stdout.write(`\n[browser] demo up: storefront :${ports.storefront}, Medusa :${ports.medusa}\n`)
}

module.exports.STATE_FILE = STATE_FILE
