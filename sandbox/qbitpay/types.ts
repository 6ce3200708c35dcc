/** Public types of the Qbit Pay simulator: options, the Charge and Event objects, faults and state. */
import type { SimulatorBase } from "../shared/http"
import type { SimLogger } from "../shared/types"

export type { SimLogger } from "../shared/types"

export interface QbitMerchantConfig {
  /** The merchant's API key: Basic-auth user name and webhook signing key (there is no separate secret). */
  apiKey: string
  /** Account-level webhook URL (set in the console in real life). Used only by GET /api/v1/events/test. */
  webhookUrl?: string
}

export interface QbitpaySimulatorOptions {
  /** 0 (default) = random free port. The host is always 127.0.0.1. */
  port?: number
  merchants: QbitMerchantConfig[]
  /** Multiplies every simulated duration: charge expiry, webhook retry spacing, access-token lifetime. */
  timeScale?: number
  /** Lifetime of an unpaid charge before timeScale. Default 30 minutes. */
  chargeExpiryMs?: number
  /** Base of `paymentPageUrl` (`${pageBase}/?zh#/otc/payment?tradeId=…`). Default `${url}/h5`. */
  pageBase?: string
  logger?: SimLogger
  /** Webhook HTTP timeout in real ms. Default max(10 s × timeScale, 1 s). */
  webhookTimeoutMs?: number
  /** Per-API-key throttle; exceeding it gives 403 rate_limit_error. Default 100 requests per 1000 ms (real time). */
  rateLimit?: { requests: number; windowMs: number }
  /**
   * A JSON file that keeps the durable state (charges, events, webhook history and queued retries, merchant
   * account ids, the id generator, the access-token secret, the clock offset) across restarts: loaded at
   * start when it exists, rewritten atomically after every change. Its directory must exist. Default: none,
   * everything stays in memory.
   */
  stateFile?: string
}

export type ChargeStatus = "pending" | "buyerPaid" | "sellerConfirmed" | "closed" | "cancelled" | "dispute"

export interface PaymentMethod {
  object: "paymentMethod"
  type: string
  currency: string
  status: "active"
  typeLabel: { en: string; zh: string }
}

/** The Charge object (reference §6, 2019-05 fields). Key order is the serialisation order. */
export interface Charge {
  id: string
  object: "charge"
  createdAt: string
  paid: boolean
  status: ChargeStatus
  amount: number
  currency: string
  externalOrderId: string
  paymentPageUrl: string
  cbUrl: string
  redirectUrl: string
  price: number
  fee: number
  baseAmount: number
  baseCurrency: string
  totalCost: number
  quoteCurrency: string
  paymentMethod?: PaymentMethod
  payerName?: string
  expiresAt: string
}

export type EventType =
  | "charge.succeeded"
  | "charge.expired"
  | "charge.failed"
  | "charge.dispute.created"
  | "charge.dispute.closed"

/** The Event object (§8.3). `data` is the charge itself, not wrapped. (A type alias, so it is signable.) */
export type QbitEvent = {
  id: string
  type: EventType
  createdAt: string
  object: "event"
  pendingWebhooks: number
  livemode: boolean
  data: Charge
}

export interface WebhookAttempt {
  /** Event id (the same for every attempt of one event). */
  id: string
  type: EventType
  chargeId: string
  url: string
  /** 1 = first push, 2..6 = retries. */
  attempt: number
  /** `pendingWebhooks` carried by this push (failed pushes before it). */
  pendingWebhooks: number
  livemode: boolean
  status?: number
  /** First 200 characters of the receiver's answer. */
  responseBody?: string
  /** True when the receiver answered 2xx. */
  delivered: boolean
  error?: string
  /** A `suppress` fault swallowed this push: nothing was sent and nothing will be retried. */
  suppressed?: boolean
  /** The second copy sent by a `duplicate` fault (it does not steer retries). */
  duplicate?: boolean
  /** When the push left (ISO, simulator clock). */
  at: string
  /** The exact body sent (`JSON.stringify(event)`). */
  body: string
  /** The `QbitPay-Signature` header sent. */
  signature: string
}

export const FAULT_TARGETS = ["/api/v1/charges", "/api/v1/charges/:id", "/api/v1/accessToken", "webhook"] as const
export type FaultTarget = (typeof FAULT_TARGETS)[number]

export type FaultMode =
  | "http500"
  | "http403_rate_limit"
  | "delay_before"
  | "delay_after"
  | "drop_before"
  | "drop_after"
  | "malformed"
  | "suppress"
  | "duplicate"

export interface Fault {
  /**
   * `/api/v1/charges` (POST create), `/api/v1/charges/:id` (GET retrieve), `/api/v1/accessToken` (GET) or
   * `webhook` (event pushes).
   */
  target: FaultTarget
  mode: FaultMode
  /** How many matching requests or pushes it applies to. Default 1; -1 = until cleared. */
  times?: number
  /** For delay_before / delay_after: real milliseconds, not scaled. */
  delayMs?: number
}

/** A charge as `state()` shows it: the API object plus the owning merchant. */
export type StateCharge = Charge & { merchantId: string }

export interface SimState {
  charges: StateCharge[]
  /** Every event created, as first sent (pendingWebhooks 0), oldest first. */
  events: QbitEvent[]
  webhooks: WebhookAttempt[]
  faults: Fault[]
  now: string
  clockOffsetMs: number
}

export type ChargeAction = "pay" | "buyer-paid" | "fail" | "dispute" | "expire" | "close-dispute"

/**
 * The handle startQbitpaySimulator returns: url, port, close(), state(), reset() (forgets charges, events,
 * webhook history, pending timers, faults and rate counters, not the clock), setFault(f), clearFaults(),
 * advanceTime(ms) (raw ms: due expiries and webhook retries fire at once), plus act().
 */
export interface QbitpaySimulator extends SimulatorBase<SimState, Fault> {
  /** Same as POST /__sim/charges/:id/:action. Throws SimControlError (404/409) on a bad id or state. */
  act(chargeId: string, action: ChargeAction, outcome?: "won" | "lost"): Charge
}
