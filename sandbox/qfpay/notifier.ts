/**
 * Asynchronous notifications (reference §12): Python-json body, `X-QF-SIGN = upper(md5(body + key))`,
 * acknowledged only by HTTP 200 with body `SUCCESS`, retried on QFPay's schedule. Attempts that are due or
 * in flight sit in a DeliveryQueue, so a state file can re-arm them after a restart.
 */
import { DeliveryQueue, type QueuedAttempt } from "../shared/deliveries"
import { qfpayNotificationSignature } from "../shared/signatures"
import { OutboundPoster, type PostOutcome } from "../shared/outbound"
import { Sleeper, type SimClock } from "./clock"
import type { FaultBook } from "./faults"
import { pyJsonDumps } from "./pyjson"
import type { NotificationAttempt, SimLogger } from "./types"

/** Delay before retry n (after attempt n), real QFPay values before timeScale. About 24 h in total. */
export const RETRY_DELAYS_MS: readonly number[] = [
  2 * 60_000,
  10 * 60_000,
  10 * 60_000,
  60 * 60_000,
  2 * 3_600_000,
  6 * 3_600_000,
  15 * 3_600_000,
]

export interface NotificationRequest {
  url: string
  /** Field order matters: it is the order of the serialised body. */
  payload: Record<string, string>
  clientKey: string
  syssn: string
  out_trade_no: string
  notify_type: "payment" | "refund"
}

export interface Delivery {
  id: string
  url: string
  body: string
  sign: string
  syssn: string
  out_trade_no: string
  notify_type: "payment" | "refund"
}

export interface NotifierDeps {
  clock: SimClock
  faults: FaultBook
  logger: SimLogger
  timeScale: number
  timeoutMs: number
  /** After an attempt is over (recorded, or a retry queued): the state file saves. */
  onChange(): void
}

/** What a state file keeps of the notifier. */
export interface NotifierSnapshot {
  seq: number
  attempts: NotificationAttempt[]
  /** Attempts waiting for their retry time or in flight when saved. */
  queued: QueuedAttempt<Delivery>[]
}

export class Notifier {
  private attempts: NotificationAttempt[] = []
  private seq = 0
  /** Bumped by reset()/close(): deliveries started before it drop their results. */
  private generation = 0
  private readonly poster = new OutboundPoster()
  private readonly sleeper = new Sleeper()
  private readonly queue: DeliveryQueue<Delivery>

  constructor(private readonly deps: NotifierDeps) {
    this.queue = new DeliveryQueue({ clock: deps.clock, run: (d, n) => this.attempt(d, n), onChange: () => deps.onChange() })
  }

  send(request: NotificationRequest): void {
    const body = pyJsonDumps(request.payload)
    this.seq += 1
    const delivery: Delivery = {
      id: `N${String(this.seq).padStart(6, "0")}`,
      url: request.url,
      body,
      sign: qfpayNotificationSignature(body, request.clientKey),
      syssn: request.syssn,
      out_trade_no: request.out_trade_no,
      notify_type: request.notify_type,
    }
    void this.queue.start(delivery)
  }

  list(): NotificationAttempt[] {
    return this.attempts.map((a) => ({ ...a }))
  }

  /** Forgets history and abandons pending deliveries (their clock jobs are cancelled by the caller). */
  reset(): void {
    this.generation += 1
    this.attempts = []
    this.queue.clear()
    this.poster.abortAll()
    this.sleeper.clear()
  }

  snapshot(): NotifierSnapshot {
    return { seq: this.seq, attempts: this.attempts, queued: this.queue.list() }
  }

  /** History and id sequence as saved; queued attempts are re-armed (overdue ones go out at once). */
  restore(saved: NotifierSnapshot): void {
    if (!Number.isInteger(saved.seq) || !Array.isArray(saved.attempts)) throw new Error("the notification history is malformed")
    this.seq = saved.seq
    this.attempts = saved.attempts.map((a) => ({ ...a }))
    this.queue.restore(saved.queued)
  }

  private async attempt(d: Delivery, n: number): Promise<void> {
    const generation = this.generation
    const fault = this.deps.faults.take("notify")
    if (fault?.mode === "suppress") {
      this.record(d, n, { acknowledged: false, suppressed: true, error: "suppressed by fault" })
      this.deps.logger.info(`notify ${d.id} ${d.notify_type} ${d.syssn} suppressed by fault`)
      return
    }
    if (fault?.mode === "delay_before") {
      await this.sleeper.sleep(fault.delayMs ?? 0)
      if (generation !== this.generation) return
    }
    // `malformed` sends a signature that cannot verify, to exercise the merchant's rejection path.
    const sign = fault?.mode === "malformed" ? "0".repeat(32) : d.sign
    const outcome = await this.post(d, sign)
    if (generation !== this.generation) return

    const acknowledged = outcome.status === 200 && (outcome.body ?? "").trim() === "SUCCESS"
    this.record(d, n, {
      acknowledged,
      status: outcome.status,
      responseBody: outcome.body?.slice(0, 200),
      error: outcome.error,
    })
    const what = `notify ${d.id} ${d.notify_type} ${d.syssn} attempt ${n}`
    if (acknowledged) {
      this.deps.logger.info(`${what} acknowledged`)
      return
    }
    const retryDelay = RETRY_DELAYS_MS[n - 1]
    if (retryDelay === undefined) {
      this.deps.logger.warn(`${what} not acknowledged; giving up after ${n} attempts`)
      return
    }
    this.deps.logger.warn(`${what} not acknowledged (${outcome.error ?? `HTTP ${outcome.status}`}); retrying`)
    this.queue.schedule(d, n + 1, retryDelay * this.deps.timeScale)
  }

  private record(d: Delivery, n: number, result: Partial<NotificationAttempt> & { acknowledged: boolean }): void {
    const attempt: NotificationAttempt = {
      id: d.id,
      syssn: d.syssn,
      out_trade_no: d.out_trade_no,
      notify_type: d.notify_type,
      url: d.url,
      attempt: n,
      body: d.body,
      at: new Date(this.deps.clock.now()).toISOString(),
      ...result,
    }
    // Keep the state JSON tidy: no `status: undefined` keys.
    for (const key of Object.keys(attempt) as Array<keyof NotificationAttempt>) {
      if (attempt[key] === undefined) delete attempt[key]
    }
    this.attempts.push(attempt)
  }

  private post(d: Delivery, sign: string): Promise<PostOutcome> {
    const headers = { "Content-Type": "application/json", "X-QF-SIGN": sign, "User-Agent": "qfpay-simulator" }
    return this.poster.post(d.url, d.body, headers, this.deps.timeoutMs)
  }
}
