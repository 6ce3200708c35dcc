#!/usr/bin/env node
// Makes sure a program from a Debian package is installed, for the tests and the demo (Chromium for the
// browser tests, redis-server for the multi-instance tests). When it is missing:
// - as root: `apt-get update` then `apt-get install -y --no-install-recommends <package>`;
// - otherwise: fails and says which command to run.
const fs = require("node:fs")
const { spawnSync } = require("node:child_process")

class EnsurePackageError extends Error {}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function run(tag, command, args, log) {
  log(`[${tag}] $ ${[command, ...args].join(" ")}`)
  const result = spawnSync(command, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } })
  if (result.error) throw new EnsurePackageError(`could not run ${command}: ${result.error.message}`)
  if (result.status !== 0) throw new EnsurePackageError(`\`${[command, ...args].join(" ")}\` failed (exit ${result.status ?? result.signal}).`)
}

/**
 * Returns the path of `executable`, installing Debian's `pkg` first when it is missing and this process is
 * root. Throws an Error with a message meant for a person otherwise.
 * @param {{ executable: string, pkg: string, needFor: string, log?: (msg: string) => void }} options
 */
function ensureDebianPackage({ executable, pkg, needFor, log = (msg) => console.log(msg) }) {
  if (isExecutable(executable)) return executable
  const tag = `ensure-${pkg}`
  const install = `apt-get install -y --no-install-recommends ${pkg}`
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0
  if (!isRoot) {
    throw new EnsurePackageError(
      `${pkg} is not installed (${executable} is missing) and this is not root, so it cannot be installed here.\n` +
        `  ${needFor} need it. Install Debian's package, then run them again:\n` +
        `    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive ${install}`
    )
  }
  if (!isExecutable("/usr/bin/apt-get")) {
    throw new EnsurePackageError(`${pkg} is not installed (${executable} is missing) and there is no apt-get here to install it. ${needFor} need Debian's (or Ubuntu's) ${pkg} package.`)
  }
  const started = Date.now()
  log(`[${tag}] ${executable} is missing; installing Debian's ${pkg} package.`)
  try {
    run(tag, "apt-get", ["update"], log)
    run(tag, "apt-get", install.split(" ").slice(1), log)
  } catch (error) {
    throw new EnsurePackageError(
      `Installing ${pkg} failed: ${error.message}\n` +
        `  ${needFor} need the ${pkg} package from the Debian archive (the network must reach it).\n` +
        `  Try it by hand: apt-get update && DEBIAN_FRONTEND=noninteractive ${install}`
    )
  }
  if (!isExecutable(executable)) throw new EnsurePackageError(`apt-get installed ${pkg}, but ${executable} is still missing.`)
  log(`[${tag}] Installed ${executable} in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
  return executable
}

module.exports = { ensureDebianPackage, EnsurePackageError }
