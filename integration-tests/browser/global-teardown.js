const fs = require("node:fs")

module.exports = async function globalTeardown() {
  const demo = globalThis.__BROWSER_DEMO__
  if (!demo) return
  const { child, dataDir } = demo
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r))
    child.kill("SIGINT")
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    await exited
    clearTimeout(timer)
  }
  fs.rmSync(dataDir, { recursive: true, force: true })
}
