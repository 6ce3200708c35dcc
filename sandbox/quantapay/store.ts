/**
 * The simulator's records: checkout sessions and transactions (Boxcoin `bxc_transactions` rows), id
 * generation and the views state() shows. snapshot()/restore() are what a state file keeps of them.
 */
import { randomBytes } from "node:crypto"
import type { SimClock } from "../shared/clock"
import type { SessionStatus, SessionTerms, StateSession, StateTransaction, TransactionRow } from "./types"

export interface SessionRecord extends SessionTerms {
  id: string
  createdAt: number
  expiresAt: number
  /** Set once a payment was confirmed on chain. */
  result?: "paid" | "underpaid"
  /** The current transaction: the pending one, or the final one once paid. */
  transactionId?: string
}

export interface TxRecord {
  row: TransactionRow
  apiKey: string
  sessionId: string
  /** Notes behind `row.description`. */
  notes: string[]
  createdAt: number
  /** Crypto amount expected when the coin was picked. */
  expected: string
  /** Crypto amount that arrived (C/X/R). */
  received?: string
  purgeAt: number
  purgeJob?: number
}

/** The ledger as a state file keeps it (clock job ids are not kept: the core re-arms the purges). */
export interface LedgerSnapshot {
  sessions: SessionRecord[]
  transactions: Omit<TxRecord, "purgeJob">[]
  nextTxId: number
}

const pad = (n: number): string => String(n).padStart(2, "0")

/** `YYYY-MM-DD HH:MM:SS` in UTC, as Boxcoin stores creation_time. */
export function formatUtc(epochMs: number): string {
  const d = new Date(epochMs)
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

export function setNotes(tx: TxRecord, notes: string[]): void {
  tx.notes = notes
  tx.row.description = notes.length ? JSON.stringify(notes) : ""
}

export class Ledger {
  readonly sessions = new Map<string, SessionRecord>()
  readonly transactions = new Map<string, TxRecord>()
  /** Ids keep counting across reset(), so a test never sees an id twice. */
  private nextTxId = 101

  constructor(private readonly clock: SimClock) {}

  newCheckoutId(): string {
    for (;;) {
      const id = `cs-cs_${randomBytes(10).toString("hex")}`
      if (!this.sessions.has(id)) return id
    }
  }

  newTransactionId(): string {
    return String(this.nextTxId++)
  }

  /** `QP-YYYYMMDD-XXXXX`: UTC date and five upper-case hex digits. */
  newBizId(): string {
    const date = formatUtc(this.clock.now()).slice(0, 10).replace(/-/g, "")
    return `QP-${date}-${randomBytes(3).toString("hex").slice(0, 5).toUpperCase()}`
  }

  transactionOf(apiKey: string, id: string): TxRecord | undefined {
    const tx = this.transactions.get(id)
    return tx && tx.apiKey === apiKey ? tx : undefined
  }

  sessionStatus(s: SessionRecord): SessionStatus {
    if (s.result) return s.result
    return this.clock.now() >= s.expiresAt ? "expired" : "open"
  }

  /** Transactions of an account, newest first. */
  transactionsOf(apiKey: string): TxRecord[] {
    return [...this.transactions.values()].filter((t) => t.apiKey === apiKey).sort((a, b) => Number(b.row.id) - Number(a.row.id))
  }

  reset(): void {
    this.sessions.clear()
    this.transactions.clear()
  }

  snapshot(): LedgerSnapshot {
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const transactions = [...this.transactions.values()].map(({ purgeJob, ...tx }) => tx)
    return { sessions: [...this.sessions.values()], transactions, nextTxId: this.nextTxId }
  }

  /** Replaces everything with a saved snapshot; transaction ids go on from where they were. */
  restore(saved: LedgerSnapshot): void {
    if (!Number.isInteger(saved.nextTxId)) throw new Error("the transaction id counter is not an integer")
    this.reset()
    for (const s of saved.sessions) this.sessions.set(s.id, { ...s })
    for (const t of saved.transactions) this.transactions.set(t.row.id, { ...t, row: { ...t.row }, notes: [...t.notes] })
    this.nextTxId = saved.nextTxId
  }
}

export function sessionView(s: SessionRecord, status: SessionStatus, paymentUrl: string): StateSession {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { id, createdAt, expiresAt, result, transactionId, ...terms } = s
  return {
    ...terms,
    checkout_id: id,
    payment_url: paymentUrl,
    created_at: new Date(createdAt).toISOString(),
    expires_at: new Date(expiresAt).toISOString(),
    status,
    transaction_id: transactionId ?? null,
  }
}

export function transactionView(t: TxRecord): StateTransaction {
  return {
    ...t.row,
    apiKey: t.apiKey,
    received_amount: t.received ?? null,
    purge_at: t.row.status === "P" ? new Date(t.purgeAt).toISOString() : null,
  }
}
