/**
 * Shared state and the charge state machine (reference §7.6, §11) used by every surface: the merchant API,
 * the H5 page and the control API.
 *
 *   pending ──buyer/merchant PUT──▶ buyerPaid ──seller confirms──▶ (sellerConfirmed) ▶ closed, paid   charge.succeeded
 *   pending|buyerPaid ──expiry──▶ cancelled                                                          charge.expired
 *   pending|buyerPaid ──failure──▶ cancelled                                                         charge.failed
 *   buyerPaid ──▶ dispute                                                                             charge.dispute.created
 *   dispute ──won──▶ closed, paid  |  ──lost──▶ cancelled                                             charge.dispute.closed
 *
 * With the `stateFile` option the durable part (charges, events, webhook history and queued retries,
 * merchant ids, the id generator, the token secret, the clock offset) is loaded at start and saved after
 * every change (persist()).
 */
import { SimClock } from "../shared/clock"
import { SimControlError } from "../shared/faults"
import { openStateFile, type StateFile } from "../shared/persistence"
import { silentLogger } from "../shared/types"
import { newQbitFaultBook } from "./faults"
import { ChargeBook, ObjectIdMaker, paymentMethodFor, quote, type ChargeBookSnapshot, type ChargeRecord } from "./store"
import { TOKEN_LIFETIME_MS, TokenIssuer } from "./tokens"
import type {
  Charge,
  ChargeAction,
  EventType,
  QbitEvent,
  QbitMerchantConfig,
  QbitpaySimulatorOptions,
  SimLogger,
  SimState,
} from "./types"
import { ApiError, noSuchCharge, type CreateChargeParams, type ListParams } from "./validation"
import { WEBHOOK_RETRY_DELAY_MS, WebhookSender, type WebhookSnapshot } from "./webhooks"

export interface Merchant extends QbitMerchantConfig {
  /** 24-hex account id: the `_id` claim of its access tokens. */
  id: string
}

/** What the state file keeps. Faults and rate counters are not durable. */
interface SavedState {
  /** Each merchant's account id (the `_id` of its tokens, the owner of its charges), by API key. */
  merchants: { apiKey: string; id: string }[]
  ids: { instance: string; counter: number }
  tokenSecret: string
  charges: ChargeBookSnapshot
  events: QbitEvent[]
  webhooks: WebhookSnapshot
}

const STATE_FORMAT = { simulator: "qbitpay", version: 1 }

export const DEFAULT_CHARGE_EXPIRY_MS = 30 * 60_000
const DEFAULT_RATE_LIMIT = { requests: 100, windowMs: 1_000 }

/** Statuses an unpaid charge can still expire or fail from. */
const OPEN: ReadonlySet<string> = new Set(["pending", "buyerPaid"])

export class QbitCore {
  /** Known once the server listens. */
  url = ""
  private pageBaseOption: string | undefined
  readonly clock = new SimClock()
  readonly faults = newQbitFaultBook()
  readonly charges = new ChargeBook()
  readonly ids = new ObjectIdMaker(this.clock)
  readonly webhooks: WebhookSender
  readonly tokens: TokenIssuer
  readonly logger: SimLogger
  readonly timeScale: number
  private readonly chargeExpiryMs: number
  private readonly rateLimit: { requests: number; windowMs: number }
  private readonly rateWindows = new Map<string, { start: number; count: number }>()
  private readonly byKey = new Map<string, Merchant>()
  private readonly byId = new Map<string, Merchant>()
  private events: QbitEvent[] = []
  private readonly stateFile: StateFile<SavedState> | undefined

  constructor(options: QbitpaySimulatorOptions) {
    this.logger = options.logger ?? silentLogger
    this.timeScale = options.timeScale ?? 1
    if (!(this.timeScale > 0) || !Number.isFinite(this.timeScale)) throw new Error("timeScale must be a positive number")
    this.chargeExpiryMs = options.chargeExpiryMs ?? DEFAULT_CHARGE_EXPIRY_MS
    if (!(this.chargeExpiryMs > 0)) throw new Error("chargeExpiryMs must be a positive number")
    this.rateLimit = options.rateLimit ?? DEFAULT_RATE_LIMIT
    if (!(this.rateLimit.requests >= 1 && this.rateLimit.windowMs > 0)) throw new Error("rateLimit needs requests >= 1 and windowMs > 0")
    this.pageBaseOption = options.pageBase?.replace(/\/+$/, "")
    if (!options.merchants?.length) throw new Error("at least one merchant is required")
    for (const config of options.merchants) {
      if (!config.apiKey) throw new Error("every merchant needs an apiKey")
      if (this.byKey.has(config.apiKey)) throw new Error("two merchants share an apiKey")
      const merchant: Merchant = { ...config, id: this.ids.next() }
      this.byKey.set(merchant.apiKey, merchant)
      this.byId.set(merchant.id, merchant)
    }
    this.tokens = new TokenIssuer(this.clock, TOKEN_LIFETIME_MS * this.timeScale)
    // The HTTP timeout has a 1 s floor so that a fast timeScale does not time out every local receiver.
    const timeoutMs = options.webhookTimeoutMs ?? Math.max(10_000 * this.timeScale, 1_000)
    const retryDelayMs = WEBHOOK_RETRY_DELAY_MS * this.timeScale
    this.webhooks = new WebhookSender({
      retryDelayMs,
      timeoutMs,
      clock: this.clock,
      faults: this.faults,
      logger: this.logger,
      onChange: () => this.persist(),
    })
    this.stateFile = openStateFile(options.stateFile, STATE_FORMAT, this.clock, this.logger, () => this.snapshot(), (saved) => this.load(saved))
  }

  /** Saves the durable state when there is a state file and it changed (call after every change). */
  persist(): void {
    this.stateFile?.save()
  }

  get pageBase(): string {
    return this.pageBaseOption ?? `${this.url}/h5`
  }

  merchantByKey(apiKey: string): Merchant | undefined {
    return this.byKey.get(apiKey)
  }

  merchantById(id: string): Merchant | undefined {
    return this.byId.get(id)
  }

  /** Fixed-window request counter per merchant (real time); false once the window is full. */
  admit(merchant: Merchant): boolean {
    const now = Date.now()
    let window = this.rateWindows.get(merchant.id)
    if (!window || now - window.start >= this.rateLimit.windowMs) {
      window = { start: now, count: 0 }
      this.rateWindows.set(merchant.id, window)
    }
    if (window.count >= this.rateLimit.requests) return false
    window.count += 1
    return true
  }

  // ---------------------------------------------------------------------------------------------------------
  // Merchant API actions

  createCharge(merchant: Merchant, params: CreateChargeParams): Charge {
    const now = this.clock.now()
    const expiresAtMs = now + this.chargeExpiryMs * this.timeScale
    const charge = this.buildCharge(this.ids.next(), now, expiresAtMs, params)
    const record = this.charges.add(charge, merchant.id, expiresAtMs)
    this.armExpiry(record)
    this.logger.info(`charge ${charge.id} created: ${charge.amount} ${charge.currency} order ${charge.externalOrderId}`)
    return this.view(record)
  }

  /** A merchant's own charge, expiry applied; 404 for unknown ids and other merchants' charges. */
  ownCharge(merchant: Merchant, id: string): ChargeRecord {
    const record = this.charges.get(id)
    if (!record || record.merchantId !== merchant.id) throw noSuchCharge(id)
    this.refresh(record)
    return record
  }

  listCharges(merchant: Merchant, params: ListParams): Charge[] {
    for (const record of this.charges.all()) if (record.merchantId === merchant.id) this.refresh(record)
    return this.charges.page(merchant.id, params).map((r) => this.view(r))
  }

  /** PUT {status:"buyerPaid"}: only a pending charge moves (402 otherwise). */
  merchantMarksBuyerPaid(merchant: Merchant, id: string): Charge {
    const record = this.ownCharge(merchant, id)
    if (record.charge.status !== "pending") {
      throw new ApiError(402, "invalid_request_error", `Charge ${id} is ${record.charge.status}; only a pending charge can become buyerPaid`)
    }
    record.charge.status = "buyerPaid"
    this.logger.info(`charge ${id} buyerPaid (merchant PUT)`)
    return this.view(record)
  }

  /** GET /api/v1/events/test: one sample charge.succeeded with livemode false, no retry. */
  async sendTestEvent(merchant: Merchant, url: string): Promise<QbitEvent> {
    const now = this.clock.now()
    const charge = this.buildCharge(this.ids.next(), now, now, {
      amount: 100,
      currency: "USD",
      externalOrderId: "test-event-order",
      cbUrl: url,
      redirectUrl: url,
      baseCurrency: "BTC",
      quoteCurrency: "CNY",
    })
    charge.paid = true
    charge.status = "closed"
    const event = this.newEvent("charge.succeeded", charge, false)
    await this.webhooks.send(event, merchant.apiKey, url, false)
    return event
  }

  // ---------------------------------------------------------------------------------------------------------
  // Payer / Qbit side (H5 page and control API)

  /**
   * `pay`: the buyer marks it paid (if pending) and the seller confirms at once → closed.
   * `buyer-paid`: only the buyer's mark. `dispute`: buyer's mark (if pending), then dispute.
   * `fail` / `expire`: an open charge is cancelled. `close-dispute`: won → closed+paid, lost → cancelled.
   * Throws SimControlError 404 (unknown) or 409 (wrong state; nothing changes).
   */
  act(id: string, action: ChargeAction, outcome: "won" | "lost" = "won"): Charge {
    try {
      return this.applyAction(id, action, outcome)
    } finally {
      this.persist()
    }
  }

  private applyAction(id: string, action: ChargeAction, outcome: "won" | "lost"): Charge {
    const record = this.charges.get(id)
    if (!record) throw new SimControlError(404, `no charge ${id}`)
    this.refresh(record)
    const charge = record.charge
    const refuse = (what: string): never => {
      throw new SimControlError(409, `charge ${id} is ${charge.status}; cannot ${what}`)
    }
    switch (action) {
      case "pay":
      case "buyer-paid":
      case "dispute":
        if (!OPEN.has(charge.status)) refuse(action)
        charge.status = "buyerPaid"
        if (action === "pay") {
          charge.status = "sellerConfirmed"
          this.settle(record, "closed", true, "charge.succeeded")
        } else if (action === "dispute") {
          this.settle(record, "dispute", false, "charge.dispute.created")
        }
        break
      case "fail":
      case "expire":
        if (!OPEN.has(charge.status)) refuse(action)
        this.settle(record, "cancelled", false, action === "fail" ? "charge.failed" : "charge.expired")
        break
      case "close-dispute":
        if (charge.status !== "dispute") refuse("close a dispute")
        this.settle(record, outcome === "won" ? "closed" : "cancelled", outcome === "won", "charge.dispute.closed")
        break
    }
    this.logger.info(`charge ${id} ${action} -> ${charge.status}`)
    return this.view(record)
  }

  // ---------------------------------------------------------------------------------------------------------

  view(record: ChargeRecord): Charge {
    return structuredClone(record.charge)
  }

  /** A snapshot for tests and tools; expiry is applied first, like any other read. */
  state(): SimState {
    const records = this.charges.all()
    records.forEach((record) => this.refresh(record))
    const charges = records.map((r) => Object.assign(this.view(r), { merchantId: r.merchantId }))
    const { offset } = this.clock
    return {
      charges,
      events: structuredClone(this.events),
      webhooks: this.webhooks.list(),
      faults: this.faults.list(),
      now: new Date(Date.now() + offset).toISOString(),
      clockOffsetMs: offset,
    }
  }

  /**
   * Clears charges, events, webhook history and retries, expiry timers, faults and rate counters (not the
   * clock, the ids or the token secret). A state file is rewritten with that empty state.
   */
  reset(): void {
    this.events = []
    this.rateWindows.clear()
    this.faults.clear()
    this.charges.clear()
    this.webhooks.reset()
    this.clock.cancelAll()
    this.persist()
  }

  close(): void {
    // The file keeps what was there: queued webhook retries are re-armed by the next start.
    this.stateFile?.close()
    this.clock.close()
    this.webhooks.reset()
  }

  private snapshot(): SavedState {
    return {
      merchants: [...this.byKey.values()].map((m) => ({ apiKey: m.apiKey, id: m.id })),
      ids: this.ids.snapshot(),
      tokenSecret: this.tokens.exportSecret(),
      charges: this.charges.snapshot(),
      events: this.events,
      webhooks: this.webhooks.snapshot(),
    }
  }

  /**
   * Start-up with a state file: merchants get their saved account ids back (so their charges and tokens
   * are theirs again); open charges whose expiry passed while the simulator was stopped expire now (with
   * charge.expired), the others when due; queued webhook retries are re-armed by the sender.
   */
  private load(saved: SavedState): void {
    this.ids.restore(saved.ids)
    this.tokens.restoreSecret(saved.tokenSecret)
    for (const { apiKey, id } of saved.merchants) {
      const merchant = this.byKey.get(apiKey)
      if (!merchant) continue
      this.byId.delete(merchant.id)
      merchant.id = id
      this.byId.set(id, merchant)
    }
    this.charges.restore(saved.charges)
    if (this.charges.all().some((r) => !this.byId.has(r.merchantId))) {
      throw new Error("it holds charges of a merchant whose api key is not configured")
    }
    if (!Array.isArray(saved.events)) throw new Error("the event list is not a list")
    this.events = structuredClone(saved.events)
    this.webhooks.restore(saved.webhooks)
    for (const record of this.charges.all()) if (OPEN.has(record.charge.status)) this.armExpiry(record)
  }

  /** An open charge expires at expiresAtMs: by a clock job, or at once when that is already past (a restart). */
  private armExpiry(record: ChargeRecord): void {
    const delay = record.expiresAtMs - this.clock.now()
    if (delay <= 0) this.refresh(record)
    else record.expiryJob = this.clock.schedule(delay, () => this.refresh(record))
  }

  /** Lazy expiry: an open charge past expiresAt is cancelled with charge.expired. */
  private refresh(record: ChargeRecord): void {
    if (OPEN.has(record.charge.status) && this.clock.now() >= record.expiresAtMs) {
      this.settle(record, "cancelled", false, "charge.expired")
      this.logger.info(`charge ${record.charge.id} expired`)
    }
  }

  private settle(record: ChargeRecord, status: "closed" | "cancelled" | "dispute", paid: boolean, type: EventType): void {
    record.charge.status = status
    record.charge.paid = paid
    if (record.expiryJob !== undefined) {
      this.clock.cancel(record.expiryJob)
      record.expiryJob = undefined
    }
    const merchant = this.byId.get(record.merchantId)
    if (!merchant) throw new Error(`charge ${record.charge.id} has no merchant`)
    const event = this.newEvent(type, this.view(record), true)
    void this.webhooks.send(event, merchant.apiKey, record.charge.cbUrl)
    // Lazy expiry settles during plain reads too; its event must not be made again after a restart.
    this.persist()
  }

  private newEvent(type: EventType, data: Charge, livemode: boolean): QbitEvent {
    const event: QbitEvent = {
      id: this.ids.next(),
      type,
      createdAt: new Date(this.clock.now()).toISOString(),
      object: "event",
      pendingWebhooks: 0,
      livemode,
      data,
    }
    this.events.push(structuredClone(event))
    return event
  }

  /** Field order follows the doc's Charge object (it is the order of `data` in signed events). */
  private buildCharge(id: string, now: number, expiresAtMs: number, p: CreateChargeParams): Charge {
    const q = quote(p.amount, p.currency, p.baseCurrency, p.quoteCurrency)
    return {
      id,
      object: "charge",
      createdAt: new Date(now).toISOString(),
      paid: false,
      status: "pending",
      amount: p.amount,
      currency: p.currency,
      externalOrderId: p.externalOrderId,
      paymentPageUrl: `${this.pageBase}/?zh#/otc/payment?tradeId=${id}`,
      cbUrl: p.cbUrl,
      redirectUrl: p.redirectUrl,
      price: q.price,
      fee: q.fee,
      baseAmount: q.baseAmount,
      baseCurrency: p.baseCurrency,
      totalCost: q.totalCost,
      quoteCurrency: p.quoteCurrency,
      ...(p.paymentType !== undefined ? { paymentMethod: paymentMethodFor(p.paymentType, p.quoteCurrency) } : {}),
      ...(p.payerName !== undefined ? { payerName: p.payerName } : {}),
      expiresAt: new Date(expiresAtMs).toISOString(),
    }
  }
}
