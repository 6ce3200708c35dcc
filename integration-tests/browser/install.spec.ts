import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import { builtinModules, createRequire } from "node:module"
import os from "node:os"
import path from "node:path"
import axios from "axios"
import { Client } from "pg"
import { freePort } from "../../scripts/database"
import { packPluginWithInfo, type PackResult } from "../helpers/pack"
import { storeConfigSource } from "../helpers/store-config"
import { eventually, TEST_DATABASE_URL } from "./helpers"

/**
 * The packed tarball installed the way a merchant installs it: a fresh Medusa store per supported Medusa
 * version (its package.json as Medusa's starter has it, `npm install` from the registry, no links to this
 * repository's node_modules), then every import of the build checked against what the package declares,
 * the store's migrations, a boot that registers the three providers and loads the plugin's webhook route,
 * subscriber and reconciliation job, and a store file importing the package type-checked with the store's
 * own TypeScript. The dashboard of a packed store is packed-plugin.spec.ts's part.
 *
 * INSTALL_TEST_MEDUSA_VERSIONS=2.21.1 (comma-separated) picks other versions; INSTALL_TEST_KEEP=1 keeps the
 * stores (their folders are printed) to look into.
 */
jest.setTimeout(1_800_000)

const ROOT = path.resolve(__dirname, "../..")
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string }
const VERSIONS = (process.env.INSTALL_TEST_MEDUSA_VERSIONS ?? "2.21.0,2.21.2").split(",").map((v) => v.trim()).filter(Boolean)
const PROVIDERS = [
  { id: "pp_qfpay_qfpay", hook: "qfpay_qfpay" },
  { id: "pp_quantapay_quantapay", hook: "quantapay_quantapay" },
  { id: "pp_qbitpay_qbitpay", hook: "qbitpay_qbitpay" },
]
const DELIVERY_EVENT = "medusa-payments-hk-crypto.webhook_delivery.recorded"
const JOB_WORKFLOW = "job-medusa-payments-hk-crypto-reconcile"
const ADMIN = { email: "install-test@example.com", password: "install-test-password" }

const timings: Array<[string, number]> = []
const suiteStarted = Date.now()
async function timed<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  const started = Date.now()
  try {
    return await fn()
  } finally {
    const seconds = Math.round((Date.now() - started) / 100) / 10
    timings.push([what, seconds])
    process.stdout.write(`\n[install] ${what}: ${seconds} s\n`)
  }
}

/** The environment for npm and Medusa: this jest run's own variables (and npm's per-script ones) left out. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(package|lifecycle)_/.test(k)) env[k] = v
  return { ...env, NODE_OPTIONS: "", TEST_TYPE: "", DATABASE_URL: "", DB_HOST: "", MEDUSA_DISABLE_TELEMETRY: "true", ...extra }
}

function sh(file: string, args: string[], cwd: string, what: string, env: NodeJS.ProcessEnv = childEnv()): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${what} failed (${error.message.split("\n")[0]}):\n${stdout.slice(-6000)}\n${stderr.slice(-6000)}`))
      else resolve(`${stdout}\n${stderr}`)
    })
  })
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"))
const version = (dir: string) => readJson(path.join(dir, "package.json")).version as string

/** Versions of this repository's own tooling, so the store's install mostly comes from the npm cache. */
const devVersion = (name: string) => version(path.join(ROOT, "node_modules", name))

function walk(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(abs, out)
    else out.push(abs)
  }
  return out
}

type Import = { specifier: string; file: string; kind: "runtime" | "types" }

/** Every module specifier in the package's build: require()/import in .js/.mjs, imports and references in .d.ts. */
function scanImports(pkgDir: string): Import[] {
  const found: Import[] = []
  for (const file of walk(path.join(pkgDir, ".medusa"))) {
    const isTypes = file.endsWith(".d.ts")
    if (!isTypes && !/\.(c|m)?js$/.test(file)) continue
    const text = fs.readFileSync(file, "utf8")
    const patterns = [
      /\brequire\(\s*(["'])([^"'\n]+)\1\s*\)/g,
      /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*(["'])([^"'\n]+)\1/gm,
      /^\s*import\s*(["'])([^"'\n]+)\1/gm,
      /\bimport\(\s*(["'])([^"'\n]+)\1\s*\)/g,
      /^\/\/\/\s*<reference\s+types=(["'])([^"'\n]+)\1/gm,
    ]
    for (const pattern of patterns) {
      for (const m of text.matchAll(pattern)) found.push({ specifier: m[2], file: path.relative(pkgDir, file), kind: isTypes ? "types" : "runtime" })
    }
  }
  return found
}

const BUILTINS = new Set(builtinModules)
const isBuiltin = (s: string) => s.startsWith("node:") || BUILTINS.has(s) || BUILTINS.has(s.split("/")[0])
const isRelative = (s: string) => s.startsWith(".") || s.startsWith("/")
const packageName = (s: string) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0])

/** The store's medusa-config.ts: the README's install section, with the admin off (packed-plugin.spec.ts checks the dashboard). */
const storeConfig = () =>
  storeConfigSource({
    pkg: PKG.name,
    name: "install-store",
    adminDisabled: true,
    providers: [
      { provider: "qfpay", id: "qfpay", options: { appCode: "INSTALLAPPCODE", clientKey: "install-store-client-key", baseUrl: "http://localhost:9", notifyUrl: "http://localhost/hooks/payment/qfpay_qfpay", returnUrl: "http://localhost/return", failedUrl: "http://localhost/return?failed=1" } },
      { provider: "quantapay", id: "quantapay", options: { apiKey: "install-quantapay-key", webhookSecret: "install-quantapay-secret", baseUrl: "http://localhost:9" } },
      { provider: "qbitpay", id: "qbitpay", options: { apiKey: "install-qbitpay-key", baseUrl: "http://localhost:9", webhookUrl: "http://localhost/hooks/payment/qbitpay_qbitpay", redirectUrl: "http://localhost/return" } },
    ],
  })

/** A store route that reports, from the running server's container, what Medusa loaded of the plugin. */
const PROBE_ROUTE = `import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { WorkflowManager } from "@medusajs/framework/orchestration"
import { Modules } from "@medusajs/framework/utils"

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const eventBus = req.scope.resolve(Modules.EVENT_BUS) as unknown as { eventToSubscribersMap?: Map<string | symbol, Array<{ id?: string }>> }
  const subscribers: Record<string, Array<string | null>> = {}
  for (const [event, list] of eventBus.eventToSubscribersMap ?? new Map<string, Array<{ id?: string }>>()) {
    if (String(event).startsWith("medusa-payments-hk-crypto")) subscribers[String(event)] = list.map((s) => s.id ?? null)
  }
  const job = WorkflowManager.getWorkflow(${JSON.stringify(JOB_WORKFLOW)})
  res.json({ subscribers, job: job ? { id: job.id, schedule: job.options?.schedule ?? null } : null })
}
`

/** A store file using the package's types: the providers' options and exports, and the storefront kit. */
const TYPED_STORE_FILE = `import type { ModuleProviderExports } from "@medusajs/framework/types"
import qfpay, { type QfpayOptions, type QfpayOptionsInput } from "${PKG.name}/providers/qfpay"
import quantapay, { type QuantapayOptionsInput } from "${PKG.name}/providers/quantapay"
import qbitpay, { type QbitpayOptionsInput } from "${PKG.name}/providers/qbitpay"
import paymentLedger from "${PKG.name}/modules/payment-ledger"
import { handleReturn, jsSdkClient, paymentMethodInfo, startPayment, waitForPayment, type CheckoutClient, type JsSdkLike } from "${PKG.name}/storefront"
import { GatewayPaymentButton, PaymentReturn } from "${PKG.name}/react"

type IsAny<T> = 0 extends 1 & T ? true : false
// None of these may have fallen back to \`any\` (an unresolved import in a declaration does that silently).
export const typed: [IsAny<typeof qfpay>, IsAny<QfpayOptionsInput>, IsAny<QuantapayOptionsInput>, IsAny<QbitpayOptionsInput>, IsAny<typeof paymentLedger>, IsAny<typeof startPayment>, IsAny<typeof GatewayPaymentButton>] = [false, false, false, false, false, false, false]

export const providers: ModuleProviderExports[] = [qfpay, quantapay, qbitpay]
export const qfpayOptions: QfpayOptionsInput = { appCode: "APP", clientKey: "client-key", mode: "direct", notifyUrl: "https://shop.example/hooks/payment/qfpay_qfpay" }
// @ts-expect-error mode is "checkout" or "direct"
export const wrongMode: QfpayOptionsInput = { appCode: "APP", clientKey: "client-key", mode: "hosted" }
export const parsedMode = (o: QfpayOptions): "checkout" | "direct" => o.mode
export const quantapayOptions: QuantapayOptionsInput = { apiKey: "api-key-1", webhookSecret: "secret-1" }
export const qbitpayOptions: QbitpayOptionsInput = { apiKey: "api-key-1", webhookUrl: "https://shop.example/hooks/payment/qbitpay_qbitpay", redirectUrl: "https://shop.example/return" }

export async function pay(sdk: JsSdkLike, cartId: string) {
  const client: CheckoutClient = jsSdkClient(sdk)
  const cart = await client.retrieveCart(cartId)
  const label: string | undefined = paymentMethodInfo("pp_qfpay_qfpay")?.title
  await startPayment(client, cart, "pp_qfpay_qfpay")
  await waitForPayment(client, cartId)
  await handleReturn(client, cartId, "https://shop.example/return?session_id=x")
  return label
}

export const Checkout = ({ client, cartId }: { client: CheckoutClient; cartId: string }) => (
  <>
    <GatewayPaymentButton client={client} cart={{ id: cartId }} providerId="pp_qfpay_qfpay" onOrder={(order) => order.id} />
    <PaymentReturn client={client} cartId={cartId} onOrder={(order, awaiting) => [order.id, awaiting]} />
  </>
)
`

let packed: PackResult

beforeAll(async () => {
  packed = await timed("build and pack (or the cached tarball)", () => packPluginWithInfo())
  startInstalls()
})

afterAll(async () => {
  // Stores whose tests did not run (a -t filter, a failure before them) are removed once their install ends.
  for (const { work, log } of installs.values()) {
    await log.catch(() => undefined)
    if (!process.env.INSTALL_TEST_KEEP) fs.rmSync(work, { recursive: true, force: true })
  }
  const wall = Math.round((Date.now() - suiteStarted) / 100) / 10
  process.stdout.write(`\n[install] timings (s; a store's install overlaps the tests of the one before):\n${timings.map(([w, s]) => `  ${String(s).padStart(7)}  ${w}`).join("\n")}\n  ${String(wall).padStart(7)}  the whole spec, wall clock\n`)
})

describe("the packed tarball", () => {
  it("holds the build, its declarations, self-contained source maps and the LICENSE, and no sources", () => {
    const files = packed.files
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", ".medusa/server/src/admin/index.mjs", ".medusa/server/src/admin/index.js"]))
    // Sources are not shipped (the admin's are bundled into .medusa/server/src/admin).
    expect(files.filter((f) => /\.(ts|tsx)$/.test(f) && !f.endsWith(".d.ts"))).toEqual([])
    expect(files.filter((f) => !f.startsWith(".medusa/server/") && !["package.json", "README.md", "LICENSE"].includes(f))).toEqual([])
    // A declaration for every compiled module (the admin bundle is for the dashboard's bundler, not for TypeScript).
    const compiled = files.filter((f) => f.endsWith(".js") && !f.startsWith(".medusa/server/src/admin/"))
    expect(compiled.length).toBeGreaterThan(50)
    expect(compiled.filter((f) => !files.includes(f.replace(/\.js$/, ".d.ts")))).toEqual([])
    for (const entry of ["storefront", "react", "providers/qfpay", "providers/quantapay", "providers/qbitpay", "modules/payment-ledger"]) {
      expect(files).toContain(`.medusa/server/src/${entry}/index.d.ts`)
    }
  })

  it("has source maps only with their sources embedded, and none pointing at files it does not contain", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-install-tarball-"))
    try {
      execFileSyncQuiet("tar", ["-xzf", packed.tarball, "-C", dir, "--strip-components=1"])
      const problems: string[] = []
      let maps = 0
      for (const file of walk(dir).filter((f) => /\.(m?js|d\.ts)$/.test(f))) {
        const rel = path.relative(dir, file)
        for (const [, url] of fs.readFileSync(file, "utf8").matchAll(/^\/\/# sourceMappingURL=(\S+)\s*$/gm)) {
          let map: { sources?: string[]; sourcesContent?: Array<string | null> }
          if (url.startsWith("data:")) {
            map = JSON.parse(Buffer.from(url.slice(url.indexOf(",") + 1), "base64").toString("utf8"))
          } else {
            const mapFile = path.resolve(path.dirname(file), url)
            if (!fs.existsSync(mapFile)) {
              problems.push(`${rel}: ${url} is not in the tarball`)
              continue
            }
            map = readJson(mapFile)
          }
          maps++
          const sources = map.sources ?? []
          if (sources.some((_, i) => typeof map.sourcesContent?.[i] !== "string")) problems.push(`${rel}: its map names sources without their content (${sources.join(", ")})`)
        }
      }
      expect(problems).toEqual([])
      process.stdout.write(`\n[install] ${maps} source maps, each with its sources embedded\n`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

function execFileSyncQuiet(file: string, args: string[]) {
  return execFileSync(file, args, { stdio: ["ignore", "pipe", "pipe"] })
}

/** A store folder as Medusa's starter (medusa-starter-default) declares it, at exactly this version, plus the tarball. */
function prepareStore(medusaVersion: string): { work: string; store: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `medusa-install-${medusaVersion}-`))
  const store = path.join(work, "store")
  fs.mkdirSync(path.join(store, "src/api/admin/install-probe"), { recursive: true })
  fs.mkdirSync(path.join(store, "src/lib"), { recursive: true })
  fs.writeFileSync(
    path.join(store, "package.json"),
    JSON.stringify(
      {
        name: `install-store-${medusaVersion.replace(/\W/g, "-")}`,
        private: true,
        dependencies: {
          "@medusajs/admin-sdk": medusaVersion,
          "@medusajs/cli": medusaVersion,
          "@medusajs/framework": medusaVersion,
          "@medusajs/medusa": medusaVersion,
          [PKG.name]: `file:${packed.tarball}`,
        },
        devDependencies: {
          "@swc/core": devVersion("@swc/core"),
          "@types/node": devVersion("@types/node"),
          "@types/react": devVersion("@types/react"),
          "ts-node": devVersion("ts-node"),
          typescript: devVersion("typescript"),
        },
        // npm 11 runs a dependency's install script only when the project allows it.
        allowScripts: { "@swc/core": true, esbuild: true, "@medusajs/telemetry": false, "msgpackr-extract": false, protobufjs: false },
      },
      null,
      2
    )
  )
  fs.writeFileSync(
    path.join(store, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: { target: "ES2021", module: "Node16", moduleResolution: "Node16", esModuleInterop: true, skipLibCheck: true, strict: true, jsx: "react-jsx", types: ["node"], outDir: "./.medusa/server" },
        "ts-node": { swc: true },
        include: ["medusa-config.ts", "src"],
      },
      null,
      2
    )
  )
  fs.writeFileSync(path.join(store, "medusa-config.ts"), storeConfig())
  fs.writeFileSync(path.join(store, "src/api/admin/install-probe/route.ts"), PROBE_ROUTE)
  fs.writeFileSync(path.join(store, "src/lib/payments.tsx"), TYPED_STORE_FILE)
  return { work, store }
}

/**
 * The stores' installs, one at a time in version order, each started as soon as the one before it is done:
 * the next store installs while the tests of the one before run (the migrations, the boot, tsc).
 */
const installs = new Map<string, { work: string; store: string; log: Promise<string> }>()
function startInstalls() {
  let previous: Promise<unknown> = Promise.resolve()
  for (const medusaVersion of VERSIONS) {
    const { work, store } = prepareStore(medusaVersion)
    // A real install: the registry (through npm's usual cache, which the stores and this repository share).
    const log = previous.then(() =>
      timed(`npm install (Medusa ${medusaVersion})`, () => sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], store, `npm install in the Medusa ${medusaVersion} store`))
    )
    previous = log.catch(() => undefined)
    installs.set(medusaVersion, { work, store, log })
  }
}

describe.each(VERSIONS)("a fresh Medusa %s store with the tarball installed from the registry", (medusaVersion) => {
  let work: string
  let store: string
  let pkgDir: string
  let installed: { name: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }
  let medusa: ChildProcess | undefined
  let output = ""
  let env: NodeJS.ProcessEnv
  const cli = () => [path.join(store, "node_modules/@medusajs/cli/cli.js")]

  beforeAll(async () => {
    ;({ work, store } = installs.get(medusaVersion)!)
    const log = await installs.get(medusaVersion)!.log
    fs.writeFileSync(path.join(work, "npm-install.log"), log)
    expect(log).not.toMatch(/ERESOLVE/)
    // npm would warn about a peer range our package states that the store does not meet.
    expect(log.split("\n").filter((l) => /peer/i.test(l) && l.includes(PKG.name))).toEqual([])
    pkgDir = path.join(store, "node_modules", PKG.name)
    installed = readJson(path.join(pkgDir, "package.json"))
  })

  afterAll(async () => {
    if (medusa && medusa.exitCode === null) {
      const exited = new Promise((r) => medusa!.once("exit", r))
      process.kill(-medusa.pid!, "SIGTERM")
      const timer = setTimeout(() => process.kill(-medusa!.pid!, "SIGKILL"), 15_000)
      await exited
      clearTimeout(timer)
    }
    if (work && !process.env.INSTALL_TEST_KEEP) fs.rmSync(work, { recursive: true, force: true })
    else if (work) process.stdout.write(`\n[install] kept ${work}\n`)
  })

  it(`resolves Medusa ${medusaVersion}, one copy of it, and the package's peers`, async () => {
    for (const name of ["@medusajs/medusa", "@medusajs/framework", "@medusajs/cli", "@medusajs/admin-sdk"]) {
      expect({ name, version: version(path.join(store, "node_modules", name)) }).toEqual({ name, version: medusaVersion })
    }
    // No second framework nested anywhere (two copies would register everything twice).
    const frameworks = walkPackages(path.join(store, "node_modules")).filter((p) => p.endsWith("/@medusajs/framework"))
    expect(frameworks.map((p) => path.relative(store, p))).toEqual(["node_modules/@medusajs/framework"])
    // The package's peers come from the store, not nested copies under the package.
    expect(fs.existsSync(path.join(pkgDir, "node_modules", "@medusajs"))).toBe(false)
    const ls = JSON.parse(await sh("npm", ["ls", "--json", PKG.name, "@medusajs/framework", "@medusajs/medusa"], store, "npm ls").catch((e: Error) => e.message.slice(e.message.indexOf("{")))) as {
      problems?: string[]
      dependencies?: Record<string, { version?: string; invalid?: string }>
    }
    expect(ls.problems ?? []).toEqual([])
    expect(ls.dependencies?.[PKG.name]?.version).toBe(version(ROOT))
  })

  it("declares every import of its build, and each resolves in the store", () => {
    const imports = scanImports(pkgDir)
    const runtime = imports.filter((i) => i.kind === "runtime")
    expect(runtime.length).toBeGreaterThan(100)
    expect(runtime.map((i) => i.specifier)).toEqual(expect.arrayContaining(["@medusajs/framework/utils", "zod", "axios", "qrcode", "react"]))
    const declared = new Set([...Object.keys(installed.dependencies ?? {}), ...Object.keys(installed.peerDependencies ?? {})])
    const undeclared = imports
      .filter((i) => !isBuiltin(i.specifier) && !isRelative(i.specifier))
      .filter((i) => !declared.has(packageName(i.specifier)) && !(i.kind === "types" && declared.has(`@types/${packageName(i.specifier)}`)))
      .map((i) => `${i.file}: ${i.specifier}`)
    expect(undeclared).toEqual([])
    // Each runtime import found from the file that makes it, in the installed store (relative ones too:
    // a file the build refers to that the tarball lacks).
    const unresolved: string[] = []
    for (const { specifier, file } of runtime) {
      if (isBuiltin(specifier)) continue
      try {
        createRequire(path.join(pkgDir, file)).resolve(specifier)
      } catch {
        unresolved.push(`${file}: ${specifier}`)
      }
    }
    expect(unresolved).toEqual([])
    // The storefront entry points load in a storefront without Medusa: nothing from @medusajs at runtime.
    const storefrontGraph = runtimeGraph(pkgDir, [".medusa/server/src/storefront/index.js", ".medusa/server/src/react/index.js"])
    expect(storefrontGraph.filter((s) => !isRelative(s) && !isBuiltin(s)).sort()).toEqual(["qrcode", "react", "react/jsx-runtime"])
  })

  it("resolves and loads its entry points from the store (admin, storefront, react, providers, module)", async () => {
    const script = `
const entries = ["admin", "storefront", "react", "providers/qfpay", "providers/quantapay", "providers/qbitpay", "modules/payment-ledger", "package.json"]
const resolved = Object.fromEntries(entries.map((e) => [e, require.resolve(${JSON.stringify(PKG.name)} + "/" + e).split("node_modules/")[1]]))
const storefront = require(${JSON.stringify(PKG.name)} + "/storefront")
const react = require(${JSON.stringify(PKG.name)} + "/react")
const qfpay = require(${JSON.stringify(PKG.name)} + "/providers/qfpay")
import(${JSON.stringify(PKG.name)} + "/storefront").then((esm) => {
  console.log(JSON.stringify({
    resolved,
    storefront: ["startPayment", "waitForPayment", "handleReturn", "jsSdkClient", "paymentMethodInfo"].map((n) => typeof storefront[n]),
    esmNamed: typeof esm.startPayment,
    react: ["GatewayPaymentButton", "PaymentReturn", "QrCode"].map((n) => typeof react[n]),
    qfpayServices: (qfpay.default.services || []).map((s) => s.identifier),
  }))
})`
    const out = JSON.parse((await sh(process.execPath, ["-e", script], store, "loading the entry points")).trim().split("\n")[0])
    expect(out).toEqual({
      resolved: {
        admin: `${PKG.name}/.medusa/server/src/admin/index.js`,
        storefront: `${PKG.name}/.medusa/server/src/storefront/index.js`,
        react: `${PKG.name}/.medusa/server/src/react/index.js`,
        "providers/qfpay": `${PKG.name}/.medusa/server/src/providers/qfpay/index.js`,
        "providers/quantapay": `${PKG.name}/.medusa/server/src/providers/quantapay/index.js`,
        "providers/qbitpay": `${PKG.name}/.medusa/server/src/providers/qbitpay/index.js`,
        "modules/payment-ledger": `${PKG.name}/.medusa/server/src/modules/payment-ledger/index.js`,
        "package.json": `${PKG.name}/package.json`,
      },
      storefront: ["function", "function", "function", "function", "function"],
      esmNamed: "function",
      react: ["function", "function", "function"],
      qfpayServices: ["qfpay"],
    })
    // The dashboard's bundler takes the admin extensions as ES modules.
    const esmAdmin = await sh(process.execPath, ["--input-type=module", "-e", `console.log(import.meta.resolve(${JSON.stringify(`${PKG.name}/admin`)}))`], store, "resolving /admin as ESM")
    expect(esmAdmin.trim().split("\n")[0]).toMatch(/\/\.medusa\/server\/src\/admin\/index\.mjs$/)
  })

  it("type-checks a store file that imports the package, with the store's TypeScript", async () => {
    const tsc = path.join(store, "node_modules/typescript/bin/tsc")
    // As a store compiles (skipLibCheck, like Medusa's starter).
    await timed(`tsc --noEmit (Medusa ${medusaVersion})`, () => sh(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.json"], store, "tsc in the store"))
    // And the package's own declarations checked too: nothing in them may fail to resolve or name a type
    // (errors in Medusa's own declarations are not ours to judge).
    const full = await timed(`tsc --noEmit --skipLibCheck false (Medusa ${medusaVersion})`, () =>
      sh(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.json", "--skipLibCheck", "false"], store, "tsc with lib check").catch((e: Error) => e.message)
    )
    const ours = full.split("\n").filter((l) => l.includes(`node_modules/${PKG.name}/`) || l.startsWith("src/") || l.startsWith("medusa-config.ts"))
    expect(ours).toEqual([])
  })

  it("migrates, boots, registers the three providers, and loads the webhook route, the subscriber and the job", async () => {
    const database = `install_store_${medusaVersion.replace(/\W/g, "_")}_${Date.now()}`
    const admin = new Client({ connectionString: `${TEST_DATABASE_URL}/postgres` })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${database}`)
    await admin.end()
    const port = await freePort()
    const url = `http://localhost:${port}`
    env = childEnv({ NODE_ENV: "development", DATABASE_URL: `${TEST_DATABASE_URL}/${database}`, PORT: String(port), STORE_CORS: url, ADMIN_CORS: url, AUTH_CORS: url })

    await timed(`medusa db:migrate (Medusa ${medusaVersion})`, () => sh(process.execPath, [...cli(), "db:migrate"], store, "medusa db:migrate", env))
    const db = new Client({ connectionString: env.DATABASE_URL })
    await db.connect()
    const { rows } = await db.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'payment_ledger_%' ORDER BY 1")
    await db.end()
    expect(rows.map((r) => r.table_name)).toEqual(["payment_ledger_attempt", "payment_ledger_delivery", "payment_ledger_refund"])
    await sh(process.execPath, [...cli(), "user", "-e", ADMIN.email, "-p", ADMIN.password], store, "medusa user", env)

    await timed(`medusa start until /health (Medusa ${medusaVersion})`, async () => {
      medusa = spawn(process.execPath, [...cli(), "start"], { cwd: store, env, stdio: ["ignore", "pipe", "pipe"], detached: true })
      medusa.stdout!.on("data", (d) => (output = (output + d).slice(-40_000)))
      medusa.stderr!.on("data", (d) => (output = (output + d).slice(-40_000)))
      await eventually(
        `the Medusa ${medusaVersion} store`,
        async () => {
          if (medusa!.exitCode !== null) throw new Error(`Medusa exited (${medusa!.exitCode}):\n${output}`)
          return (await axios.get(`${url}/health`, { validateStatus: () => true }).catch(() => undefined))?.status === 200
        },
        240_000
      )
    })
    const { data: auth } = await axios.post(`${url}/auth/user/emailpass`, ADMIN)
    const api = axios.create({ baseURL: url, headers: { authorization: `Bearer ${auth.token}` }, validateStatus: () => true })

    // The three providers, registered with the payment module and enabled.
    const providers = await api.get("/admin/payments/payment-providers", { params: { limit: 100 } })
    expect(providers.status).toBe(200)
    const ids = (providers.data.payment_providers as Array<{ id: string; is_enabled: boolean }>).filter((p) => p.is_enabled).map((p) => p.id)
    expect(ids).toEqual(expect.arrayContaining(PROVIDERS.map((p) => p.id)))

    // The plugin's webhook route: a delivery with a bad signature gets the provider's refusal (Medusa's own
    // /hooks/payment route would accept it with a 200).
    for (const { hook } of PROVIDERS) {
      const res = await axios.post(`${url}/hooks/payment/${hook}`, { id: "evt_install_test", status: "paid" }, {
        headers: { "x-qf-sign": "0".repeat(64), "qbitpay-signature": "0".repeat(32) },
        validateStatus: () => true,
      })
      expect({ hook, status: res.status, body: res.data }).toEqual({ hook, status: 401, body: "FAIL" })
    }

    // The plugin's subscriber on the event bus and its scheduled job with the workflow manager, as the
    // running server holds them.
    const probe = await api.get("/admin/install-probe")
    expect(probe.status).toBe(200)
    expect(probe.data.subscribers).toEqual({ [DELIVERY_EVENT]: ["medusa-payments-hk-crypto-webhook-delivery"] })
    expect(probe.data.job).toEqual({ id: JOB_WORKFLOW, schedule: expect.objectContaining({ cron: expect.any(String) }) })
    // The plugin's admin routes too.
    const attention = await api.get("/admin/payment-ledger/attention")
    expect(attention.status).toBe(200)
    expect(output).not.toMatch(/Cannot find module/)
  })
})

/** Every package folder under a node_modules (nested ones too). */
function walkPackages(nodeModules: string, out: string[] = []): string[] {
  if (!fs.existsSync(nodeModules)) return out
  for (const entry of fs.readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue
    const dirs = entry.name.startsWith("@") ? fs.readdirSync(path.join(nodeModules, entry.name)).map((n) => path.join(nodeModules, entry.name, n)) : [path.join(nodeModules, entry.name)]
    for (const dir of dirs) {
      out.push(dir)
      walkPackages(path.join(dir, "node_modules"), out)
    }
  }
  return out
}

/** The non-relative runtime imports reachable from the given files through their relative imports. */
function runtimeGraph(pkgDir: string, entries: string[]): string[] {
  const seen = new Set<string>()
  const external = new Set<string>()
  const queue = entries.map((e) => path.join(pkgDir, e))
  while (queue.length) {
    const file = queue.pop()!
    if (seen.has(file)) continue
    seen.add(file)
    for (const [, , specifier] of fs.readFileSync(file, "utf8").matchAll(/\brequire\(\s*(["'])([^"'\n]+)\1\s*\)/g)) {
      if (isRelative(specifier)) queue.push(createRequire(file).resolve(specifier))
      else external.add(specifier)
    }
  }
  return [...external]
}
