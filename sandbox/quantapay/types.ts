/** Public types of the QuantaPay simulator (options, faults, rows, state). */
import type { HttpFaultMode } from "../shared/faults"
import type { SimulatorBase } from "../shared/http"
import type { SimLogger } from "../shared/types"

export type { SimLogger }

export interface AccountConfig {
  /** The `api-key` form field (Settings → Account). Unique per simulator. */
  apiKey: string
  /** Webhook Secret Key: sent as `key` in webhooks and the HMAC key of signed checkout sessions. */
  webhookSecret: string
  /** Where completed payments are POSTed. None = no webhook is sent (logged only). */
  webhookUrl?: string
  /** "Accept underpayments": a shortfall under 5 % completes the payment (C) instead of X. */
  acceptUnderpayments?: boolean
  /** Refuse unsigned create-checkout-session requests. */
  requireSignature?: boolean
  /** A refund source (node / Coinbase) is connected, so `refund` works. Default false. */
  refundsEnabled?: boolean
  /** Prepaid fee credits in USD, a decimal string. Default "150.00". */
  creditBalance?: string
}

export interface QuantapaySimulatorOptions {
  accounts: AccountConfig[]
  /** 0 (default) = a free port; the server binds 127.0.0.1 only. */
  port?: number
  /** Scales the simulated durations (session lifetime 60 min, pending purge 48 h). Default 1. */
  timeScale?: number
  /** Webhook HTTP timeout in real ms. Default 10 000. */
  webhookTimeoutMs?: number
  /** Default: silent. */
  logger?: SimLogger
  /**
   * A JSON file that keeps the durable state (sessions, transactions, credit balances, webhook history, the
   * transaction id counter, the clock offset) across restarts: loaded at start when it exists, rewritten
   * atomically after every change. Its directory must exist. Default: none, everything stays in memory.
   */
  stateFile?: string
}

export type ApiFaultMode = HttpFaultMode
export type WebhookFaultMode = "suppress" | "delay"
export type FaultMode = ApiFaultMode | WebhookFaultMode

export interface Fault {
  /** `api.php`, `api.php:<function>` or `webhook`. */
  target: string
  mode: FaultMode
  /** How many matching requests/webhooks it applies to. Default 1; -1 = until cleared. */
  times?: number
  /** For delay_before / delay_after / delay (real milliseconds, not scaled). */
  delayMs?: number
}

export type TxStatus = "P" | "C" | "R" | "X"

/** A transaction as the API returns it (Boxcoin row shape, every value a string or null). */
export interface TransactionRow {
  id: string
  biz_id: string
  title: string
  /** `""` or a JSON array of notes (get-transactions returns it parsed, as an array). */
  description: string
  from: string
  to: string
  hash: string
  amount: string
  amount_fiat: string
  cryptocurrency: string
  currency: string
  external_reference: string
  creation_time: string
  status: TxStatus
  webhook: "0" | "1"
  vat: string
  billing: string
  checkout_id: string | null
  type: string
}

export interface WebhookDelivery {
  /** W000001, W000002, ... */
  id: string
  transaction_id: string
  external_reference: string
  url: string
  /** The exact JSON body sent (or that would have been sent, when suppressed). */
  body: string
  /** pending = in flight; sent = an HTTP answer came back (see status); error = no answer; suppressed = lost by a fault. */
  outcome: "pending" | "sent" | "error" | "suppressed"
  status?: number
  /** First 200 characters of the answer. */
  responseBody?: string
  error?: string
  /** Real ms a `delay` fault held the delivery back. */
  delayedMs?: number
  /** ISO timestamp (simulator clock) of the dispatch. */
  at: string
}

export type SessionStatus = "open" | "expired" | "paid" | "underpaid"

/** What a checkout session was opened with. */
export interface SessionTerms {
  apiKey: string
  /** Exactly as submitted (it is what was signed). */
  price: string
  /** Upper-case ISO code. */
  currency: string
  /** "" when none was sent. */
  order_id: string
  title: string
  redirect: string | null
  lang: string | null
  /** Whether the request carried a valid signature. */
  signed: boolean
}

export interface StateSession extends SessionTerms {
  checkout_id: string
  payment_url: string
  created_at: string
  expires_at: string
  status: SessionStatus
  /** The session's current transaction (pending, or the final one), if a coin was picked. */
  transaction_id: string | null
}

export type StateTransaction = TransactionRow & {
  apiKey: string
  /** Crypto amount received on chain (C/X/R), else null. */
  received_amount: string | null
  /** When a still-pending row is purged (creation + 48 h × timeScale), ISO. */
  purge_at: string | null
}

export interface StateAccount {
  apiKey: string
  webhookUrl: string | null
  acceptUnderpayments: boolean
  requireSignature: boolean
  refundsEnabled: boolean
  credit_balance: number
}

export interface SimState {
  accounts: StateAccount[]
  sessions: StateSession[]
  transactions: StateTransaction[]
  webhooks: WebhookDelivery[]
  faults: Fault[]
  now: string
  clockOffsetMs: number
}

export type PayOutcome = "full" | "under" | "over" | "abandon"

export interface PayInput {
  /** Coin code (btc, eth, usdt_tron, ...). Required for full/under; optional for abandon. */
  coin?: string
  outcome: PayOutcome
  /** For `under`: how much is missing, in percent of the expected amount (0 < x < 100). Default 3. */
  shortfallPercent?: number
  /** For `over`: how much more than expected the shopper sent, in percent (0 < x < 100). Default 5. */
  overpayPercent?: number
}

export interface PayResult {
  ok: true
  result: "paid" | "underpaid" | "cancelled"
  /** The transaction after the payment (null after abandon). */
  transaction: TransactionRow | null
  /** Where the hosted page sends the shopper (null: it stays on the page). */
  redirect: string | null
  /** The session's plain `redirect` URL, for the "back to the shop" link after an underpayment. */
  returnUrl: string | null
}

/**
 * url, port, close(), state(), reset(), setFault(f), clearFaults() and advanceTime(ms) (moves the simulator
 * clock: session expiry and the pending purge take effect), plus:
 */
export interface QuantapaySimulator extends SimulatorBase<SimState, Fault> {
  /** Same as POST /__sim/checkout/:id/select: the shopper picks a coin; creates the pending (P) row. */
  selectCoin(checkoutId: string, coin: string): TransactionRow
  /** Same as POST /__sim/checkout/:id/pay. Throws SimControlError on a bad state. */
  payCheckout(checkoutId: string, input: PayInput): PayResult
  /** The merchant marks an underpaid (X) or pending (P) transaction completed in the dashboard: C, and the webhook goes out. */
  completeTransaction(transactionId: string): TransactionRow
}
