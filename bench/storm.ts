/**
 * An open-loop load generator (deliveries sent at a fixed arrival rate whether or not earlier ones were
 * answered, as gateways retry) and what Medusa's processes use meanwhile, read from /proc.
 */
import fs from "node:fs"
import http from "node:http"
import { summarize, type Summary } from "./stats"
import type { Delivery } from "./webhooks"

export type StormResult = { sent: number; errors: number; statuses: Record<string, number>; latency_ms: Summary; cpu_seconds: number; recorded_verified: number }

const TIMEOUT_MS = 5000

/**
 * Sends `deliveries` to `url` at `rate` per second. Latency is measured from each delivery's scheduled time,
 * so a server that falls behind is charged for the wait (no coordinated omission). An error is a
 * timeout, a refused connection, or a 5xx.
 */
export async function stormRoute(url: string, deliveries: Delivery[], rate: number, sample: () => void): Promise<StormResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 })
  const target = new URL(url)
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  let errors = 0
  const start = performance.now()
  const sampler = setInterval(sample, 250)
  const sends: Promise<void>[] = []
  for (let i = 0; i < deliveries.length; i++) {
    const scheduled = start + (i * 1000) / rate
    const wait = scheduled - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    sends.push(
      post(agent, target, deliveries[i]).then((status) => {
        latencies.push(performance.now() - scheduled)
        statuses[status] = (statuses[status] ?? 0) + 1
        if (status === "timeout" || status === "error" || status.startsWith("5")) errors++
      })
    )
  }
  await Promise.all(sends)
  clearInterval(sampler)
  sample()
  agent.destroy()
  return { sent: deliveries.length, errors, statuses, latency_ms: summarize(latencies), cpu_seconds: 0, recorded_verified: 0 }
}

function post(agent: http.Agent, target: URL, delivery: Delivery): Promise<string> {
  return new Promise((resolve) => {
    const body = Buffer.from(delivery.body, "utf8")
    const req = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { ...delivery.headers, "content-length": body.length }, timeout: TIMEOUT_MS },
      (res) => {
        res.resume()
        res.on("end", () => resolve(String(res.statusCode)))
      }
    )
    req.on("timeout", () => {
      req.destroy()
      resolve("timeout")
    })
    req.on("error", () => resolve("error"))
    req.end(body)
  })
}

/** The pids of a process group (Medusa is started detached: its group is its own pid). */
function groupPids(pgid: number): number[] {
  const pids: number[] = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      // Fields after the command (which may hold spaces) start at the last ")": state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
      if (Number(fields[2]) === pgid) pids.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return pids
}

/** The sum of `read(pid)` over the group's processes (one that is gone meanwhile counts 0). */
function sumOverGroup(pgid: number, read: (pid: number) => number): number {
  let total = 0
  for (const pid of groupPids(pgid)) {
    try {
      total += read(pid)
    } catch {
      // gone meanwhile
    }
  }
  return total
}

/** Resident memory of the whole group, in bytes. */
export function processGroupRss(pgid: number): number {
  return sumOverGroup(pgid, (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024)
}

/** User + system CPU seconds the group has used so far (clock ticks of 1/100 s, Linux's USER_HZ). */
export function cpuSeconds(pgid: number): number {
  const ticks = sumOverGroup(pgid, (pid) => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return Number(fields[11]) + Number(fields[12])
  })
  return ticks / 100
}
