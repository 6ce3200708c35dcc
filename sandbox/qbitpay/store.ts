/**
 * In-memory charge book (all merchants), ObjectId-like ids and the deterministic OTC quote that fills the
 * 2019-05 price fields of a charge. The snapshot()/restore() pairs are what a state file keeps.
 */
import { randomBytes } from "node:crypto"
import type { SimClock } from "../shared/clock"
import { invalidParams, type ListParams } from "./validation"
import type { Charge, PaymentMethod } from "./types"

/**
 * 24-hex ids shaped like MongoDB ObjectIds (reference §2): seconds on the simulator clock, a random
 * per-instance part and a counter, so ids made later sort after earlier ones.
 */
export class ObjectIdMaker {
  private instance = randomBytes(5).toString("hex")
  private counter = randomBytes(2).readUInt16BE(0)

  constructor(private readonly clock: SimClock) {}

  snapshot(): { instance: string; counter: number } {
    return { instance: this.instance, counter: this.counter }
  }

  /** Goes on with a saved instance part and counter, so ids made after a restart still sort after older ones. */
  restore(saved: { instance: string; counter: number }): void {
    if (!/^[0-9a-f]{10}$/.test(saved.instance) || !Number.isInteger(saved.counter)) throw new Error("the id generator state is malformed")
    this.instance = saved.instance
    this.counter = saved.counter
  }

  next(): string {
    this.counter = (this.counter + 1) % 0x1000000
    const seconds = Math.floor(this.clock.now() / 1000) % 0x100000000
    return seconds.toString(16).padStart(8, "0") + this.instance + this.counter.toString(16).padStart(6, "0")
  }
}

export interface ChargeRecord {
  charge: Charge
  merchantId: string
  /** Creation order: the list order (newest first) and the cursor position. */
  seq: number
  /** Simulator-clock epoch ms of expiresAt. */
  expiresAtMs: number
  /** SimClock job that expires the charge on time (the lazy check on read covers the rest). */
  expiryJob?: number
}

/** The charge book as a state file keeps it (clock job ids are not kept: the core re-arms expiry). */
export interface ChargeBookSnapshot {
  seq: number
  charges: Omit<ChargeRecord, "expiryJob">[]
}

export class ChargeBook {
  private readonly byId = new Map<string, ChargeRecord>()
  private seq = 0

  add(charge: Charge, merchantId: string, expiresAtMs: number): ChargeRecord {
    const record: ChargeRecord = { charge, merchantId, seq: ++this.seq, expiresAtMs }
    this.byId.set(charge.id, record)
    return record
  }

  get(id: string): ChargeRecord | undefined {
    return this.byId.get(id)
  }

  /** Oldest first. */
  all(): ChargeRecord[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq)
  }

  /**
   * One page of a merchant's charges, newest first (§5). `starting_after` gives the `limit` charges older
   * than the cursor, `ending_before` the `limit` charges just newer than it. A cursor that is not one of
   * this merchant's charges is a 400.
   */
  page(merchantId: string, params: ListParams): ChargeRecord[] {
    const newestFirst = this.all()
      .filter((r) => r.merchantId === merchantId)
      .filter((r) => params.externalOrderId === undefined || r.charge.externalOrderId === params.externalOrderId)
      .reverse()
    const cursorOf = (field: "starting_after" | "ending_before", id: string): ChargeRecord => {
      const record = this.byId.get(id)
      if (record?.merchantId !== merchantId) {
        throw invalidParams([{ field, code: "invalid", message: `${field} is invalid: no such charge: ${id}` }])
      }
      return record
    }
    if (params.startingAfter !== undefined) {
      const cursor = cursorOf("starting_after", params.startingAfter)
      return newestFirst.filter((r) => r.seq < cursor.seq).slice(0, params.limit)
    }
    if (params.endingBefore !== undefined) {
      const cursor = cursorOf("ending_before", params.endingBefore)
      const newer = newestFirst.filter((r) => r.seq > cursor.seq)
      return newer.slice(Math.max(0, newer.length - params.limit))
    }
    return newestFirst.slice(0, params.limit)
  }

  clear(): void {
    this.byId.clear()
  }

  snapshot(): ChargeBookSnapshot {
    const charges = this.all().map(({ charge, merchantId, seq, expiresAtMs }) => ({ charge, merchantId, seq, expiresAtMs }))
    return { seq: this.seq, charges }
  }

  /** Replaces every charge with the saved ones; the creation sequence goes on from where it was. */
  restore(saved: ChargeBookSnapshot): void {
    if (!Number.isInteger(saved.seq)) throw new Error("the charge sequence is not an integer")
    this.byId.clear()
    for (const { charge, merchantId, seq, expiresAtMs } of saved.charges) {
      this.byId.set(charge.id, { charge: structuredClone(charge), merchantId, seq, expiresAtMs })
    }
    this.seq = saved.seq
  }
}

// -----------------------------------------------------------------------------------------------------------
// Deterministic OTC quote [ASSUMED rates]. Calibrated on the doc's example: 100 USD → totalCost 676 CNY →
// baseAmount 0.017451 BTC at price 38737.7 CNY/BTC.

/** Payer fiat per 1 USD (USDT is treated as 1 USD). */
const FIAT_PER_USD: Readonly<Record<string, number>> = { CNY: 6.76, USD: 1, PHP: 52.3 }
/** Price of one unit of the crypto bought, in the payer's fiat. */
const CRYPTO_PRICE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  BTC: { CNY: 38737.7, USD: 5730.4, PHP: 299697.6 },
  USDT: { CNY: 6.83, USD: 1.01, PHP: 52.82 },
}
/** Qbit's fee, as a share of `amount`, in the charge currency. */
const FEE_RATE = 0.01

const round = (value: number, places: number): number => {
  const factor = 10 ** places
  return Math.round(value * factor) / factor
}

export interface Quote {
  price: number
  fee: number
  baseAmount: number
  totalCost: number
}

export function quote(amount: number, currency: string, baseCurrency: string, quoteCurrency: string): Quote {
  const price = CRYPTO_PRICE[baseCurrency][quoteCurrency]
  const totalCost = round(amount * FIAT_PER_USD[quoteCurrency], 2)
  return {
    price,
    fee: round(amount * FEE_RATE, currency === "USDT" ? 6 : 2),
    baseAmount: round(totalCost / price, 6),
    totalCost,
  }
}

const TYPE_LABELS: Readonly<Record<string, { en: string; zh: string }>> = {
  Alipay: { en: "Alipay", zh: "支付宝" },
  Yunshanfu: { en: "UnionPay QuickPass", zh: "云闪付" },
  bankAccount: { en: "Bank account", zh: "银行账户" },
  PayPal: { en: "PayPal", zh: "PayPal" },
  "Coins.ph": { en: "Coins.ph", zh: "Coins.ph" },
  GCash: { en: "GCash", zh: "GCash" },
}

/** The embedded paymentMethod (§10.1) for a charge created with `paymentType`. */
export function paymentMethodFor(type: string, quoteCurrency: string): PaymentMethod {
  return { object: "paymentMethod", type, currency: quoteCurrency, status: "active", typeLabel: { ...TYPE_LABELS[type] } }
}
