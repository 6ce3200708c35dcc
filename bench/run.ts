/**
 * `npm run bench`: what our providers cost a real store, measured on the demo shape (the dev store as a real
 * `medusa start` process on PostgreSQL, the three simulators on loopback), against Medusa's own
 * `pp_system_default` in the same run. A script, not a test: it prints a table and writes JSON; the targets
 * are printed beside the figures, and nothing fails because a machine is slow.
 *
 *   1. Checkouts, interleaved in a shuffled order per round: every registration and the system provider in
 *      both regions (session creation, cart completion, whole checkout), medians, p90, ratios to the system
 *      provider of the same region with 95% bootstrap intervals.
 *   2. Gateway calls per checkout, by endpoint (recorded by a pass-through proxy in front of each simulator).
 *   3. Each webhook route at a fixed arrival rate: valid first deliveries, duplicates of one delivery, and
 *      invalid ones (p50, p99, max, errors, Medusa's CPU), with Medusa's memory before, during and after.
 *   4. Each provider's HTTP client against a bare keep-alive axios call to the same endpoint.
 *
 * Settings (environment): BENCH_ROUNDS (checkout rounds, default 30), BENCH_RATE (webhooks per second, 200),
 * BENCH_STORM_SECONDS (per route and kind, 10), BENCH_CLIENT_CALLS (500), BENCH_OUT (the JSON file),
 * BENCH_PROFILE_DIR (write a V8 CPU profile of each Medusa instance there, for finding where time goes).
 */
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import axios from "axios"
import { startDatabase, type Database } from "../scripts/database"
import { startCluster, shopper, type Cluster, type RecordedCall } from "../integration-tests/helpers/cluster"
import { CREDENTIALS, payAtGateway, webhookOf } from "../integration-tests/helpers/gateways"
import { measureClients, type ClientResult } from "./clients"
import { medianRatio, seededRandom, shuffled, summarize, type Ratio, type Summary } from "./stats"
import { cpuSeconds, processGroupRss, stormRoute, type StormResult } from "./storm"
import { firstDeliveries, invalidDeliveries, type Delivery } from "./webhooks"

const ROOT = path.resolve(__dirname, "..")
const int = (name: string, fallback: number) => {
  const n = Number(process.env[name])
  return Number.isInteger(n) && n > 0 ? n : fallback
}
const SETTINGS = {
  rounds: int("BENCH_ROUNDS", 30),
  rate: int("BENCH_RATE", 200),
  stormSeconds: int("BENCH_STORM_SECONDS", 10),
  clientCalls: int("BENCH_CLIENT_CALLS", 500),
  /**
   * `demo`: one `medusa start` doing everything (the dev store's shape). `production`: a server and a worker
   * on Redis (README "Production"), so webhooks are recorded by the server and processed by the worker.
   */
  shape: (process.env.BENCH_SHAPE === "production" ? "production" : "demo") as "demo" | "production",
  out: process.env.BENCH_OUT || path.join(ROOT, "artifacts", "bench", `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`),
}
const TARGETS = { completionRatio: 1.1, checkoutRatio: 1.05, webhookP99Ms: 20, rssGrowth: 0.1, clientRatio: 1.2 }

type Variant = { name: string; provider: string; region: "hk" | "us"; gateway?: "qfpay" | "quantapay" | "qbitpay" }
const VARIANTS: Variant[] = [
  { name: "system (HK)", provider: "pp_system_default", region: "hk" },
  { name: "system (US)", provider: "pp_system_default", region: "us" },
  // The system provider captured at once (bench/captured-provider): Medusa's capture bookkeeping, none of our code.
  { name: "captured (HK)", provider: "pp_captured_captured", region: "hk" },
  { name: "captured (US)", provider: "pp_captured_captured", region: "us" },
  { name: "QFPay hosted", provider: "pp_qfpay_qfpay", region: "hk", gateway: "qfpay" },
  { name: "QFPay direct", provider: "pp_qfpay_qfpay-direct", region: "hk", gateway: "qfpay" },
  { name: "QuantaPay", provider: "pp_quantapay_quantapay", region: "us", gateway: "quantapay" },
  { name: "Qbit Pay", provider: "pp_qbitpay_qbitpay", region: "us", gateway: "qbitpay" },
]

type Sample = { session: number; completion: number; checkout: number }
const log = (message: string) => process.stdout.write(`[bench] ${message}\n`)
const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await probe()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** Every delivery recorded so far processed (or ignored), so one measurement does not pay for the last one's work. */
async function deliveriesSettled(cluster: Cluster) {
  await waitUntil("webhook deliveries to be processed", async () => {
    const [row] = await cluster.sql<{ n: string }>("select count(*) as n from payment_ledger_delivery where status in ('received', 'processing')")
    return row.n === "0"
  }, 300_000)
}

/** Verified deliveries of a registration received since `since` and already processed now. */
async function processedSince(cluster: Cluster, providerId: string, since: Date): Promise<number> {
  const [row] = await cluster.sql<{ n: string }>(
    "select count(*) as n from payment_ledger_delivery where provider_id = $1 and verified and received_at >= $2 and processed_at <= now()",
    [providerId, since]
  )
  return Number(row.n)
}

/** One checkout as a storefront does it: cart, payment session, payment at the gateway, cart completion. */
async function checkout(cluster: Cluster, variant: Variant): Promise<{ sample: Sample; session: any; reference?: string; calls: RecordedCall[] }> {
  const s = shopper(cluster, cluster.http[0])
  const callsBefore = variant.gateway ? cluster.calls[variant.gateway].length : 0
  const started = process.hrtime.bigint()
  const cartId = await s.cart(variant.region)
  const sessionStarted = process.hrtime.bigint()
  const session = await s.session(cartId, variant.provider)
  const session_ms = ms(sessionStarted)
  const reference = variant.gateway ? await payAtGateway(cluster.gateways, session) : undefined
  const completionStarted = process.hrtime.bigint()
  const completed = await s.complete(cartId)
  const completion = ms(completionStarted)
  const checkout_ms = ms(started)
  if (completed.status !== 200 || completed.data.type !== "order") {
    throw new Error(`${variant.name}: completing the cart answered ${completed.status} ${JSON.stringify(completed.data).slice(0, 300)}`)
  }
  await deliveriesSettled(cluster)
  const calls = variant.gateway ? cluster.calls[variant.gateway].slice(callsBefore) : []
  return { sample: { session: session_ms, completion, checkout: checkout_ms }, session, reference, calls }
}

function lastQfpayCallAt(cluster: Cluster): number {
  return cluster.calls.qfpay.reduce((latest, call) => Math.max(latest, call.start), 0)
}

function endpointName(call: RecordedCall): string {
  // QuantaPay has one URL; the operation is the form's `function`.
  if (call.path.startsWith("/api.php")) return `POST /api.php ${new URLSearchParams(call.body).get("function")}`
  return `${call.method} ${call.path.split("?")[0].replace(/\/[A-Za-z0-9_-]*\d[A-Za-z0-9_-]{5,}/g, "/:id")}`
}

/** Both floors (Medusa's system provider, and it captured at once) on every region, beside our registrations. */
async function enableFloorProviders(cluster: Cluster) {
  const headers = await cluster.adminHeaders()
  for (const regionId of Object.values(cluster.seeded.regions)) {
    const { data } = await axios.get(`${cluster.http[0].url}/admin/regions/${regionId}?fields=*payment_providers`, { headers })
    const ids = new Set<string>((data.region.payment_providers ?? []).map((p: { id: string }) => p.id))
    ids.add("pp_system_default")
    ids.add("pp_captured_captured")
    await axios.post(`${cluster.http[0].url}/admin/regions/${regionId}`, { payment_providers: [...ids] }, { headers })
  }
}

function machine() {
  const [one, five, fifteen] = os.loadavg()
  return { cpus: os.cpus().length, cpu_model: os.cpus()[0]?.model, memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1), load_average: { one, five, fifteen }, node: process.version }
}

/** The live heap (MB, as V8 prints it) after each major GC, from the instance's --trace-gc lines, oldest first. */
function majorGcs(log: string): number[] {
  return [...log.matchAll(/Mark-Compact[^\n]*?[\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/g)].map((m) => Number(m[1]))
}

type StormRow = StormResult & { route: string; kind: string; rss_mib_before?: number; rss_mib_after?: number; worker_cpu_seconds?: number; processed_during_storm?: number }

/** The two floors measured beside our registrations (Medusa's system provider, and it captured at once). */
const isFloor = (variant: string) => variant.startsWith("system") || variant.startsWith("captured")
/** Bytes as MiB, one decimal. */
const mib = (bytes: number) => +(bytes / 2 ** 20).toFixed(1)
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-")
const fmtRatio = (r: Ratio) => `${fmt(r.ratio, 2)}x (${fmt(r.low, 2)}-${fmt(r.high, 2)})`
const mark = (ok: boolean) => (ok ? "ok" : "OVER")

async function main() {
  log(`machine: ${JSON.stringify(machine())}`)
  const db: Database = await startDatabase({ log })
  let cluster: Cluster | undefined
  try {
    cluster = await startCluster({
      instances: SETTINGS.shape === "production" ? [{ name: "server", mode: "server" }, { name: "worker", mode: "worker" }] : [{ name: "medusa", mode: "shared" }],
      redis: SETTINGS.shape === "production",
      // Webhooks are processed 2 s after receipt: longer than a cart completion, as Medusa's default 5 s is (so
      // the shopper's completion goes first, as in a store), and short enough to wait for between checkouts.
      env: {
        PAYMENT_WEBHOOK_DELAY_MS: process.env.BENCH_WEBHOOK_DELAY_MS || "2000",
        LOG_LEVEL: "warn",
        BENCH_CAPTURED_PROVIDER: "true",
      },
      // Each GC logged with the heap before and after: the live heap after major GCs tells a leak (it
      // climbs) from V8 keeping a larger heap after a burst (RSS up, the live heap flat).
      nodeArgs: ["--trace-gc", ...(process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [])],
      log,
    })
    const medusa = cluster.http[0]
    // In the production shape the worker processes what the server recorded: its CPU is reported beside.
    const worker = cluster.instances.find((i) => i.mode === "worker")
    const workerCpu = () => (worker?.process?.pid ? cpuSeconds(worker.process.pid) : 0)
    await enableFloorProviders(cluster)

    // 1 + 2. Checkouts, interleaved; a warm-up round first (JIT, connection pools, first queries).
    const random = seededRandom(20261201)
    for (const variant of VARIANTS) await checkout(cluster, variant)
    const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]))
    const calls = new Map<string, Map<string, number>>(VARIANTS.map((v) => [v.name, new Map()]))
    const lastSession = new Map<string, any>()
    log(`${SETTINGS.rounds} rounds of ${VARIANTS.length} checkouts, interleaved`)
    for (let round = 0; round < SETTINGS.rounds; round++) {
      for (const variant of shuffled(VARIANTS, random)) {
        const result = await checkout(cluster, variant)
        samples.get(variant.name)!.push(result.sample)
        lastSession.set(variant.name, result)
        const byEndpoint = calls.get(variant.name)!
        for (const call of result.calls) byEndpoint.set(endpointName(call), (byEndpoint.get(endpointName(call)) ?? 0) + 1)
      }
    }
    const checkouts = VARIANTS.map((variant) => {
      const own = samples.get(variant.name)!
      const system = samples.get(`system (${variant.region.toUpperCase()})`)!
      const captured = samples.get(`captured (${variant.region.toUpperCase()})`)!
      const pick = (k: keyof Sample) => own.map((s) => s[k])
      const base = (k: keyof Sample) => system.map((s) => s[k])
      const capturedBase = (k: keyof Sample) => captured.map((s) => s[k])
      return {
        variant: variant.name,
        provider: variant.provider,
        session_ms: summarize(pick("session")),
        completion_ms: summarize(pick("completion")),
        checkout_ms: summarize(pick("checkout")),
        completion_ratio: medianRatio(pick("completion"), base("completion")),
        checkout_ratio: medianRatio(pick("checkout"), base("checkout")),
        session_ratio: medianRatio(pick("session"), base("session")),
        // Against the captured floor: what our code adds to a captured payment's completion.
        completion_ratio_captured: medianRatio(pick("completion"), capturedBase("completion")),
        completion_ms_over_captured: +(summarize(pick("completion")).median - summarize(capturedBase("completion")).median).toFixed(1),
        gateway_calls_per_checkout: Object.fromEntries([...calls.get(variant.name)!].map(([k, n]) => [k, +(n / own.length).toFixed(2)])),
      }
    })

    // 3. Webhook storms, route by route, straight at the instance (no balancer in between).
    const sessions = {
      qfpay: lastSession.get("QFPay hosted").session,
      quantapay: lastSession.get("QuantaPay").session,
      qbitpay: lastSession.get("Qbit Pay").session,
    }
    const count = SETTINGS.rate * SETTINGS.stormSeconds
    // A warm-up pass first, one second of each kind on each route, not measured: a store's routes are warm
    // (optimised code, a full connection pool) when a gateway's backlog arrives, and the first storm should
    // not pay for all of that alone.
    for (const [gateway, session] of Object.entries(sessions) as Array<[keyof typeof sessions, any]>) {
      const genuine = webhookOf(cluster.gateways, session)
      for (const deliveries of [firstDeliveries(gateway, genuine, SETTINGS.rate, CREDENTIALS, "warm"), Array.from({ length: SETTINGS.rate }, () => genuine), invalidDeliveries(genuine, SETTINGS.rate, "warm")]) {
        await stormRoute(`${medusa.url}/hooks/payment/${genuine.provider}`, deliveries, SETTINGS.rate, () => {})
        await deliveriesSettled(cluster)
      }
    }
    const rssStart = processGroupRss(medusa.process!.pid!)
    const majorGcsBefore = majorGcs(medusa.logText())
    let rssMax = rssStart
    const storms: StormRow[] = []
    // The floor first: Medusa's own webhook route (the system provider's), the same arrival rate, a fixed body,
    // from the same starting memory as ours.
    {
      const cpuBefore = cpuSeconds(medusa.process!.pid!)
      const rssBefore = processGroupRss(medusa.process!.pid!)
      const body = JSON.stringify({ id: "evt_bench", type: "bench" })
      const baseline = Array.from({ length: count }, () => ({ provider: "system_default", body, headers: { "content-type": "application/json" } }))
      const result = await stormRoute(`${medusa.url}/hooks/payment/system_default`, baseline, SETTINGS.rate, () => {
        rssMax = Math.max(rssMax, processGroupRss(medusa.process!.pid!))
      })
      result.cpu_seconds = +(cpuSeconds(medusa.process!.pid!) - cpuBefore).toFixed(2)
      // Its memory too: a route that writes nothing still moves RSS as V8 sizes its heap for the burst.
      storms.push({ route: "system_default", kind: "medusa's own", ...result, rss_mib_before: mib(rssBefore), rss_mib_after: mib(processGroupRss(medusa.process!.pid!)) })
      // Medusa processes its route's deliveries 5 s after receipt (its fixed delay): cheap ones (the system
      // provider takes no webhooks), but not to be charged to the next storm.
      await new Promise((r) => setTimeout(r, 6000))
    }
    for (const [gateway, session] of Object.entries(sessions) as Array<[keyof typeof sessions, any]>) {
      const genuine = webhookOf(cluster.gateways, session)
      const kinds: Array<[string, Delivery[]]> = [
        ["first", firstDeliveries(gateway, genuine, count, CREDENTIALS)],
        ["duplicate", Array.from({ length: count }, () => genuine)],
        ["invalid", invalidDeliveries(genuine, count)],
      ]
      for (const [kind, deliveries] of kinds) {
        await deliveriesSettled(cluster)
        const verified = async () =>
          Number((await cluster!.sql<{ n: string }>("select count(*) as n from payment_ledger_delivery where provider_id = $1 and verified", [`pp_${genuine.provider}`]))[0].n)
        const verifiedBefore = await verified()
        const rssBefore = processGroupRss(medusa.process!.pid!)
        const cpuBefore = cpuSeconds(medusa.process!.pid!)
        const workerCpuBefore = workerCpu()
        const stormStarted = new Date()
        const result = await stormRoute(`${medusa.url}/hooks/payment/${genuine.provider}`, deliveries, SETTINGS.rate, () => {
          rssMax = Math.max(rssMax, processGroupRss(medusa.process!.pid!))
        })
        result.cpu_seconds = +(cpuSeconds(medusa.process!.pid!) - cpuBefore).toFixed(2)
        // What the ledger holds afterwards: first deliveries each a new verified row, the others none.
        result.recorded_verified = (await verified()) - verifiedBefore
        // How many of this storm's deliveries were processed while it was still arriving: the process that
        // answers holds its processing back during a burst (a worker does not need to).
        const processedDuring = kind === "first" ? { processed_during_storm: await processedSince(cluster, `pp_${genuine.provider}`, stormStarted) } : {}
        await deliveriesSettled(cluster)
        const workerSeconds = worker ? { worker_cpu_seconds: +(workerCpu() - workerCpuBefore).toFixed(2) } : {}
        storms.push({ route: genuine.provider, kind, ...result, ...workerSeconds, ...processedDuring, rss_mib_before: mib(rssBefore), rss_mib_after: mib(processGroupRss(medusa.process!.pid!)) })
        log(`${genuine.provider} ${kind}: p50 ${fmt(result.latency_ms.median)} ms, p99 ${fmt(result.latency_ms.p99)} ms, errors ${result.errors}`)
      }
    }
    await deliveriesSettled(cluster)
    await new Promise((r) => setTimeout(r, 5000))
    const rssAfter = processGroupRss(medusa.process!.pid!)
    const gcsDuring = majorGcs(medusa.logText()).slice(majorGcsBefore.length)
    const memory = {
      // MiB live after a major GC: the last one before the storms, the largest and the last one after.
      live_heap_mib_before: majorGcsBefore.at(-1),
      live_heap_mib_max: gcsDuring.length ? Math.max(...gcsDuring) : undefined,
      live_heap_mib_last: gcsDuring.at(-1),
      major_gcs: gcsDuring.length,
      webhooks: storms.reduce((n, s) => n + s.sent, 0),
      rss_mib_start: mib(rssStart),
      rss_mib_max: mib(rssMax),
      rss_mib_after: mib(rssAfter),
      growth_during: +((rssMax - rssStart) / rssStart).toFixed(3),
      growth_after: +((rssAfter - rssStart) / rssStart).toFixed(3),
    }

    // 4. Clients against bare axios, on the simulators directly.
    // The checkouts' QFPay queries count against QFPay's per-minute limit too: a minute's distance.
    const sinceQfpay = Date.now() - lastQfpayCallAt(cluster)
    await new Promise((r) => setTimeout(r, 60_000 - Math.min(60_000, sinceQfpay)))
    const clients: ClientResult[] = await measureClients(
      cluster.gateways,
      { qfpayOrderId: sessions.qfpay.data.merchant_order_id, quantapayTransactionId: lastSession.get("QuantaPay").reference, qbitChargeId: lastSession.get("Qbit Pay").reference },
      SETTINGS.clientCalls
    ).catch((error: Error) => {
      // The other sections' figures are kept and printed.
      log(`the client comparison failed: ${error.message}`)
      return []
    })

    const report = { at: new Date().toISOString(), machine: machine(), settings: SETTINGS, targets: TARGETS, checkouts, storms, memory, clients }
    fs.mkdirSync(path.dirname(SETTINGS.out), { recursive: true })
    fs.writeFileSync(SETTINGS.out, JSON.stringify(report, null, 2))
    printReport(report)
    log(`JSON written to ${path.relative(process.cwd(), SETTINGS.out)}`)
  } finally {
    await cluster?.stop()
    await db.stop()
  }
}

function printReport(report: {
  machine: ReturnType<typeof machine>
  checkouts: Array<{ variant: string; session_ms: Summary; completion_ms: Summary; checkout_ms: Summary; completion_ratio: Ratio; checkout_ratio: Ratio; completion_ratio_captured: Ratio; completion_ms_over_captured: number; gateway_calls_per_checkout: Record<string, number> }>
  storms: StormRow[]
  memory: { webhooks: number; rss_mib_start: number; rss_mib_max: number; rss_mib_after: number; growth_during: number; growth_after: number; live_heap_mib_before?: number; live_heap_mib_max?: number; live_heap_mib_last?: number; major_gcs: number }
  clients: ClientResult[]
}) {
  const out: string[] = []
  const load = report.machine.load_average
  out.push("", `Shape: ${SETTINGS.shape === "production" ? "production (a server and a worker on Redis; the storms hit the server)" : "demo (one medusa start)"}`)
  out.push("", `Checkouts (${SETTINGS.rounds} interleaved rounds; ms; ratio = median / median of the system provider in the same region, 95% interval; the captured floor is that provider capturing at once, so its gap is our code's cost)`)
  out.push(["variant".padEnd(14), "session p50/p90".padEnd(17), "completion p50/p90".padEnd(20), "checkout p50/p90".padEnd(18), "completion ratio".padEnd(26), "checkout ratio".padEnd(26), "completion vs captured floor"].join(" "))
  for (const c of report.checkouts) {
    const floor = isFloor(c.variant)
    out.push(
      [
        c.variant.padEnd(14),
        `${fmt(c.session_ms.median)}/${fmt(c.session_ms.p90)}`.padEnd(17),
        `${fmt(c.completion_ms.median)}/${fmt(c.completion_ms.p90)}`.padEnd(20),
        `${fmt(c.checkout_ms.median)}/${fmt(c.checkout_ms.p90)}`.padEnd(18),
        (floor ? "-" : `${fmtRatio(c.completion_ratio)} ${mark(c.completion_ratio.ratio <= TARGETS.completionRatio)}`).padEnd(26),
        (floor ? "-" : `${fmtRatio(c.checkout_ratio)} ${mark(c.checkout_ratio.ratio <= TARGETS.checkoutRatio)}`).padEnd(26),
        floor ? "-" : `${fmtRatio(c.completion_ratio_captured)}, ${c.completion_ms_over_captured >= 0 ? "+" : ""}${fmt(c.completion_ms_over_captured)} ms`,
      ].join(" ")
    )
  }
  out.push("", "Gateway calls per checkout")
  for (const c of report.checkouts.filter((c) => !isFloor(c.variant))) {
    out.push(`  ${c.variant.padEnd(14)} ${Object.entries(c.gateway_calls_per_checkout).map(([k, n]) => `${k}: ${n}`).join(", ") || "none"}`)
  }
  out.push("", `Webhook routes at ${SETTINGS.rate}/s for ${SETTINGS.stormSeconds} s each (ms from the scheduled send; target p99 < ${TARGETS.webhookP99Ms} ms, 0 errors; CPU is the answering instance's during the storm (in the demo shape, with the processing that ran meanwhile); the first row is Medusa's own route, for the floor)`)
  for (const s of report.storms) {
    out.push(
      `  ${s.route.padEnd(20)} ${s.kind.padEnd(9)} sent ${String(s.sent).padStart(5)}  p50 ${fmt(s.latency_ms.median).padStart(6)}  p99 ${fmt(s.latency_ms.p99).padStart(7)}  max ${fmt(s.latency_ms.max).padStart(7)}  errors ${s.errors}  new verified rows ${s.recorded_verified}  statuses ${JSON.stringify(s.statuses)}  cpu ${s.cpu_seconds} s = ${fmt((s.cpu_seconds * 1000) / s.sent, 2)} ms a delivery${s.worker_cpu_seconds !== undefined ? ` (worker ${s.worker_cpu_seconds} s)` : ""}${s.processed_during_storm !== undefined ? `  processed during the storm ${s.processed_during_storm}` : ""}  rss ${s.rss_mib_before ?? "-"}->${s.rss_mib_after ?? "-"} MiB  ${mark(s.latency_ms.p99 < TARGETS.webhookP99Ms && s.errors === 0)}`
    )
  }
  const m = report.memory
  out.push("", `Memory of Medusa over ${m.webhooks} webhooks: RSS ${m.rss_mib_start} MiB at start, ${m.rss_mib_max} max, ${m.rss_mib_after} after (growth ${fmt(m.growth_during * 100)}% during, ${fmt(m.growth_after * 100)}% after) ${mark(m.growth_during < TARGETS.rssGrowth && m.growth_after < TARGETS.rssGrowth)}`)
  out.push(`  live heap after a major GC: ${m.live_heap_mib_before ?? "-"} MB before the storms; ${m.major_gcs} major GCs during and after them, the largest ${m.live_heap_mib_max ?? "-"} MB, the last ${m.live_heap_mib_last ?? "-"} MB`)
  out.push("", `Clients against a bare keep-alive axios call to the same endpoint (${SETTINGS.clientCalls} alternating calls each, QFPay 180; paced under each gateway's rate limit; ms)`)
  for (const c of report.clients) {
    out.push(`  ${c.client.padEnd(34)} client p50 ${fmt(c.client_ms.median, 2)}  bare p50 ${fmt(c.bare_ms.median, 2)}  ratio ${fmtRatio(c.ratio)} ${mark(c.ratio.ratio <= TARGETS.clientRatio)}`)
  }
  out.push("", `Machine: ${report.machine.cpus} CPUs, load average ${fmt(load.one, 2)} / ${fmt(load.five, 2)} / ${fmt(load.fifteen, 2)} (1/5/15 min) at the end`)
  process.stdout.write(out.join("\n") + "\n")
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})

