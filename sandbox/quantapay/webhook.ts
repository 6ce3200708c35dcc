/**
 * Webhooks (reference §9): one POST per completed transaction to the account's webhook URL, JSON body
 * `{"key": <webhook secret>, "transaction": <row>}`, no signature header. Fire-and-forget like Boxcoin:
 * the answer is recorded but never checked, and nothing is retried (not even after a restart).
 */
import { Sleeper, type SimClock } from "../shared/clock"
import type { FaultBook } from "../shared/faults"
import { OutboundPoster } from "../shared/outbound"
import type { SimLogger } from "../shared/types"
import type { ActiveFault } from "./faults"
import { phpJsonEncode } from "./phpjson"
import type { TransactionRow, WebhookDelivery } from "./types"

const HEADERS = { "Content-Type": "application/json", "User-Agent": "quantapay-simulator" }

export class WebhookSender {
  private log: WebhookDelivery[] = []
  private readonly http = new OutboundPoster()
  private readonly waits = new Sleeper()
  /** Replaced by reset(): a delivery that started under an older epoch drops its result. */
  private epoch: object = {}

  constructor(
    private readonly clock: SimClock,
    private readonly faults: FaultBook<ActiveFault>,
    private readonly logger: SimLogger,
    private readonly timeoutMs: number,
    /** After a delivery's outcome is recorded (a state file saves then). */
    private readonly onChange: () => void = () => undefined
  ) {}

  /** Dispatches the webhook of a completed transaction; returns at once (the delivery runs on its own). */
  send(url: string, secret: string, row: TransactionRow): void {
    const delivery: WebhookDelivery = {
      id: `W${String(this.log.length + 1).padStart(6, "0")}`,
      transaction_id: row.id,
      external_reference: row.external_reference,
      url,
      body: phpJsonEncode({ key: secret, transaction: row }),
      outcome: "pending",
      at: new Date(this.clock.now()).toISOString(),
    }
    this.log.push(delivery)
    void this.deliver(delivery, this.epoch)
  }

  list(): WebhookDelivery[] {
    return this.log.map((d) => ({ ...d }))
  }

  /** The history as a state file keeps it. */
  snapshot(): WebhookDelivery[] {
    return this.log
  }

  /**
   * The saved history. A delivery that was still in flight when the simulator stopped is not sent again
   * (Boxcoin never retries); it is recorded as an error.
   */
  restore(saved: WebhookDelivery[]): void {
    if (!Array.isArray(saved)) throw new Error("the webhook history is not a list")
    this.log = saved.map((d) =>
      d.outcome === "pending" ? { ...d, outcome: "error", error: "the simulator stopped before an answer came back; not retried" } : { ...d }
    )
  }

  /** Forgets history and abandons deliveries in flight. */
  reset(): void {
    this.epoch = {}
    this.log = []
    this.http.abortAll()
    this.waits.clear()
  }

  private async deliver(d: WebhookDelivery, epoch: object): Promise<void> {
    const label = `webhook ${d.id} (transaction ${d.transaction_id})`
    const fault = this.faults.take("webhook")
    if (fault?.mode === "suppress") {
      d.outcome = "suppressed"
      this.logger.info(`${label} lost by a suppress fault; it is never retried`)
      this.onChange()
      return
    }
    if (fault?.mode === "delay") {
      d.delayedMs = fault.delayMs ?? 0
      await this.waits.sleep(d.delayedMs)
    }
    const answer = epoch === this.epoch ? await this.http.post(d.url, d.body, HEADERS, this.timeoutMs) : undefined
    if (!answer || epoch !== this.epoch) return
    d.outcome = answer.status === undefined ? "error" : "sent"
    if (answer.status !== undefined) d.status = answer.status
    if (answer.body !== undefined) d.responseBody = answer.body.slice(0, 200)
    if (answer.error) d.error = answer.error
    this.logger.info(`${label} -> ${answer.status ?? answer.error}; not retried, whatever the answer`)
    this.onChange()
  }
}
