const { startDatabase } = require("../scripts/database")

module.exports = async function globalSetup() {
  process.env.MEDUSA_DISABLE_TELEMETRY = "true"
  const db = await startDatabase({ log: (m) => process.stdout.write(`\n[test-db] ${m}\n`) })
  globalThis.__TEST_DB__ = db
}
