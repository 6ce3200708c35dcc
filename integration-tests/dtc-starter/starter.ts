import { spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import path from "node:path"

/**
 * Medusa's Next.js storefront starter (the dtc-starter) as a storefront developer gets it working with this
 * package: a copy of its storefront app, dtc-starter.patch applied with `git apply`, its dependencies and our
 * packed package installed with npm, built with `next build` against a running store, served by `next start`.
 * Used by integration-tests/browser/dtc-starter.spec.ts; every step reports how long it took.
 */
const ROOT = path.resolve(__dirname, "../..")
export const PATCH = path.join(__dirname, "dtc-starter.patch")

/** A storefront app folder: its package.json names `next` and it has the app router's src/app. */
function isStorefrontApp(dir: string): boolean {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
    return !!(pkg.dependencies?.next && fs.existsSync(path.join(dir, "src", "app")))
  } catch {
    return false
  }
}

/** `storefront`: the app folder found, else undefined, and `why` says what was looked at. */
export type StarterLocation = { storefront: string | undefined; lookedAt: string; why: string }

/**
 * Where the starter is: DTC_STARTER_DIR (a checkout of the starter, its root with apps/storefront or the
 * storefront app itself), else the shared fixture next to the repository (<repo>/../shared/fixtures/dtc-starter).
 */
export function findStarter(): StarterLocation {
  const given = process.env.DTC_STARTER_DIR
  const root = given ? path.resolve(given) : path.resolve(ROOT, "..", "shared", "fixtures", "dtc-starter")
  const source = given ? "DTC_STARTER_DIR" : "the shared fixture (set DTC_STARTER_DIR to use another checkout)"
  for (const candidate of [path.join(root, "apps", "storefront"), root]) {
    if (isStorefrontApp(candidate)) return { storefront: candidate, lookedAt: root, why: `found (${source})` }
  }
  const why = fs.existsSync(root)
    ? `${root} (${source}) holds neither apps/storefront nor a Next.js storefront app (package.json with next, src/app)`
    : `${root} (${source}) does not exist`
  return { storefront: undefined, lookedAt: root, why }
}

export type Log = (message: string) => void

/** Runs a command; its output is kept and shown (the last part) when it fails. */
export function run(command: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number; what: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout!.on("data", (d) => (output += d))
    child.stderr!.on("data", (d) => (output += d))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`${opts.what} took more than ${opts.timeoutMs / 1000} s:\n${output.slice(-4000)}`))
    }, opts.timeoutMs)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("exit", (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(output)
      else reject(Object.assign(new Error(`${opts.what} failed (exit ${code}):\n${output.slice(-6000)}`), { output }))
    })
  })
}

/** This process's environment without what jest sets for itself (NODE_ENV=test, --experimental-vm-modules). */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", npm_config_fund: "false", npm_config_audit: "false" }
  for (const key of ["NODE_ENV", "NODE_OPTIONS", "TEST_TYPE", "JEST_WORKER_ID"]) delete env[key]
  for (const key of Object.keys(env)) if (key.startsWith("NEXT_PUBLIC_")) delete env[key]
  return { ...env, ...extra }
}

const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10

/** Copies the starter's storefront app into `dir` and applies the patch; returns seconds taken. */
export async function copyAndPatch(source: string, dir: string, log: Log): Promise<number> {
  const started = Date.now()
  fs.cpSync(source, dir, {
    recursive: true,
    filter: (src) => !/[\\/](node_modules|\.next)$/.test(src),
  })
  // A read-only checkout (the fixture) gives read-only copies; the patch and npm write into them.
  await run("chmod", ["-R", "u+w", dir], { cwd: dir, timeoutMs: 60_000, what: "chmod" })
  await run("git", ["apply", "--check", PATCH], { cwd: dir, timeoutMs: 60_000, what: `git apply --check ${path.relative(ROOT, PATCH)}` })
  await run("git", ["apply", PATCH], { cwd: dir, timeoutMs: 60_000, what: "git apply" })
  log(`copied ${source} and applied ${path.relative(ROOT, PATCH)} in ${seconds(started)} s`)
  return seconds(started)
}

export type Install = { seconds: number; peerConflict?: string }

/**
 * `npm install <tarball>` in the copy: the starter's own dependencies from the registry and our package, as
 * the guide says. If npm refuses the peer dependencies (ERESOLVE), that is reported (`peerConflict`) and the
 * install is done again with --legacy-peer-deps so the purchases can still be checked.
 */
export async function installWithPackage(dir: string, tarball: string, log: Log): Promise<Install> {
  const started = Date.now()
  const args = ["install", "--no-audit", "--no-fund", "--loglevel=error", tarball]
  let peerConflict: string | undefined
  try {
    await run("npm", args, { cwd: dir, timeoutMs: 10 * 60_000, what: `npm install ${path.basename(tarball)}` })
  } catch (error) {
    const output = String((error as { output?: string }).output ?? (error as Error).message)
    if (!/ERESOLVE/.test(output)) throw error
    peerConflict = output
      .split("\n")
      .filter((l) => /Could not resolve dependency|peerOptional|peer |Found:|Conflicting peer/.test(l))
      .slice(0, 8)
      .join("\n")
    log(`npm install refused the package's peer dependencies (ERESOLVE):\n${peerConflict}\nInstalling again with --legacy-peer-deps.`)
    await run("npm", [...args, "--legacy-peer-deps"], { cwd: dir, timeoutMs: 10 * 60_000, what: "npm install --legacy-peer-deps" })
  }
  const installed = JSON.parse(fs.readFileSync(path.join(dir, "node_modules", "medusa-payments-hk-crypto", "package.json"), "utf8"))
  log(`npm install (starter dependencies and ${installed.name}@${installed.version}) in ${seconds(started)} s`)
  return { seconds: seconds(started), peerConflict }
}

export type StarterEnv = { backendUrl: string; publishableKey: string; baseUrl: string; defaultRegion: string }

/** `.env.local` as the starter reads it, then `next build` (the backend must be up: pages are prerendered from it). */
export async function build(dir: string, env: StarterEnv, log: Log): Promise<number> {
  const started = Date.now()
  fs.writeFileSync(
    path.join(dir, ".env.local"),
    [
      `NEXT_PUBLIC_MEDUSA_BACKEND_URL=${env.backendUrl}`,
      `NEXT_PUBLIC_MEDUSA_PUBLISHABLE_KEY=${env.publishableKey}`,
      `NEXT_PUBLIC_BASE_URL=${env.baseUrl}`,
      `NEXT_PUBLIC_DEFAULT_REGION=${env.defaultRegion}`,
      "NEXT_TELEMETRY_DISABLED=1",
      "",
    ].join("\n")
  )
  await run(process.execPath, [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "build"], { cwd: dir, timeoutMs: 10 * 60_000, what: "next build" })
  log(`next build in ${seconds(started)} s`)
  return seconds(started)
}

export type Server = { url: string; child: ChildProcess; output: () => string; stop: () => Promise<void> }

/** `next start` on `port`, resolved once it says it is ready. */
export function start(dir: string, port: number, log: Log): Promise<Server> {
  const started = Date.now()
  const child = spawn(process.execPath, [path.join(dir, "node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port)], {
    cwd: dir,
    env: cleanEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  })
  let output = ""
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((r) => child.once("exit", r))
    try {
      process.kill(-child.pid!, "SIGTERM")
    } catch {
      // gone already
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`next start did not get ready within 60 s:\n${output}`))
    }, 60_000)
    const onData = (d: Buffer) => {
      output += d
      if (/Ready in/.test(output)) {
        clearTimeout(timer)
        log(`next start on :${port} ready in ${seconds(started)} s`)
        resolve({ url: `http://localhost:${port}`, child, output: () => output, stop })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`next start exited (code ${code}):\n${output}`))
    })
  })
}
