/**
 * In-memory ledger: transaction records (payments and refunds of every merchant), hosted-checkout
 * sessions, and id generators. Expiry is applied lazily whenever a record is read.
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
}

export interface CheckoutSession {
  appCode: string
  out_trade_no: string
  txamt: string
  txcurrcd: string
  /** Simulator-clock ms of the first open: the start of a minutes-based checkout_expired_time. */
  firstOpenedAt: number
}

/** Per-record `respcd` / `errmsg`, as /trade/v1/query shows them (reference §8). */
export function recordOutcome(r: TxnRecord): { respcd: string; errmsg: string } {
  switch (r.status) {
    case "paid":
      return { respcd: "0000", errmsg: "success" }
    case "open":
      return { respcd: "1143", errmsg: "not paid" }
    case "processing":
      return { respcd: "1143", errmsg: "processing" }
    case "failed":
      return { respcd: "1205", errmsg: "transaction failed" }
    case "expired":
      return { respcd: "1181", errmsg: "order expired" }
    case "closed":
      return { respcd: "1264", errmsg: "order closed" }
    case "reversed":
      return r.paid ? { respcd: "0000", errmsg: "success" } : { respcd: "1263", errmsg: "order cancelled" }
  }
}

/** The record exactly as /trade/v1/query returns it (every value a string). */
export function queryView(r: TxnRecord, userid: string): Record<string, string> {
  const { respcd, errmsg } = recordOutcome(r)
  const view: Record<string, string> = {
    syssn: r.syssn,
    out_trade_no: r.out_trade_no,
    order_type: r.order_type,
    pay_type: r.pay_type,
    txamt: r.txamt,
    txcurrcd: r.txcurrcd,
    txdtm: r.txdtm,
    sysdtm: r.sysdtm,
    paydtm: r.paydtm,
    respcd,
    errmsg,
    cancel: r.cancel,
    chnlsn: r.chnlsn,
    chnlsn2: "",
    cardcd: r.cardcd,
    cardtp: r.cardtp,
    clisn: r.clisn,
    udid: r.udid,
    userid,
    goods_name: r.goods_name,
    goods_info: r.goods_info,
    goods_detail: r.goods_detail,
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

  add(record: TxnRecord): TxnRecord {
    this.records.push(record)
    return record
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
