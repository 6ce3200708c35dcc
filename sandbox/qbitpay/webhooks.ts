/**
 * Event pushes (reference §8.2-§8.4): `POST <cbUrl>` with body `JSON.stringify(event)` and header
 * `QbitPay-Signature: qbitEventSignature(event, apiKey)` (shared/signatures). Any 2xx is success. Otherwise the push is
 * retried every 15 min × timeScale, at most 5 more times (6 attempts). Each attempt carries
 * `pendingWebhooks` = failed pushes so far, so each retry has its own signature; the event id stays the same.
 * Charge pushes that are due or in flight sit in a DeliveryQueue, so a state file can re-arm them after a restart.
 */
import { DeliveryQueue, type QueuedAttempt } from "../shared/deliveries"
import { qbitEventSignature } from "../shared/signatures"
import { Sleeper, type SimClock } from "../shared/clock"
import { OutboundPoster, type PostOutcome } from "../shared/outbound"
import type { QbitFaultBook } from "./faults"
import type { QbitEvent, SimLogger, WebhookAttempt } from "./types"

export const WEBHOOK_RETRY_DELAY_MS = 15 * 60_000
export const WEBHOOK_MAX_ATTEMPTS = 6
const RECORDED_RESPONSE_CHARS = 200

/** Any 2xx acknowledges a push (reference §8.2); anything else, or no answer, is a failure. */
const is2xx = (outcome: PostOutcome): boolean => outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300

/** What a push needs; `retry` is false for GET /api/v1/events/test (one push, no retry). */
export type Push = { event: QbitEvent; apiKey: string; url: string; retry: boolean }

/** What a state file keeps: the attempt history and the charge pushes waiting for a retry or in flight. */
export interface WebhookSnapshot {
  history: WebhookAttempt[]
  queued: QueuedAttempt<Push>[]
}

export interface WebhookDeps {
  /** Spacing of retries on the simulator clock (15 min × timeScale). */
  retryDelayMs: number
  /** HTTP timeout of one push, real ms. */
  timeoutMs: number
  clock: SimClock
  faults: QbitFaultBook
  logger: SimLogger
  /** After an attempt is over (recorded, or a retry queued): the state file saves. */
  onChange(): void
}

export class WebhookSender {
  private readonly poster = new OutboundPoster()
  private readonly sleeper = new Sleeper()
  /** reset()/close() bump it; pushes begun before drop their results and schedule nothing. */
  private generation = 0
  private history: WebhookAttempt[] = []
  private readonly queue: DeliveryQueue<Push>

  constructor(private readonly deps: WebhookDeps) {
    this.queue = new DeliveryQueue({ clock: deps.clock, run: (push, n) => this.attempt(push, n), onChange: () => deps.onChange() })
  }

  /**
   * Pushes at once; resolves when the first attempt (and a duplicate copy) is over. Only pushes with
   * retries are queued (kept by a state file); the one-off test event is not.
   */
  send(event: QbitEvent, apiKey: string, url: string, retry = true): Promise<void> {
    const push: Push = { event, apiKey, url, retry }
    return retry ? this.queue.start(push) : this.attempt(push, 1)
  }

  snapshot(): WebhookSnapshot {
    return { history: this.history, queued: this.queue.list() }
  }

  /** The saved history; queued pushes are re-armed (overdue ones go out at once). */
  restore(saved: WebhookSnapshot): void {
    if (!Array.isArray(saved.history)) throw new Error("the webhook history is not a list")
    this.history = saved.history.map((a) => ({ ...a }))
    this.queue.restore(saved.queued)
  }

  list(): WebhookAttempt[] {
    return this.history.map((a) => ({ ...a }))
  }

  /** Forgets history, aborts pushes in flight and abandons delay faults (the caller cancels clock jobs). */
  reset(): void {
    this.history = []
    this.queue.clear()
    this.generation += 1
    this.sleeper.clear()
    this.poster.abortAll()
  }

  private async attempt(push: Push, n: number): Promise<void> {
    const generation = this.generation
    const stale = (): boolean => generation !== this.generation
    const event: QbitEvent = { ...push.event, pendingWebhooks: n - 1 }
    const body = JSON.stringify(event)
    const fault = this.deps.faults.take("webhook")
    // `malformed` sends a signature that cannot verify, to exercise the receiver's rejection path.
    const signature = fault?.mode === "malformed" ? "0".repeat(32) : qbitEventSignature(event, push.apiKey)
    const base = {
      id: event.id,
      type: event.type,
      chargeId: event.data.id,
      url: push.url,
      attempt: n,
      pendingWebhooks: event.pendingWebhooks,
      livemode: event.livemode,
      body,
      signature,
    }
    const label = `webhook ${event.type} ${event.id} attempt ${n}`

    if (fault?.mode === "suppress") {
      this.history.push({ ...base, at: this.now(), delivered: false, suppressed: true, error: "suppressed by fault" })
      this.deps.logger.info(`${label} suppressed by fault; nothing sent, no retry`)
      return
    }
    if (fault?.mode === "delay_before") {
      await this.sleeper.sleep(fault.delayMs ?? 0)
      if (stale()) return
    }

    // `at` is when the push left, on the simulator clock.
    const at = this.now()
    const reply = await this.post(push.url, body, signature)
    if (stale()) return
    const delivered = is2xx(reply)
    this.history.push({ ...base, at, ...this.outcome(reply), delivered })

    if (fault?.mode === "duplicate") {
      const copyAt = this.now()
      const copy = await this.post(push.url, body, signature)
      if (stale()) return
      this.history.push({ ...base, at: copyAt, ...this.outcome(copy), delivered: is2xx(copy), duplicate: true })
    }

    if (delivered) {
      this.deps.logger.info(`${label} delivered (HTTP ${reply.status})`)
      return
    }
    const why = reply.error ?? `HTTP ${reply.status}`
    if (!push.retry || n >= WEBHOOK_MAX_ATTEMPTS) {
      this.deps.logger.warn(`${label} failed (${why}); no more retries`)
      return
    }
    this.deps.logger.warn(`${label} failed (${why}); retrying in ${this.deps.retryDelayMs} ms`)
    this.queue.schedule(push, n + 1, this.deps.retryDelayMs)
  }

  private outcome(reply: PostOutcome): Pick<WebhookAttempt, "status" | "responseBody" | "error"> {
    const out: Pick<WebhookAttempt, "status" | "responseBody" | "error"> = {}
    if (reply.status !== undefined) out.status = reply.status
    if (reply.body !== undefined) out.responseBody = reply.body.slice(0, RECORDED_RESPONSE_CHARS)
    if (reply.error !== undefined) out.error = reply.error
    return out
  }

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString()
  }

  /** Redirects are not followed: a 3xx is not a 2xx, so it counts as a failed push. */
  private post(url: string, body: string, signature: string): Promise<PostOutcome> {
    const headers = { "Content-Type": "application/json", "QbitPay-Signature": signature, "User-Agent": "qbitpay-simulator" }
    return this.poster.post(url, body, headers, this.deps.timeoutMs)
  }
}
