#!/usr/bin/env node
// `npm test`: type check, unit tests, integration tests on a real PostgreSQL (embedded unless DATABASE_URL
// or DB_HOST is set), then the demo store in a real browser. Each suite runs in its own jest process.
const { spawnSync } = require("node:child_process")
const path = require("node:path")

const jest = path.join(__dirname, "..", "node_modules", "jest", "bin", "jest.js")
const extra = process.argv.slice(2)
const suites = [
  { name: "unit", args: ["--silent=false"] },
  { name: "integration", args: ["--runInBand", "--forceExit", "--silent=false"] },
  { name: "browser", args: ["--runInBand", "--forceExit", "--silent=false"] },
]
const only = process.env.TEST_ONLY
let failed = false

if (!only && extra.length === 0) {
  console.log("\n=== type check ===\n")
  const tsc = path.join(__dirname, "..", "node_modules", "typescript", "bin", "tsc")
  // The server code, tests and scripts; then the admin extensions (React, for the dashboard's bundler).
  for (const project of ["tsconfig.check.json", "src/admin/tsconfig.json"]) {
    const result = spawnSync(process.execPath, [tsc, "-p", project], { stdio: "inherit" })
    if (result.status !== 0) {
      console.error(`Type check failed (${project}).`)
      failed = true
    }
  }
}
for (const suite of suites) {
  if (only && only !== suite.name) continue
  console.log(`\n=== ${suite.name} tests ===\n`)
  const result = spawnSync(process.execPath, [jest, ...suite.args, ...extra], {
    stdio: "inherit",
    env: {
      ...process.env,
      TEST_TYPE: suite.name,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, "--experimental-vm-modules"].filter(Boolean).join(" "),
      MEDUSA_DISABLE_TELEMETRY: "true",
    },
  })
  if (result.status !== 0) failed = true
}
process.exit(failed ? 1 : 0)
