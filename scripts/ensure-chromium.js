#!/usr/bin/env node
// Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests (playwright-core drives it;
// Playwright's own browser download is not used). When it is missing:
// - as root: `apt-get update` then `apt-get install -y --no-install-recommends chromium`;
// - otherwise: fails and says which command to run.
//
//   node scripts/ensure-chromium.js      (or require("./ensure-chromium").ensureChromium())
const fs = require("node:fs")
const { spawnSync } = require("node:child_process")

const CHROMIUM = "/usr/bin/chromium"
const INSTALL = "apt-get install -y --no-install-recommends chromium"

class EnsureChromiumError extends Error {}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function run(command, args, log) {
  log(`[ensure-chromium] $ ${[command, ...args].join(" ")}`)
  const result = spawnSync(command, args, {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  })
  if (result.error) {
    throw new EnsureChromiumError(`could not run ${command}: ${result.error.message}`)
  }
  if (result.status !== 0) {
    throw new EnsureChromiumError(`\`${[command, ...args].join(" ")}\` failed (exit ${result.status ?? result.signal}).`)
  }
}

/**
 * Returns the path of the Chromium executable, installing Debian's package first when it is missing and
 * this process is root. Throws an Error with a message meant for a person otherwise.
 * @param {{ executable?: string, log?: (msg: string) => void }} [options]
 */
function ensureChromium(options = {}) {
  const executable = options.executable || CHROMIUM
  const log = options.log || ((msg) => console.log(msg))
  if (isExecutable(executable)) return executable

  const isRoot = typeof process.getuid === "function" && process.getuid() === 0
  if (!isRoot) {
    throw new EnsureChromiumError(
      `Chromium is not installed (${executable} is missing) and this is not root, so it cannot be installed here.\n` +
        `  Install Debian's package, then run the tests again:\n` +
        `    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive ${INSTALL}`
    )
  }
  if (!isExecutable("/usr/bin/apt-get")) {
    throw new EnsureChromiumError(
      `Chromium is not installed (${executable} is missing) and there is no apt-get here to install it.\n` +
        `  The browser tests need Debian's (or Ubuntu's) chromium package at ${CHROMIUM}.`
    )
  }
  const started = Date.now()
  log(`[ensure-chromium] ${executable} is missing; installing Debian's chromium package (this takes a minute or two).`)
  try {
    run("apt-get", ["update"], log)
    run("apt-get", INSTALL.split(" ").slice(1), log)
  } catch (error) {
    throw new EnsureChromiumError(
      `Installing Chromium failed: ${error.message}\n` +
        `  The browser tests need the chromium package from the Debian archive (the network must reach it).\n` +
        `  Try it by hand: apt-get update && DEBIAN_FRONTEND=noninteractive ${INSTALL}`
    )
  }
  if (!isExecutable(executable)) {
    throw new EnsureChromiumError(`apt-get installed chromium, but ${executable} is still missing.`)
  }
  log(`[ensure-chromium] Installed ${executable} in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  return executable
}

module.exports = { ensureChromium, CHROMIUM }

if (require.main === module) {
  try {
    const executable = ensureChromium()
    console.log(`[ensure-chromium] ${executable} is there.`)
  } catch (error) {
    console.error(`\n[ensure-chromium] ${error.message}\n`)
    process.exit(1)
  }
}
