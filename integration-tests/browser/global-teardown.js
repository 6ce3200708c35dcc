const fs = require("node:fs")
const { stopDemo } = require("./global-setup")

module.exports = async function globalTeardown() {
  const demo = globalThis.__BROWSER_DEMO__
  if (!demo) return
  await new Promise((r) => (demo.control ? demo.control.close(r) : r()))
  await stopDemo(demo.child)
  await demo.db?.stop()
  fs.rmSync(demo.dataDir, { recursive: true, force: true })
}
