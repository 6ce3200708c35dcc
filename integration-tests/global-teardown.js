module.exports = async function globalTeardown() {
  const db = globalThis.__TEST_DB__
  if (db) await db.stop()
}
