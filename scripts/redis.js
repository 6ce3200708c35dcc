#!/usr/bin/env node
// Finds or starts the Redis that the multi-instance tests and `npm run demo -- --redis` use.
// - REDIS_URL given: use it.
// - Otherwise: Debian's redis-server (installed with apt when missing and root, see ensure-debian-package)
//   on a free loopback port, with no persistence, stopped with the returned `stop()`.
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const net = require("node:net")
const { spawn } = require("node:child_process")
const { ensureDebianPackage } = require("./ensure-debian-package")
const { freePort } = require("./database")

const REDIS_SERVER = "/usr/bin/redis-server"

function ensureRedis(log) {
  return ensureDebianPackage({ executable: REDIS_SERVER, pkg: "redis-server", needFor: "The multi-instance tests and the demo's --redis mode", log })
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1")
    socket.once("error", () => resolve(false))
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.once("data", (d) => {
      socket.destroy()
      resolve(String(d).startsWith("+PONG"))
    })
  })
}

/**
 * @param {{ log?: (msg: string) => void, dataDir?: string }} options
 * @returns {Promise<{ url: string, started: boolean, stop: () => Promise<void> }>}
 */
async function startRedis(options = {}) {
  const log = options.log || (() => {})
  if (process.env.REDIS_URL) {
    log("Using the Redis at REDIS_URL.")
    return { url: process.env.REDIS_URL, started: false, stop: async () => {} }
  }
  const executable = ensureRedis(log)
  const port = await freePort()
  const dir = options.dataDir || fs.mkdtempSync(path.join(os.tmpdir(), "medusa-redis-"))
  const child = spawn(executable, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], {
    stdio: ["ignore", "ignore", "pipe"],
  })
  let stderr = ""
  child.stderr.on("data", (d) => (stderr += d))
  const deadline = Date.now() + 10_000
  while (!(await ping(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (code ${child.exitCode}): ${stderr.trim()}`)
    if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within 10 s`)
    await new Promise((r) => setTimeout(r, 50))
  }
  log(`Redis started on port ${port}.`)
  return {
    url: `redis://127.0.0.1:${port}`,
    started: true,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      }),
  }
}

module.exports = { startRedis, ensureRedis, REDIS_SERVER }
