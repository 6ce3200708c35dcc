/** Public types of the QFPay simulator (options, faults, state). */
import type { SimulatorBase } from "../shared/http"
import type { SimLogger } from "../shared/types"

export interface MerchantConfig {
  appCode: string
  clientKey: string
  /** Sub-merchant id. When set, every /trade/v1/* call must send `mchid` and the checkout `mchntid`. */
  mchid?: string
  /** Standing notification URL (what QFPay support would configure). Per-order notify_url wins. */
  notifyUrl?: string
  /** Pay types this merchant may use. Default: every non-card code of the reference's §5.1 table. */
  enabledPayTypes?: string[]
}

export type { SimLogger }

export interface QfpaySimulatorOptions {
  /** 0 = random free port. The host is always 127.0.0.1. */
  port?: number
  merchants: MerchantConfig[]
  /** Multiplies every simulated delay (notification retries, order/page expiry, refund settlement). */
  timeScale?: number
  logger?: SimLogger
  /**
   * Notification HTTP timeout in ms. Default: max(10 s × timeScale, 1 s); the floor keeps a fast
   * timeScale from timing out every local webhook.
   */
  notifyTimeoutMs?: number
  /**
   * A JSON file that keeps the durable state (transactions, refunds, checkout sessions, notifications, id
   * counters, the clock offset) across restarts: loaded at start when it exists, rewritten atomically after
   * every change. Its directory must exist. Default: none, everything stays in memory.
   */
  stateFile?: string
}

export type FaultMode =
  | "http500"
  | "http429"
  | "delay_before"
  | "delay_after"
  | "drop_before"
  | "drop_after"
  | "malformed"
  | "respcd"
  | "suppress"

export interface Fault {
  /** `/trade/v1/payment|query|refund|close|reversal` or `notify`. */
  target: string
  mode: FaultMode
  /** How many matching requests it applies to. Default 1; -1 = until cleared. */
  times?: number
  /** For delay_before / delay_after (real milliseconds, not scaled). */
  delayMs?: number
  /** For mode `respcd`. */
  respcd?: string
  resperr?: string
  /** For respcd 1143 on refunds: when the processing refund turns 0000 (scaled by timeScale). */
  settleAfterMs?: number
}

export interface NotificationAttempt {
  /** Id of the notification (shared by all attempts of the same event). */
  id: string
  syssn: string
  out_trade_no: string
  notify_type: "payment" | "refund"
  url: string
  /** 1 = first delivery, 2..8 = retries. */
  attempt: number
  status?: number
  /** First 200 characters of the response body. */
  responseBody?: string
  acknowledged: boolean
  error?: string
  /** True when a `suppress` fault swallowed the notification (nothing was sent). */
  suppressed?: boolean
  /** The exact body sent (Python json.dumps format). */
  body: string
  /** ISO timestamp (simulator clock). */
  at: string
}

export type TxnStatus = "open" | "paid" | "failed" | "expired" | "closed" | "reversed" | "processing"

/** A transaction as `state()` shows it: the query record plus internal bookkeeping. */
export type StateTransaction = Record<string, unknown> & {
  appCode: string
  syssn: string
  out_trade_no: string
  status: TxnStatus
}

export interface SimState {
  transactions: StateTransaction[]
  notifications: NotificationAttempt[]
  faults: Fault[]
  /** Simulator clock as an ISO string, and how far it has been advanced past real time. */
  now: string
  clockOffsetMs: number
}

/**
 * url, port, close(), state(), reset(), setFault(f), clearFaults() and advanceTime(ms) (moves the simulator
 * clock forward: expiries, due retries and settlements fire), plus:
 */
export interface QfpaySimulator extends SimulatorBase<SimState, Fault> {
  /** Same as POST /__sim/transactions/:syssn/pay|fail|pay-late. Throws SimControlError on a bad state. */
  completeTransaction(syssn: string, outcome: "pay" | "fail" | "pay-late"): StateTransaction
}
