/**
 * The simulator's state and the domain actions every surface uses (api.php, the hosted page, the control
 * API): opening sessions, picking a coin, paying, refunding, fees and webhooks. With the `stateFile` option
 * the durable part (sessions, transactions, credit balances, webhook history, the clock offset) is loaded
 * at start and saved after every change (persist()).
 */
import { clockView, SimClock } from "../shared/clock"
import { SimControlError } from "../shared/faults"
import { openStateFile, type StateFile } from "../shared/persistence"
import { silentLogger } from "../shared/types"
import { addressFor, COINS, coinOf, FIAT_PER_USD, fiatDecimals, txHashFor } from "./catalogue"
import { div, floorUnits, formatUnits, fromUnits, mul, mustRatio, ratio, roundUnits, trimZeros } from "./decimal"
import { newFaultBook } from "./faults"
import { formatUtc, Ledger, sessionView, setNotes, transactionView, type LedgerSnapshot, type SessionRecord, type TxRecord } from "./store"
import type {
  AccountConfig,
  SessionTerms,
  PayInput,
  PayResult,
  QuantapaySimulatorOptions,
  SimLogger,
  SimState,
  StateAccount,
  TransactionRow,
  WebhookDelivery,
} from "./types"
import { WebhookSender } from "./webhook"

/** Boxcoin defaults (resources/settings.json), before timeScale. */
export const SESSION_LIFETIME_MS = 60 * 60_000
export const PENDING_PURGE_MS = 48 * 3_600_000
/** QuantaPay's fee per completed transaction, charged against the credit balance. */
const FEE_RATE = mustRatio("0.008")
/** A shortfall below this many basis points is accepted when the account accepts underpayments. */
const UNDERPAY_TOLERANCE_BPS = 500n
const DEFAULT_SHORTFALL_PERCENT = 3
/** Credit balance precision: 1e-8 USD. */
const CREDIT_SCALE = 8

export interface Account {
  config: AccountConfig
  /** Credit balance in 1e-8 USD (may go negative). */
  credit: bigint
}

/** What the state file keeps (credit balances as decimal strings of 1e-8 USD). Faults are not durable. */
interface SavedState {
  accounts: { apiKey: string; credit: string }[]
  ledger: LedgerSnapshot
  webhooks: WebhookDelivery[]
}

const STATE_FORMAT = { simulator: "quantapay", version: 1 }

/** What create-checkout-session decided; the rest of the session is filled in by openSession. */
export type NewSession = Omit<SessionTerms, "apiKey">

function parseCredit(text: string | undefined): bigint {
  const raw = text ?? "150.00"
  const negative = raw.startsWith("-")
  const value = ratio(negative ? raw.slice(1) : raw)
  if (!value) throw new Error(`creditBalance must be a decimal string (got "${raw}")`)
  const units = floorUnits(value, CREDIT_SCALE)
  return negative ? -units : units
}

/** `url` with `params` appended to its query string. */
function withQuery(url: string, params: Record<string, string>): string {
  const target = new URL(url)
  for (const [key, value] of Object.entries(params)) target.searchParams.append(key, value)
  return target.toString()
}

export class SimCore {
  /** Base URL, known once the server listens. */
  url = ""
  readonly clock = new SimClock()
  readonly faults = newFaultBook()
  readonly ledger = new Ledger(this.clock)
  readonly webhooks: WebhookSender
  readonly accounts = new Map<string, Account>()
  readonly logger: SimLogger
  readonly timeScale: number
  /** Set when the `stateFile` option is given. */
  private readonly stateFile: StateFile<SavedState> | undefined

  constructor(options: QuantapaySimulatorOptions) {
    this.logger = options.logger ?? silentLogger
    this.timeScale = options.timeScale ?? 1
    if (!(this.timeScale > 0)) throw new Error("timeScale must be a positive number")
    if (!options.accounts?.length) throw new Error("at least one account is required")
    for (const config of options.accounts) {
      if (!config.apiKey || !config.webhookSecret) throw new Error("every account needs apiKey and webhookSecret")
      if (this.accounts.has(config.apiKey)) throw new Error("duplicate account apiKey")
      if (config.webhookUrl !== undefined) new URL(config.webhookUrl)
      this.accounts.set(config.apiKey, { config: { ...config }, credit: parseCredit(config.creditBalance) })
    }
    this.webhooks = new WebhookSender(this.clock, this.faults, this.logger, options.webhookTimeoutMs ?? 10_000, () => this.persist())
    this.stateFile = openStateFile(options.stateFile, STATE_FORMAT, this.clock, this.logger, () => this.snapshot(), (saved) => this.load(saved))
  }

  /** Saves the durable state when there is a state file and it changed (call after every change). */
  persist(): void {
    this.stateFile?.save()
  }

  scaled(ms: number): number {
    return ms * this.timeScale
  }

  paymentUrl(s: SessionRecord): string {
    return `${this.url}/pay.php?checkout=${s.id}`
  }

  creditBalance(account: Account): number {
    return Number(formatUnits(account.credit, CREDIT_SCALE))
  }

  // -------------------------------------------------------------------------------------------------------
  // Sessions

  /** An open session of the account for this order id, if any. */
  openSessionFor(apiKey: string, orderId: string): SessionRecord | undefined {
    if (!orderId) return undefined
    for (const s of this.ledger.sessions.values()) {
      if (s.apiKey === apiKey && s.order_id === orderId && this.ledger.sessionStatus(s) === "open") return s
    }
    return undefined
  }

  openSession(account: Account, input: NewSession): SessionRecord {
    const now = this.clock.now()
    const session: SessionRecord = {
      id: this.ledger.newCheckoutId(),
      apiKey: account.config.apiKey,
      ...input,
      createdAt: now,
      expiresAt: now + this.scaled(SESSION_LIFETIME_MS),
    }
    this.ledger.sessions.set(session.id, session)
    this.logger.info(`checkout ${session.id} opened: ${input.price} ${input.currency} order "${input.order_id}"`)
    return session
  }

  /** The session, or SimControlError 404. */
  session(checkoutId: string): SessionRecord {
    const session = this.ledger.sessions.get(checkoutId)
    if (!session) throw new SimControlError(404, `no checkout session ${checkoutId}`)
    return session
  }

  private requireOpen(session: SessionRecord): void {
    const status = this.ledger.sessionStatus(session)
    if (status === "expired") throw new SimControlError(409, `checkout ${session.id} has expired`)
    if (status !== "open") throw new SimControlError(409, `checkout ${session.id} is already ${status}`)
  }

  // -------------------------------------------------------------------------------------------------------
  // The shopper

  /** The shopper picks a coin: the pending (P) transaction is created now (a different coin replaces it). */
  selectCoin(checkoutId: string, coin: string | undefined): TxRecord {
    const session = this.session(checkoutId)
    this.requireOpen(session)
    if (!coin || !coinOf(coin)) {
      throw new SimControlError(400, `coin must be one of ${Object.keys(COINS).join(", ")} (got ${JSON.stringify(coin)})`)
    }
    const current = session.transactionId ? this.ledger.transactions.get(session.transactionId) : undefined
    if (current?.row.status === "P") {
      if (current.row.cryptocurrency === coin) return current
      this.deletePending(current, "the shopper picked another coin")
    }
    const tx = this.createPending(session, coin)
    session.transactionId = tx.row.id
    return tx
  }

  /** The hosted page's buttons: pay in full, underpay, or abandon (cancel). */
  pay(checkoutId: string, input: PayInput): PayResult {
    const session = this.session(checkoutId)
    if (input.outcome === "abandon") {
      this.requireOpen(session)
      if (input.coin !== undefined && !coinOf(input.coin)) throw new SimControlError(400, `unknown coin ${input.coin}`)
      const pending = session.transactionId ? this.ledger.transactions.get(session.transactionId) : undefined
      if (pending?.row.status === "P") this.deletePending(pending, "the shopper cancelled")
      session.transactionId = undefined
      return {
        ok: true,
        result: "cancelled",
        transaction: null,
        redirect: session.redirect ? withQuery(session.redirect, { payment_status: "cancelled" }) : null,
        returnUrl: session.redirect,
      }
    }
    const tx = this.selectCoin(checkoutId, input.coin)
    return this.confirm(tx, input)
  }

  /** A payment lands for a still-pending transaction, even after its session expired (until the 48 h purge). */
  payPending(transactionId: string, input: PayInput): PayResult {
    const tx = this.ledger.transactions.get(transactionId)
    if (!tx) throw new SimControlError(404, `no transaction ${transactionId} (never created, abandoned or purged)`)
    if (input.outcome === "abandon") throw new SimControlError(400, "outcome must be full or under")
    return this.confirm(tx, input)
  }

  private createPending(session: SessionRecord, coin: string): TxRecord {
    const now = this.clock.now()
    const { decimals, usd } = COINS[coin]
    const price = mustRatio(session.price)
    const usdValue = div(price, mustRatio(FIAT_PER_USD[session.currency]))
    const expected = trimZeros(formatUnits(floorUnits(div(usdValue, mustRatio(usd)), decimals), decimals))
    const row: TransactionRow = {
      id: this.ledger.newTransactionId(),
      biz_id: this.ledger.newBizId(),
      title: session.title,
      description: "",
      from: "",
      to: addressFor(coin, session.apiKey),
      hash: "",
      amount: expected,
      amount_fiat: formatUnits(floorUnits(price, 8), 8),
      cryptocurrency: coin,
      currency: session.currency.toLowerCase(),
      external_reference: session.order_id,
      creation_time: formatUtc(now),
      status: "P",
      webhook: "0",
      vat: "0",
      billing: "",
      checkout_id: session.id,
      type: "2",
    }
    const tx: TxRecord = {
      row,
      apiKey: session.apiKey,
      sessionId: session.id,
      notes: [],
      createdAt: now,
      expected,
      purgeAt: now + this.scaled(PENDING_PURGE_MS),
    }
    this.schedulePurge(tx)
    this.ledger.transactions.set(row.id, tx)
    this.logger.info(`transaction ${row.id} pending: ${expected} ${coin} for checkout ${session.id}`)
    return tx
  }

  private schedulePurge(tx: TxRecord): void {
    tx.purgeJob = this.clock.schedule(tx.purgeAt - this.clock.now(), () => {
      if (tx.row.status === "P") this.deletePending(tx, "unpaid for 48 h")
    })
  }

  private deletePending(tx: TxRecord, why: string): void {
    if (tx.purgeJob !== undefined) this.clock.cancel(tx.purgeJob)
    this.ledger.transactions.delete(tx.row.id)
    this.logger.info(`pending transaction ${tx.row.id} deleted: ${why}`)
  }

  /**
   * The merchant marks an underpaid (X) or still pending (P) transaction as completed in the dashboard
   * (reference §7): it becomes C with its amounts unchanged, the fee is charged and the webhook goes out.
   */
  completeByMerchant(transactionId: string): TransactionRow {
    const tx = this.ledger.transactions.get(transactionId)
    if (!tx) throw new SimControlError(404, `no transaction ${transactionId}`)
    if (tx.row.status !== "X" && tx.row.status !== "P") throw new SimControlError(409, `transaction ${transactionId} is ${tx.row.status}; only X or P can be marked completed`)
    if (tx.purgeJob !== undefined) this.clock.cancel(tx.purgeJob)
    tx.row.status = "C"
    setNotes(tx, [...tx.notes, "Marked as completed by the merchant."])
    const session = this.ledger.sessions.get(tx.sessionId)
    if (session) session.result = "paid"
    this.complete(this.accountOf(tx.apiKey), tx)
    this.logger.info(`transaction ${tx.row.id} marked completed by the merchant`)
    return { ...tx.row }
  }

  /**
   * The coin arrived on chain: full -> C; short -> X, or C when the shortfall is tolerated; more than
   * expected (possible with a generated address, which matches any amount) -> C with the amounts rewritten
   * to what arrived (ASSUMED, as for a tolerated shortfall: see README).
   */
  private confirm(tx: TxRecord, input: PayInput): PayResult {
    if (input.outcome !== "full" && input.outcome !== "under" && input.outcome !== "over") throw new SimControlError(400, "outcome must be full, under, over or abandon")
    if (tx.row.status !== "P") throw new SimControlError(409, `transaction ${tx.row.id} is ${tx.row.status}, not pending`)
    const account = this.accountOf(tx.apiKey)
    const session = this.ledger.sessions.get(tx.sessionId)
    const coin = tx.row.cryptocurrency
    const { decimals } = COINS[coin]
    const expectedUnits = floorUnits(mustRatio(tx.expected), decimals)

    let status: "C" | "X" = "C"
    let received = tx.expected
    if (input.outcome === "under") {
      const bps = shortfallBps(input.shortfallPercent)
      const receivedUnits = (expectedUnits * (10_000n - bps)) / 10_000n
      received = trimZeros(formatUnits(receivedUnits, decimals))
      const note = `Underpayment: ${received} of ${tx.expected} ${coin.toUpperCase()} received.`
      setNotes(tx, [...tx.notes, note])
      if (account.config.acceptUnderpayments && bps < UNDERPAY_TOLERANCE_BPS) {
        // Boxcoin rewrites the amounts to what actually arrived.
        const fiatScale = fiatDecimals(tx.row.currency.toUpperCase())
        const fiatUnits = floorUnits(mul(mustRatio(tx.row.amount_fiat), { num: 10_000n - bps, den: 10_000n }), fiatScale)
        tx.row.amount = received
        tx.row.amount_fiat = formatUnits(fiatUnits * 10n ** BigInt(8 - fiatScale), 8)
      } else {
        status = "X"
      }
    }
    if (input.outcome === "over") {
      const bps = overpayBps(input.overpayPercent)
      received = trimZeros(formatUnits((expectedUnits * (10_000n + bps)) / 10_000n, decimals))
      const fiatScale = fiatDecimals(tx.row.currency.toUpperCase())
      const fiatUnits = floorUnits(mul(mustRatio(tx.row.amount_fiat), { num: 10_000n + bps, den: 10_000n }), fiatScale)
      setNotes(tx, [...tx.notes, `Overpayment: ${received} of ${tx.expected} ${coin.toUpperCase()} received.`])
      tx.row.amount = received
      tx.row.amount_fiat = formatUnits(fiatUnits * 10n ** BigInt(8 - fiatScale), 8)
    }
    tx.received = received
    tx.row.from = addressFor(coin, `customer|${tx.row.id}`)
    tx.row.hash = txHashFor(coin, tx.row.id)
    tx.row.status = status
    if (tx.purgeJob !== undefined) this.clock.cancel(tx.purgeJob)
    if (session) {
      session.result = status === "C" ? "paid" : "underpaid"
      session.transactionId = tx.row.id
    }
    this.logger.info(`transaction ${tx.row.id} ${status}: ${received} of ${tx.expected} ${coin} received`)

    if (status === "C") this.complete(account, tx)
    const redirectTo = session?.redirect ?? null
    return {
      ok: true,
      result: status === "C" ? "paid" : "underpaid",
      transaction: { ...tx.row },
      redirect:
        status === "C" && redirectTo
          ? withQuery(redirectTo, {
              transaction_id: tx.row.id,
              amount: tx.row.amount,
              address: tx.row.to,
              cryptocurrency: coin,
              external_reference: tx.row.external_reference,
            })
          : null,
      returnUrl: redirectTo,
    }
  }

  /** Completion: the 0.8 % fee leaves the credit balance and the webhook goes out (once). */
  private complete(account: Account, tx: TxRecord): void {
    const fiatPerUsd = mustRatio(FIAT_PER_USD[tx.row.currency.toUpperCase()])
    account.credit -= roundUnits(mul(div(mustRatio(tx.row.amount_fiat), fiatPerUsd), FEE_RATE), CREDIT_SCALE)
    const url = account.config.webhookUrl
    if (!url) {
      this.logger.info(`transaction ${tx.row.id} completed; the account has no webhook URL, nothing sent`)
      return
    }
    // QuantaPay's examples show webhook "1" in the payload: the flag is set before the row is serialised
    // (and stays set even when the delivery is then lost).
    tx.row.webhook = "1"
    this.webhooks.send(url, account.config.webhookSecret, { ...tx.row })
  }

  // -------------------------------------------------------------------------------------------------------
  // Merchant actions

  accountOf(apiKey: string): Account {
    const account = this.accounts.get(apiKey)
    if (!account) throw new Error(`unknown account ${apiKey}`)
    return account
  }

  /** Boxcoin's refund(): `{status: true | <error code>, message}`. */
  refund(account: Account, transactionId: string): { status: true | string; message: string } {
    const tx = this.ledger.transactionOf(account.config.apiKey, transactionId)
    if (!tx) return { status: "transaction-not-found", message: "Transaction not found." }
    if (tx.row.status !== "C" && tx.row.status !== "X") {
      return {
        status: "wrong-transaction-status",
        message: "Incorrect transaction status. Only transactions marked as completed or underpaid can be refunded.",
      }
    }
    if (!account.config.refundsEnabled) return { status: "refunds-not-enabled", message: "Refunds not enabled." }
    const hash = txHashFor(tx.row.cryptocurrency, `refund|${tx.row.id}`)
    setNotes(tx, [...tx.notes, `Refund sent on ${formatUtc(this.clock.now())}. Transaction hash: ${hash}`])
    tx.row.status = "R"
    this.logger.info(`transaction ${tx.row.id} refunded (${tx.received} ${tx.row.cryptocurrency} to ${tx.row.from})`)
    return {
      status: true,
      message: `Refund sent. Transaction details <a href="#" data-hash="${hash}" target="_blank">here</a>.`,
    }
  }

  /** Crypto received per coin (C and X rows; refunded money left again). */
  balances(account: Account): Record<string, { amount: string; fiat: string }> {
    const out: Record<string, { amount: string; fiat: string }> = {}
    for (const [code, coin] of Object.entries(COINS)) {
      let units = 0n
      for (const tx of this.ledger.transactionsOf(account.config.apiKey)) {
        if (tx.row.cryptocurrency === code && tx.received && (tx.row.status === "C" || tx.row.status === "X")) {
          units += floorUnits(mustRatio(tx.received), coin.decimals)
        }
      }
      const amount = fromUnits(units, coin.decimals)
      out[code] = {
        amount: trimZeros(formatUnits(units, coin.decimals)),
        fiat: formatUnits(roundUnits(mul(amount, mustRatio(coin.usd)), 2), 2),
      }
    }
    return out
  }

  // -------------------------------------------------------------------------------------------------------
  // Simulator lifecycle

  state(): SimState {
    const accounts = [...this.accounts.values()].map(
      (a): StateAccount => ({
        apiKey: a.config.apiKey,
        webhookUrl: a.config.webhookUrl ?? null,
        acceptUnderpayments: a.config.acceptUnderpayments ?? false,
        requireSignature: a.config.requireSignature ?? false,
        refundsEnabled: a.config.refundsEnabled ?? false,
        credit_balance: this.creditBalance(a),
      })
    )
    return {
      accounts,
      sessions: [...this.ledger.sessions.values()].map((s) => sessionView(s, this.ledger.sessionStatus(s), this.paymentUrl(s))),
      transactions: [...this.ledger.transactions.values()].map(transactionView),
      webhooks: this.webhooks.list(),
      faults: this.faults.list(),
      ...clockView(this.clock),
    }
  }

  /**
   * Clears sessions, transactions, webhooks, faults and timers; restores credit balances (not the clock or
   * the id counter). A state file is rewritten with that empty state.
   */
  reset(): void {
    for (const account of this.accounts.values()) account.credit = parseCredit(account.config.creditBalance)
    this.faults.clear()
    this.ledger.reset()
    this.webhooks.reset()
    this.clock.cancelAll()
    this.persist()
  }

  close(): void {
    // First, so that the teardown below never reaches the file.
    this.stateFile?.close()
    this.webhooks.reset()
    this.clock.close()
  }

  private snapshot(): SavedState {
    const accounts = [...this.accounts.values()].map((a) => ({ apiKey: a.config.apiKey, credit: a.credit.toString() }))
    return { accounts, ledger: this.ledger.snapshot(), webhooks: this.webhooks.snapshot() }
  }

  /**
   * Start-up with a state file. Session expiry needs nothing (it is read against the restored clock); a
   * pending row whose 48 h purge fell due while the simulator was stopped is purged now, the others when due.
   */
  private load(saved: SavedState): void {
    for (const { apiKey, credit } of saved.accounts) {
      const account = this.accounts.get(apiKey)
      if (account) account.credit = BigInt(credit)
    }
    this.ledger.restore(saved.ledger)
    const owners = [...this.ledger.sessions.values(), ...this.ledger.transactions.values()].map((r) => r.apiKey)
    if (owners.some((apiKey) => !this.accounts.has(apiKey))) {
      throw new Error("it holds sessions or transactions of an account whose api key is not configured")
    }
    this.webhooks.restore(saved.webhooks)
    const now = this.clock.now()
    for (const tx of [...this.ledger.transactions.values()]) {
      if (tx.row.status !== "P") continue
      if (tx.purgeAt <= now) this.deletePending(tx, "unpaid for 48 h (the purge fell due while the simulator was stopped)")
      else this.schedulePurge(tx)
    }
  }
}

function overpayBps(percent: number | undefined): bigint {
  const bps = Math.round((percent ?? 5) * 100)
  if (!(bps >= 1 && bps <= 9_999)) throw new SimControlError(400, "overpayPercent must be a number from 0.01 to 99.99")
  return BigInt(bps)
}

function shortfallBps(percent: number | undefined): bigint {
  const value = percent ?? DEFAULT_SHORTFALL_PERCENT
  const bps = typeof value === "number" ? Math.round(value * 100) : NaN
  if (!(bps >= 1 && bps <= 9_999)) {
    throw new SimControlError(400, "shortfallPercent must be a number from 0.01 to 99.99")
  }
  return BigInt(bps)
}
