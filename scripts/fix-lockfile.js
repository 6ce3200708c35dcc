#!/usr/bin/env node
// The npm registry mirror this project is built against does not carry every platform build of some
// native packages (e.g. @rollup/rollup-darwin-arm64, @swc/core-win32-x64-msvc). `npm install` skips an
// optional dependency it cannot fetch and writes a lockfile without it, but `npm ci` then refuses that
// lockfile ("Missing: <pkg>@ from lock file"). This drops, from each lockfile entry, the optional
// dependencies that have no entry of their own, so `npm ci` accepts the lockfile. Those packages are
// optional builds for other platforms: nothing this platform installs changes.
// Run it after any `npm install` that changes package-lock.json: `node scripts/fix-lockfile.js`.
const fs = require("node:fs")
const path = require("node:path")

const file = path.join(__dirname, "..", "package-lock.json")
const lock = JSON.parse(fs.readFileSync(file, "utf8"))
const packages = lock.packages || {}

/** Where npm would look for `name` when required from the package at `from` (node_modules lookup). */
function resolves(from, name) {
  let dir = from
  for (;;) {
    const candidate = (dir ? `${dir}/` : "") + `node_modules/${name}`
    if (packages[candidate]) return true
    if (!dir) return false
    const idx = dir.lastIndexOf("/node_modules/")
    dir = idx === -1 ? "" : dir.slice(0, idx)
  }
}

let dropped = 0
for (const [location, entry] of Object.entries(packages)) {
  const optional = entry.optionalDependencies
  if (!optional) continue
  for (const name of Object.keys(optional)) {
    if (!resolves(location, name)) {
      delete optional[name]
      dropped++
    }
  }
  if (Object.keys(optional).length === 0) delete entry.optionalDependencies
}
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n")
console.log(`fix-lockfile: dropped ${dropped} unavailable optional platform dependencies`)
