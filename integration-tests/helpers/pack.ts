import { execFileSync } from "node:child_process"
import crypto from "node:crypto"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"

/**
 * The package as a merchant or a storefront gets it: `medusa plugin:build` and `npm pack`, once per set of
 * sources. Tests that install the package (the packed store, the install spec, a storefront) call
 * `packPlugin()` and get the same tarball.
 *
 * What goes into the package (src/, package.json, tsconfig.json, README.md, LICENSE, .npmignore) is copied
 * into a staging folder first and built there (its node_modules a link to this repository's), so the build
 * sees one consistent snapshot while people edit the working tree, and this repository's own .medusa is
 * left alone. The tarball is kept under the OS temp folder keyed by a hash of that snapshot: jest resets
 * modules per test file and `npm test` runs suites in separate processes, so an in-memory cache would
 * build again for every file. A lock folder keeps two processes from building the same snapshot at once.
 */
const ROOT = path.resolve(__dirname, "../..")
const CACHE = path.join(os.tmpdir(), "medusa-payments-hk-crypto-pack")
/** The inputs of the build and of `npm pack`, relative to the repository. */
const INPUTS = ["src", "package.json", "tsconfig.json", "README.md", "LICENSE", ".npmignore"]
/** Not part of the build (tsconfig.json excludes them) and often being written while tests run. */
const SKIPPED = /(^|\/)(__tests__|\.DS_Store)(\/|$)/

export type PackResult = {
  /** The tarball's absolute path. */
  tarball: string
  /** The paths inside it (without the leading `package/`). */
  files: string[]
  /** Seconds the build and pack took, 0 when the tarball came from the cache. */
  seconds: number
}

let memo: Promise<PackResult> | undefined

/** Builds and packs the plugin (or reuses the tarball of the same sources) and returns the tarball's path. */
export async function packPlugin(): Promise<string> {
  return (await packPluginWithInfo()).tarball
}

/** As packPlugin, with the tarball's file list and the time the build took. */
export function packPluginWithInfo(): Promise<PackResult> {
  memo ??= Promise.resolve().then(buildAndPack)
  memo.catch(() => (memo = undefined))
  return memo
}

/** The files in a tarball npm packed, without the leading `package/`. */
export function tarballFiles(tarball: string): string[] {
  return execFileSync("tar", ["-tzf", tarball], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    .split("\n")
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ""))
}

function listFiles(rel: string, out: string[]) {
  const abs = path.join(ROOT, rel)
  if (SKIPPED.test(rel) || !fs.existsSync(abs)) return
  const stat = fs.statSync(abs)
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(abs).sort()) listFiles(path.posix.join(rel, entry), out)
  } else if (stat.isFile()) {
    out.push(rel)
  }
}

/** Copies the inputs into `stage` and returns the hash of what it copied (paths and contents). */
function snapshot(stage: string): string {
  const files: string[] = []
  for (const input of INPUTS) listFiles(input, files)
  const hash = crypto.createHash("sha256")
  for (const rel of files) {
    const content = fs.readFileSync(path.join(ROOT, rel))
    fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true })
    fs.writeFileSync(path.join(stage, rel), content)
    hash.update(rel).update("\0").update(content).update("\0")
  }
  return hash.digest("hex").slice(0, 16)
}

function run(file: string, args: string[], cwd: string, what: string): string {
  try {
    return execFileSync(file, args, {
      cwd,
      // The jest run's variables must not reach the build (NODE_OPTIONS carries --experimental-vm-modules).
      env: { ...process.env, NODE_OPTIONS: "", TEST_TYPE: "", MEDUSA_DISABLE_TELEMETRY: "true" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string }
    throw new Error(`${what} failed:\n${(e.stdout ?? "").slice(-6000)}\n${(e.stderr ?? "").slice(-6000)}`)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Holds `dir` as a lock (mkdir is atomic); a lock whose owner died is taken over. */
async function withLock<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  const started = Date.now()
  for (;;) {
    try {
      fs.mkdirSync(dir)
      fs.writeFileSync(path.join(dir, "pid"), String(process.pid))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
      const owner = Number(fs.readFileSync(path.join(dir, "pid"), { encoding: "utf8", flag: "a+" }) || 0)
      const age = Date.now() - fs.statSync(dir).mtimeMs
      if ((owner && !alive(owner)) || (!owner && age > 30_000)) {
        fs.rmSync(dir, { recursive: true, force: true })
        continue
      }
      if (Date.now() - started > 15 * 60_000) throw new Error(`waited 15 minutes for ${dir}`)
      await sleep(1000)
    }
  }
  try {
    return await fn()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Keeps the cache to the last few builds (a tarball per snapshot of the sources adds up over a day of edits). */
function prune(keep: string, max = 8) {
  const builds = fs
    .readdirSync(CACHE, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name) && path.join(CACHE, e.name) !== keep)
    .map((e) => ({ dir: path.join(CACHE, e.name), at: fs.statSync(path.join(CACHE, e.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at)
  for (const { dir } of builds.slice(max - 1)) fs.rmSync(dir, { recursive: true, force: true })
}

async function buildAndPack(): Promise<PackResult> {
  fs.mkdirSync(CACHE, { recursive: true })
  const stage = fs.mkdtempSync(path.join(CACHE, "stage-"))
  try {
    const key = snapshot(stage)
    const dir = path.join(CACHE, key)
    const done = path.join(dir, "tarball.json")
    const cached = (): PackResult | undefined => {
      if (!fs.existsSync(done)) return undefined
      const tarball = path.join(dir, JSON.parse(fs.readFileSync(done, "utf8")).filename as string)
      return fs.existsSync(tarball) ? { tarball, files: tarballFiles(tarball), seconds: 0 } : undefined
    }
    const hit = cached()
    if (hit) return hit
    return await withLock(`${dir}.lock`, () => {
      const again = cached()
      if (again) return again
      const started = Date.now()
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(stage, "node_modules"), "dir")
      run(process.execPath, [path.join(ROOT, "node_modules/@medusajs/cli/cli.js"), "plugin:build"], stage, "medusa plugin:build")
      fs.mkdirSync(dir, { recursive: true })
      const packed = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir], stage, "npm pack")) as Array<{ filename: string }>
      fs.writeFileSync(done, JSON.stringify({ filename: packed[0].filename, builtAt: new Date().toISOString() }))
      const tarball = path.join(dir, packed[0].filename)
      const seconds = Math.round((Date.now() - started) / 100) / 10
      process.stdout.write(`\n[pack] built and packed ${path.basename(tarball)} (${key}) in ${seconds} s\n`)
      prune(dir)
      return { tarball, files: tarballFiles(tarball), seconds }
    })
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
}
