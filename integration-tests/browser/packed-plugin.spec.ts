import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import axios from "axios"
import { Client } from "pg"
import semver from "semver"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { startQfpaySimulator, type QfpaySimulator } from "../../sandbox/qfpay/server"
import { freePort } from "../../scripts/database"
import { demoShopper, type Seeded } from "../helpers/demo-shop"
import { packPluginWithInfo } from "../helpers/pack"
import { storeConfigSource } from "../helpers/store-config"
import { byTestId, eventually, launchChromium, loginToDashboard, shot, TEST_DATABASE_URL } from "./helpers"

jest.setTimeout(900_000)

/**
 * The package as a merchant gets it: `medusa plugin:build`, `npm pack`, the tarball's contents installed into
 * a separate Medusa 2.21 store (its own folder, medusa-config.ts written as the README says, its own
 * database), migrated, seeded and started. Its dashboard shows the plugin's order widget on a QFPay order and
 * the Gateway payments page, from the packed build (not this repository's sources).
 */
const ROOT = path.resolve(__dirname, "../..")
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string; peerDependencies: Record<string, string> }
const QFPAY = { appCode: "PACKEDAPPCODE", clientKey: "packed-store-client-key-01" }

let work: string
let store: string
let qfpay: QfpaySimulator
let medusa: ChildProcess | undefined
let medusaUrl: string
let env: NodeJS.ProcessEnv
let browser: Browser | undefined
let context: BrowserContext
let page: Page

function run(args: string[], cwd: string, what: string, extraEnv: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(args[0], args.slice(1), { cwd, env: { ...process.env, ...extraEnv }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    throw new Error(`${what} failed:\n${(e.stdout ?? "").slice(-4000)}\n${(e.stderr ?? "").slice(-4000)}`)
  }
}

const medusaCli = (store: string) => [process.execPath, path.join(store, "node_modules/@medusajs/cli/cli.js")]

/** The store's medusa-config.ts: the README's install section, pointed at the simulator. */
const QFPAY_FROM_ENV = { appCode: { env: "QFPAY_APP_CODE" }, clientKey: { env: "QFPAY_CLIENT_KEY" }, baseUrl: { env: "QFPAY_BASE_URL" }, notifyUrl: { env: "QFPAY_NOTIFY_URL" } }
const storeConfig = () =>
  storeConfigSource({
    pkg: PKG.name,
    name: "packed-store",
    providers: [
      { provider: "qfpay", id: "qfpay", options: { ...QFPAY_FROM_ENV, returnUrl: "http://localhost/return", failedUrl: "http://localhost/return?failed=1" } },
      { provider: "qfpay", id: "qfpay-direct", options: { mode: "direct", ...QFPAY_FROM_ENV } },
      { provider: "quantapay", id: "quantapay", options: { apiKey: "packed-quantapay-key", webhookSecret: "packed-quantapay-secret", baseUrl: "http://localhost:9" } },
      { provider: "qbitpay", id: "qbitpay", options: { apiKey: "packed-qbitpay-key", baseUrl: "http://localhost:9", webhookUrl: "http://localhost/hooks/payment/qbitpay_qbitpay", redirectUrl: "http://localhost/return" } },
    ],
  })

/** The store's node_modules: hard links of this repository's (the same Medusa 2.21 packages), without this package. */
function linkNodeModules(target: string) {
  try {
    execFileSync("cp", ["-al", path.join(ROOT, "node_modules"), target])
  } catch {
    execFileSync("cp", ["-a", path.join(ROOT, "node_modules"), target])
  }
  fs.rmSync(path.join(target, ".vite"), { recursive: true, force: true })
  fs.rmSync(path.join(target, ".cache"), { recursive: true, force: true })
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-packed-store-"))
  store = path.join(work, "store")
  fs.mkdirSync(store)

  // The package as published (`medusa plugin:build` and `npm pack`, shared with the other install tests).
  const packed = await packPluginWithInfo()
  const tarball = packed.tarball
  expect(packed.files).toEqual(expect.arrayContaining([".medusa/server/src/admin/index.mjs", "package.json"]))

  // Installed into the store's node_modules as npm would place it.
  linkNodeModules(path.join(store, "node_modules"))
  const installed = path.join(store, "node_modules", PKG.name)
  fs.mkdirSync(installed)
  execFileSync("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"])
  // What npm would check: the store's Medusa satisfies the package's peer ranges.
  for (const [peer, range] of Object.entries(PKG.peerDependencies)) {
    const version = JSON.parse(fs.readFileSync(path.join(store, "node_modules", peer, "package.json"), "utf8")).version
    expect({ peer, version, satisfied: semver.satisfies(version, range) }).toEqual({ peer, version, satisfied: true })
  }
  fs.writeFileSync(
    path.join(store, "package.json"),
    JSON.stringify({ name: "packed-store", private: true, dependencies: { "@medusajs/medusa": "2.21.2", "@medusajs/framework": "2.21.2", "@medusajs/cli": "2.21.2", [PKG.name]: `file:${tarball}` } }, null, 2)
  )
  fs.writeFileSync(
    path.join(store, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { target: "ES2021", module: "Node16", moduleResolution: "Node16", esModuleInterop: true, skipLibCheck: true, jsx: "react-jsx", outDir: "./.medusa/server" }, include: ["medusa-config.ts", "src"] }, null, 2)
  )
  fs.writeFileSync(path.join(store, "medusa-config.ts"), storeConfig())

  const database = `packed_store_${Date.now()}`
  const admin = new Client({ connectionString: `${TEST_DATABASE_URL}/postgres` })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${database}`)
  await admin.end()

  const port = await freePort()
  medusaUrl = `http://localhost:${port}`
  qfpay = await startQfpaySimulator({ port: 0, merchants: [QFPAY], timeScale: 1 })
  env = {
    NODE_ENV: "development",
    NODE_OPTIONS: "",
    TEST_TYPE: "",
    DATABASE_URL: `${TEST_DATABASE_URL}/${database}`,
    DB_HOST: "",
    PORT: String(port),
    MEDUSA_DISABLE_TELEMETRY: "true",
    STORE_CORS: medusaUrl,
    ADMIN_CORS: medusaUrl,
    AUTH_CORS: medusaUrl,
    QFPAY_APP_CODE: QFPAY.appCode,
    QFPAY_CLIENT_KEY: QFPAY.clientKey,
    QFPAY_BASE_URL: qfpay.url,
    QFPAY_NOTIFY_URL: `${medusaUrl}/hooks/payment/qfpay_qfpay`,
  }
  run([...medusaCli(store), "db:migrate"], store, "medusa db:migrate", env)
  const ledgerTables = new Client({ connectionString: env.DATABASE_URL })
  await ledgerTables.connect()
  const { rows } = await ledgerTables.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'payment_ledger_%' ORDER BY 1")
  await ledgerTables.end()
  expect(rows.map((r) => r.table_name)).toEqual(["payment_ledger_attempt", "payment_ledger_delivery", "payment_ledger_refund"])
  // The seed script runs from inside the store, so it loads the store's Medusa packages (one copy of
  // core-flows: two copies would register every workflow twice).
  fs.mkdirSync(path.join(store, "src/scripts"), { recursive: true })
  for (const file of ["demo-seed.ts", "demo-config.ts"]) fs.copyFileSync(path.join(ROOT, "scripts", file), path.join(store, "src/scripts", file))
  run([...medusaCli(store), "exec", "./src/scripts/demo-seed.ts"], store, "seeding the store", { ...env, DEMO_SEED_OUTPUT: path.join(work, "seed.json") })

  medusa = spawn(medusaCli(store)[0], [medusaCli(store)[1], "start"], { cwd: store, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true })
  let output = ""
  medusa.stdout!.on("data", (d) => (output = (output + d).slice(-20_000)))
  medusa.stderr!.on("data", (d) => (output = (output + d).slice(-20_000)))
  await eventually(
    "the packed store's Medusa",
    async () => {
      if (medusa!.exitCode !== null) throw new Error(`Medusa exited (${medusa!.exitCode}):\n${output}`)
      return (await axios.get(`${medusaUrl}/health`, { validateStatus: () => true }).catch(() => undefined))?.status === 200
    },
    180_000
  )
  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  page = await context.newPage()
  page.setDefaultTimeout(60_000)
})

afterAll(async () => {
  await browser?.close()
  if (medusa && medusa.exitCode === null) {
    const exited = new Promise((r) => medusa!.once("exit", r))
    process.kill(-medusa.pid!, "SIGTERM")
    const timer = setTimeout(() => process.kill(-medusa!.pid!, "SIGKILL"), 15_000)
    await exited
    clearTimeout(timer)
  }
  await qfpay?.close()
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

describe("the packed plugin in a separate Medusa store", () => {
  it("takes a QFPay payment, and its dashboard shows the order widget and the Gateway payments page", async () => {
    const seeded = JSON.parse(fs.readFileSync(path.join(work, "seed.json"), "utf8")) as Seeded
    const shopper = demoShopper(axios.create({ baseURL: medusaUrl }), seeded)
    const cartId = await shopper.cart("hk")
    const session = await shopper.session(cartId, "pp_qfpay_qfpay-direct")
    await axios.post(`${qfpay.url}/__sim/transactions/${session.data.gateway_reference}/pay`, {})
    const completed = await shopper.complete(cartId)
    expect(completed.data.type).toBe("order")
    const orderId = completed.data.order.id as string

    await loginToDashboard(context, medusaUrl)

    await page.goto(`${medusaUrl}/app/orders/${orderId}`)
    await byTestId(page, "gateway-payment-widget").waitFor({ timeout: 120_000 })
    expect(await byTestId(page, "gp-reference").textContent()).toContain(session.data.gateway_reference)
    expect(await byTestId(page, "gp-status").textContent()).toBe("paid")
    await shot(page, "packed-store-order-widget")

    await page.getByRole("link", { name: "Gateway payments" }).first().click()
    await byTestId(page, "gateway-payments-page").waitFor({ timeout: 60_000 })
    await page.waitForFunction(() => !/Loading/.test(document.querySelector("[data-testid=pp-count]")?.textContent ?? "Loading"))
    await shot(page, "packed-store-payments-page")
  })
})
