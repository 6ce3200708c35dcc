/**
 * The simulator's shared state and the domain actions every surface uses (the /trade/v1 API, hosted
 * checkout, shopper pages and control endpoints): paying, failing, settling refunds and notifying. With the
 * `stateFile` option the durable part (ledger, notifications, the clock offset) is loaded at start and
 * saved after every change (persist()).
 */
import { openStateFile, type StateFile } from "../shared/persistence"
import { CHECKOUT_METHODS, DEFAULT_ENABLED_PAY_TYPES } from "./catalogue"
import { SimClock } from "./clock"
import { FaultBook, SimControlError } from "./faults"
import { Notifier, type NotifierSnapshot } from "./notifier"
import { Ledger, stateView, type LedgerSnapshot, type TxnRecord } from "./store"
import type { MerchantConfig, QfpaySimulatorOptions, SimLogger, SimState, StateTransaction } from "./types"

export interface Merchant extends MerchantConfig {
  /** QFPay's numeric merchant user id, shown as `userid` in query records. */
  userid: string
  enabled: ReadonlySet<string>
  /** Methods the hosted checkout offers (before the currency filter). */
  checkoutMethods: readonly string[]
}

const silentLogger: SimLogger = { info: () => undefined, warn: () => undefined }

/** What the state file keeps. Faults, rate counters and refund requests in flight are not durable. */
interface SavedState {
  ledger: LedgerSnapshot
  notifier: NotifierSnapshot
}

const STATE_FORMAT = { simulator: "qfpay", version: 1 }

export class SimCore {
  /** Base URL, known once the server listens. */
  url = ""
  readonly clock = new SimClock()
  readonly faults = new FaultBook()
  readonly ledger = new Ledger(this.clock)
  readonly notifier: Notifier
  /** Set when the `stateFile` option is given. */
  private readonly stateFile: StateFile<SavedState> | undefined
  readonly merchants = new Map<string, Merchant>()
  readonly logger: SimLogger
  readonly timeScale: number
  /** Refund requests in flight per original payment (`appCode|syssn`), to serialise refunds. */
  readonly refundLocks = new Map<string, number>()
  /** Request timestamps per app code, for the rate limit (§16). */
  readonly rateWindows = new Map<string, number[]>()

  constructor(options: QfpaySimulatorOptions) {
    this.logger = options.logger ?? silentLogger
    this.timeScale = options.timeScale ?? 1
    if (!(this.timeScale > 0)) throw new Error("timeScale must be a positive number")
    if (!options.merchants?.length) throw new Error("at least one merchant is required")
    options.merchants.forEach((m, index) => {
      if (!m.appCode || !m.clientKey) throw new Error("every merchant needs appCode and clientKey")
      if (this.merchants.has(m.appCode)) throw new Error(`duplicate merchant appCode ${m.appCode}`)
      const enabled = new Set(m.enabledPayTypes ?? DEFAULT_ENABLED_PAY_TYPES)
      this.merchants.set(m.appCode, {
        ...m,
        userid: String(2605489 + index),
        enabled,
        // An explicit enabledPayTypes list also limits the checkout; the default offers every method.
        checkoutMethods: m.enabledPayTypes ? CHECKOUT_METHODS.filter((c) => enabled.has(c)) : CHECKOUT_METHODS,
      })
    })
    this.notifier = new Notifier({
      clock: this.clock,
      faults: this.faults,
      logger: this.logger,
      timeScale: this.timeScale,
      timeoutMs: options.notifyTimeoutMs ?? Math.max(10_000 * this.timeScale, 1_000),
      onChange: () => this.persist(),
    })
    this.stateFile = openStateFile(options.stateFile, STATE_FORMAT, this.clock, this.logger, () => this.snapshot(), (saved) => this.load(saved))
  }

  /** Saves the durable state when there is a state file and it changed (call after every change). */
  persist(): void {
    this.stateFile?.save()
  }

  /** A processing refund turns 0000 at its settlesAt. */
  scheduleSettlement(refund: TxnRecord): void {
    this.clock.schedule((refund.settlesAt ?? 0) - this.clock.now(), () => {
      if (refund.status === "processing") this.settleRefund(refund)
    })
  }

  /** A real-world duration converted to simulator time. */
  scaled(ms: number): number {
    return ms * this.timeScale
  }

  merchantOf(record: TxnRecord): Merchant {
    const merchant = this.merchants.get(record.appCode)
    if (!merchant) throw new Error(`record ${record.syssn} belongs to an unknown merchant`)
    return merchant
  }

  /** The shopper completed an open order: money moved, the merchant gets notified. */
  markPaid(record: TxnRecord): void {
    record.status = "paid"
    record.paid = true
    record.paydtm = this.ledger.nowText()
    record.chnlsn = this.ledger.newChnlsn()
    if (record.pay_type === "802801" || record.pay_type === "806527") record.cardcd = "520000******1096"
    this.notifyPayment(record)
  }

  markFailed(record: TxnRecord): void {
    record.status = "failed"
  }

  /**
   * POST /__sim/transactions/:syssn/pay|fail|pay-late and the shopper pages. `pay-late` is a wallet's
   * confirmation that reaches QFPay after the order expired (why the provider keeps a grace period after
   * expiry): the expired order becomes paid and is notified like any payment.
   */
  completeTransaction(syssn: string, outcome: "pay" | "fail" | "pay-late"): TxnRecord {
    const record = this.ledger.find(syssn)
    if (!record) throw new SimControlError(404, `no transaction with syssn ${syssn}`)
    if (record.order_type !== "payment") throw new SimControlError(409, "refunds cannot be paid or failed")
    if (outcome === "pay-late") {
      if (record.status !== "expired") throw new SimControlError(409, `transaction is ${record.status}, not expired; a late confirmation needs an expired order`)
      this.markPaid(record)
      this.logger.info(`transaction ${syssn} paid by a late wallet confirmation`)
    } else {
      if (record.status !== "open") {
        throw new SimControlError(409, `transaction is ${record.status}, not open; nothing was charged`)
      }
      if (outcome === "pay") this.markPaid(record)
      else this.markFailed(record)
      this.logger.info(`transaction ${syssn} ${record.status} by the simulated shopper`)
    }
    this.persist()
    return record
  }

  /** A processing refund (or an immediate one) becomes final: update the original and notify. */
  settleRefund(refund: TxnRecord): void {
    const original = refund.origssn ? this.ledger.find(refund.origssn) : undefined
    refund.status = "paid"
    refund.paid = true
    refund.paydtm = this.ledger.nowText()
    if (original) {
      const settled = this.ledger
        .refundsOf(original.syssn)
        .filter((r) => r.status === "paid")
        .reduce((sum, r) => sum + Number(r.txamt), 0)
      original.cancel = settled >= Number(original.txamt) ? "3" : "5"
    }
    this.notifyRefund(refund, original)
  }

  notifyPayment(record: TxnRecord): void {
    const merchant = this.merchantOf(record)
    this.dispatch(merchant, record.notify_url ?? merchant.notifyUrl, record, "payment", this.basePayload(merchant, record, "payment"))
  }

  notifyRefund(refund: TxnRecord, original: TxnRecord | undefined): void {
    const merchant = this.merchantOf(refund)
    const payload = this.basePayload(merchant, refund, "refund")
    payload.orig_syssn = refund.origssn ?? ""
    payload.orig_out_trade_no = refund.orig_out_trade_no ?? ""
    // Refunds are announced where the original payment's notifications went.
    this.dispatch(merchant, original?.notify_url ?? merchant.notifyUrl, refund, "refund", payload)
  }

  state(): SimState {
    return {
      transactions: this.ledger.all().map((r): StateTransaction => stateView(r, this.merchantOf(r).userid)),
      notifications: this.notifier.list(),
      faults: this.faults.list(),
      now: new Date(this.clock.now()).toISOString(),
      clockOffsetMs: this.clock.offset,
    }
  }

  /**
   * Clears records, sessions, notifications, faults, timers and rate counters (not the clock or the id
   * counters); a state file is rewritten with that empty state.
   */
  reset(): void {
    this.clock.cancelAll()
    this.notifier.reset()
    this.ledger.reset()
    this.faults.clear()
    this.refundLocks.clear()
    this.rateWindows.clear()
    this.persist()
  }

  close(): void {
    // The file keeps what was there: queued notifications are re-armed by the next start.
    this.stateFile?.close()
    this.clock.close()
    this.notifier.reset()
  }

  private snapshot(): SavedState {
    return { ledger: this.ledger.snapshot(), notifier: this.notifier.snapshot() }
  }

  /**
   * Start-up with a state file. Order expiry needs nothing (it is applied lazily on read, against the
   * restored clock); refunds whose settlement fell due while the simulator was stopped settle now, the
   * others when due; queued notifications are re-armed by the notifier.
   */
  private load(saved: SavedState): void {
    this.ledger.restore(saved.ledger)
    const stranger = this.ledger.all().find((r) => !this.merchants.has(r.appCode))
    if (stranger) throw new Error(`it holds transactions of app code ${stranger.appCode}, which is not configured`)
    this.notifier.restore(saved.notifier)
    const now = this.clock.now()
    for (const record of this.ledger.all()) {
      if (record.status !== "processing" || record.settlesAt === undefined) continue
      if (record.settlesAt <= now) this.settleRefund(record)
      else this.scheduleSettlement(record)
    }
  }

  /** Notification fields in QFPay's order (§12.4); the order is the order of the signed body. */
  private basePayload(merchant: Merchant, r: TxnRecord, notifyType: "payment" | "refund"): Record<string, string> {
    const payload: Record<string, string> = {
      status: "1",
      notify_type: notifyType,
      pay_type: r.pay_type,
      syssn: r.syssn,
      out_trade_no: r.out_trade_no,
      txamt: r.txamt,
      txcurrcd: r.txcurrcd,
      txdtm: r.txdtm,
      sysdtm: r.sysdtm,
      paydtm: r.paydtm,
      respcd: "0000",
      cancel: r.cancel,
    }
    if (merchant.mchid) payload.mchid = merchant.mchid
    Object.assign(payload, {
      goods_name: r.goods_name,
      goods_info: r.goods_info,
      exchange_rate: "",
      cash_fee: "0",
      cash_fee_type: "",
      chnlsn: r.chnlsn,
      chnlsn2: "",
      cardcd: r.cardcd,
    })
    return payload
  }

  private dispatch(
    merchant: Merchant,
    url: string | undefined,
    r: TxnRecord,
    notifyType: "payment" | "refund",
    payload: Record<string, string>
  ): void {
    if (!url) {
      this.logger.info(`no notify URL for ${notifyType} ${r.syssn}; nothing sent`)
      return
    }
    this.notifier.send({
      url,
      payload,
      clientKey: merchant.clientKey,
      syssn: r.syssn,
      out_trade_no: r.out_trade_no,
      notify_type: notifyType,
    })
  }
}
