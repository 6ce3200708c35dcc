/**
 * In-memory ledger: transaction records (payments and refunds of every merchant), hosted-checkout
 * sessions, and id generators. Expiry is applied lazily whenever a record is read. snapshot()/restore()
 * are what a state file keeps of it (the `stateFile` option).
 */
import { formatHk, hkDateDigits, type SimClock } from "./clock"
import type { StateTransaction, TxnStatus } from "./types"

export interface TxnRecord {
  appCode: string
  syssn: string
  out_trade_no: string
  order_type: "payment" | "refund"
  pay_type: string
  txamt: string
  txcurrcd: string
  txdtm: string
  sysdtm: string
  paydtm: string
  status: TxnStatus
  /** True once the money moved; a reversed CPM/card payment keeps respcd 0000 and shows cancel "1". */
  paid: boolean
  cancel: string
  chnlsn: string
  cardcd: string
  cardtp: string
  clisn: string
  udid: string
  goods_name: string
  goods_info: string
  goods_detail: string
  /** Refunds only: the original payment's syssn / out_trade_no. */
  origssn?: string
  orig_out_trade_no?: string
  /** How the record came to be. */
  source: "api" | "checkout" | "refund"
  notify_url?: string
  return_url?: string
  failed_url?: string
  /** Simulator-clock epoch ms after which an open order reads as expired (1181). */
  expiresAt?: number
  /** Processing refunds (a `respcd 1143` fault): simulator-clock epoch ms when it turns 0000. */
  settlesAt?: number
}

/**
 * What the caller of Ledger.create() decides; the ledger stamps ids and times, the record starts unpaid,
 * and udid defaults to "qiantai2" (QFPay's terminal id for online orders).
 */
export type NewRecord = Omit<TxnRecord, "syssn" | "clisn" | "sysdtm" | "paydtm" | "paid" | "cancel" | "udid"> & { udid?: string }

/** What differs between a payment opened through /trade/v1/payment and one made on the hosted checkout. */
export interface NewPayment {
  out_trade_no: string
  pay_type: string
  txamt: string
  txcurrcd: string
  txdtm: string
  cardtp: string
  source: "api" | "checkout"
  udid?: string
  goods_name?: string
  goods_info?: string
  goods_detail?: string
  notify_url?: string
  return_url?: string
  failed_url?: string
  expiresAt?: number
}

/** The ledger as a state file keeps it: plain JSON (the BigInt high-water mark as a decimal string). */
export interface LedgerSnapshot {
  records: TxnRecord[]
  sessions: CheckoutSession[]
  counters: { syssn: number; lastSyssn: string; clisn: number; chnlsn: number }
}

export interface CheckoutSession {
  appCode: string
  out_trade_no: string
  txamt: string
  txcurrcd: string
  /** Simulator-clock ms of the first open: the start of a minutes-based checkout_expired_time. */
  firstOpenedAt: number
}

/** `respcd` / `errmsg` per status; `cancelled` is a reversal of an order whose money never moved. */
const OUTCOMES: Record<Exclude<TxnStatus, "reversed"> | "cancelled", readonly [respcd: string, errmsg: string]> = {
  paid: ["0000", "success"],
  open: ["1143", "not paid"],
  processing: ["1143", "processing"],
  failed: ["1205", "transaction failed"],
  expired: ["1181", "order expired"],
  closed: ["1264", "order closed"],
  cancelled: ["1263", "order cancelled"],
}

/** Per-record `respcd` / `errmsg`, as /trade/v1/query shows them (reference §8). */
export function recordOutcome(r: TxnRecord): { respcd: string; errmsg: string } {
  // A reversed CPM/card payment keeps reading as a success (it shows cancel "1").
  const [respcd, errmsg] = OUTCOMES[r.status === "reversed" ? (r.paid ? "paid" : "cancelled") : r.status]
  return { respcd, errmsg }
}

/** The named record fields, copied in the order given (the order of the JSON an endpoint answers). */
export function recordFields<K extends keyof TxnRecord>(r: TxnRecord, keys: readonly K[]): Pick<TxnRecord, K> {
  const picked = {} as Pick<TxnRecord, K>
  for (const key of keys) picked[key] = r[key]
  return picked
}

/** The record exactly as /trade/v1/query returns it (every value a string). */
export function queryView(r: TxnRecord, userid: string): Record<string, string> {
  const { respcd, errmsg } = recordOutcome(r)
  const view: Record<string, string> = {
    ...recordFields(r, ["syssn", "out_trade_no", "order_type", "pay_type", "txamt", "txcurrcd", "txdtm", "sysdtm", "paydtm"]),
    respcd,
    errmsg,
    ...recordFields(r, ["cancel", "chnlsn"]),
    chnlsn2: "",
    ...recordFields(r, ["cardcd", "cardtp", "clisn", "udid"]),
    userid,
    ...recordFields(r, ["goods_name", "goods_info", "goods_detail"]),
  }
  if (r.order_type === "refund" && r.origssn) view.origssn = r.origssn
  return view
}

export class Ledger {
  private records: TxnRecord[] = []
  private sessions = new Map<string, CheckoutSession>()
  // Id counters survive reset() so ids never repeat within one process.
  private syssnCounter = 0
  private lastSyssn = 0n
  private clisnCounter = 0
  private chnlsnCounter = 0

  constructor(private readonly clock: SimClock) {}

  /**
   * A 26-digit syssn: HK date (8) + a fixed node/channel part (8) + a 10-digit counter. Ids must sort by
   * creation time (providers take the smallest successful syssn), so a clock moved across midnight can
   * never make a later id smaller.
   */
  newSyssn(): string {
    this.syssnCounter += 1
    let candidate = BigInt(`${hkDateDigits(this.clock.now())}00030002${String(this.syssnCounter).padStart(10, "0")}`)
    if (candidate <= this.lastSyssn) candidate = this.lastSyssn + 1n
    this.lastSyssn = candidate
    return candidate.toString()
  }

  /** A wallet-side transaction id, only known once the money moved. */
  newChnlsn(): string {
    this.chnlsnCounter += 1
    return `${hkDateDigits(this.clock.now())}2200${String(this.chnlsnCounter).padStart(16, "0")}`
  }

  newClisn(): string {
    this.clisnCounter = (this.clisnCounter % 999999) + 1
    return String(this.clisnCounter).padStart(6, "0")
  }

  nowText(): string {
    return formatHk(this.clock.now())
  }

  /** Adds a record created now: fresh syssn and clisn, sysdtm = paydtm = now, not paid, cancel "0" (see NewRecord). */
  create(fields: NewRecord): TxnRecord {
    const now = this.nowText()
    const record: TxnRecord = {
      ...fields,
      syssn: this.newSyssn(),
      sysdtm: now,
      paydtm: now,
      paid: false,
      cancel: "0",
      clisn: this.newClisn(),
      udid: fields.udid ?? "qiantai2",
    }
    this.records.push(record)
    return record
  }

  /** Adds an open payment of the merchant: no wallet transaction or card number until it is paid. */
  openPayment(appCode: string, p: NewPayment): TxnRecord {
    return this.create({
      ...p,
      appCode,
      order_type: "payment",
      status: "open",
      chnlsn: "",
      cardcd: "",
      goods_name: p.goods_name ?? "",
      goods_info: p.goods_info ?? "",
      goods_detail: p.goods_detail ?? "",
    })
  }

  find(syssn: string): TxnRecord | undefined {
    const record = this.records.find((r) => r.syssn === syssn)
    return record && this.refresh(record)
  }

  /** One merchant's records, expiry applied, ordered by syssn. */
  forMerchant(appCode: string): TxnRecord[] {
    return this.all().filter((r) => r.appCode === appCode)
  }

  all(): TxnRecord[] {
    return this.records.map((r) => this.refresh(r)).sort((a, b) => (a.syssn < b.syssn ? -1 : a.syssn > b.syssn ? 1 : 0))
  }

  /** Refunds pointing at a payment, settled or still processing. */
  refundsOf(syssn: string): TxnRecord[] {
    return this.records.filter((r) => r.order_type === "refund" && r.origssn === syssn)
  }

  /** True when any payment, refund or checkout session of the merchant already uses this out_trade_no. */
  outTradeNoUsed(appCode: string, outTradeNo: string): boolean {
    return (
      this.records.some((r) => r.appCode === appCode && r.out_trade_no === outTradeNo) ||
      this.sessions.has(sessionKey(appCode, outTradeNo))
    )
  }

  /** True when a record other than a checkout record of this session uses the out_trade_no. */
  outTradeNoUsedOutsideCheckout(appCode: string, outTradeNo: string): boolean {
    return this.records.some((r) => r.appCode === appCode && r.out_trade_no === outTradeNo && r.source !== "checkout")
  }

  session(appCode: string, outTradeNo: string): CheckoutSession | undefined {
    return this.sessions.get(sessionKey(appCode, outTradeNo))
  }

  saveSession(session: CheckoutSession): void {
    this.sessions.set(sessionKey(session.appCode, session.out_trade_no), session)
  }

  reset(): void {
    this.records = []
    this.sessions.clear()
  }

  snapshot(): LedgerSnapshot {
    return {
      records: this.records,
      sessions: [...this.sessions.values()],
      counters: { syssn: this.syssnCounter, lastSyssn: this.lastSyssn.toString(), clisn: this.clisnCounter, chnlsn: this.chnlsnCounter },
    }
  }

  /** Replaces everything with a saved snapshot; the counters go on from where they were. */
  restore(saved: LedgerSnapshot): void {
    const { counters } = saved
    if (![counters.syssn, counters.clisn, counters.chnlsn].every(Number.isInteger)) throw new Error("the ledger's id counters are not integers")
    this.records = saved.records.map((r) => ({ ...r }))
    this.sessions = new Map(saved.sessions.map((s) => [sessionKey(s.appCode, s.out_trade_no), { ...s }]))
    this.syssnCounter = counters.syssn
    this.lastSyssn = BigInt(counters.lastSyssn)
    this.clisnCounter = counters.clisn
    this.chnlsnCounter = counters.chnlsn
  }

  /** Lazily turns an open order past its expiry into an expired one (the real gateway's 1181). */
  private refresh(record: TxnRecord): TxnRecord {
    if (record.status === "open" && record.expiresAt !== undefined && this.clock.now() >= record.expiresAt) {
      record.status = "expired"
    }
    return record
  }
}

function sessionKey(appCode: string, outTradeNo: string): string {
  return `${appCode}\u0000${outTradeNo}`
}

/** Record + internal fields for state(). */
export function stateView(r: TxnRecord, userid: string): StateTransaction {
  return {
    ...queryView(r, userid),
    appCode: r.appCode,
    syssn: r.syssn,
    out_trade_no: r.out_trade_no,
    status: r.status,
    source: r.source,
    notify_url: r.notify_url,
    return_url: r.return_url,
    failed_url: r.failed_url,
    orig_out_trade_no: r.orig_out_trade_no,
    expiresAt: r.expiresAt === undefined ? undefined : new Date(r.expiresAt).toISOString(),
  }
}
