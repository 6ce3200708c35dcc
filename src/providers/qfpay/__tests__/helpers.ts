/**
 * Shared set-up for the QfpayProviderService specs (service-*.unit.spec.ts), which run the service against
 * the real QFPay simulator over loopback: the simulator's lifecycle, a service wired to it with a logger
 * that records its lines, unique ids, and the calls the simulator's hosted checkout page makes.
 *
 * Not a spec itself (jest only runs *.unit.spec.ts). Jest loads modules afresh for each spec file, so the
 * state here (the id counter) is per file, as it was when each file had its own copy.
 */
import { MedusaError, PaymentSessionStatus } from "@medusajs/framework/utils"
import axios from "axios"
import { startQfpaySimulator, type QfpaySimulator } from "../../../../sandbox/qfpay/server"
import { QfpayProviderService, type QfpaySessionData } from "../service"

export type Merchant = { appCode: string; clientKey: string }
export type LogLine = { level: string; message: string }
export type Data = QfpaySessionData & Record<string, unknown>

/** A notify URL nobody listens on (port 9, discard): notifications to it are simply not acknowledged. */
export const NOTIFY_URL = "http://127.0.0.1:9/hooks/payment/qfpay_qfpay"

/** Hosted checkout options with placeholder shop URLs; spread first, then a spec's own overrides. */
export const CHECKOUT_OPTIONS = {
  mode: "checkout",
  notifyUrl: NOTIFY_URL,
  returnUrl: "https://shop.example.test/return/{session_id}",
  failedUrl: "https://shop.example.test/failed/{session_id}",
}

/** Turns checkout options into direct-mode ones (the hosted page's URLs unset). */
export const DIRECT_OVERRIDES = { mode: "direct", notifyUrl: undefined, returnUrl: undefined, failedUrl: undefined }

// ---------------------------------------------------------------------------------------------------------
// The simulator

/**
 * Starts a QFPay simulator for `merchant` before the file's tests, resets it before each test and closes it
 * after them. Call at the top level of a spec. The handle returned reads through to the running simulator,
 * so it is used in tests and hooks like the simulator itself.
 */
export function useQfpaySimulator(merchant: Merchant): QfpaySimulator {
  let running: QfpaySimulator | undefined

  beforeAll(async () => {
    running = await startQfpaySimulator({ port: 0, merchants: [merchant], timeScale: 1 })
  })

  afterAll(async () => {
    await running?.close()
  })

  beforeEach(() => {
    running!.reset()
  })

  return new Proxy({} as QfpaySimulator, {
    get(_target, property) {
      if (!running) throw new Error("the QFPay simulator is not running yet (use it inside tests and hooks)")
      return Reflect.get(running, property)
    },
  })
}

// ---------------------------------------------------------------------------------------------------------
// The service

/** A logger that records every line it is given, with its level. */
export function captureLogger() {
  const lines: LogLine[] = []
  const push = (level: string) => (message: string) => void lines.push({ level, message })
  const logger = { debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") }
  return { logger, lines }
}

/** Makes the service's clock follow the simulator's (which tests may move forward), `aheadMs` ahead of it. */
export function followSimClock(service: QfpayProviderService, sim: QfpaySimulator, aheadMs = 0) {
  ;(service as any).now_ = () => new Date(Date.now() + sim.state().clockOffsetMs + aheadMs)
}

/**
 * A QfpayProviderService for `merchant` talking to `sim` (short timeout, one retry) with `options` on top,
 * its clock following the simulator's, and the lines it logs. The cradle gets the recording logger unless
 * it has one; it is given by defining the property, so a cradle's other entries (getters that may throw,
 * as Awilix's do) are never read here. Without a cradle, the session service finds nothing.
 */
export function createQfpayService(
  sim: QfpaySimulator,
  merchant: Merchant,
  options: Record<string, unknown>,
  cradle: Record<string, unknown> = { paymentSessionService: { retrieve: async () => undefined } }
): { service: QfpayProviderService; lines: LogLine[] } {
  const { logger, lines } = captureLogger()
  if (!("logger" in cradle)) {
    Object.defineProperty(cradle, "logger", { value: logger, enumerable: true })
  }
  const service = new QfpayProviderService(cradle, {
    appCode: merchant.appCode,
    clientKey: merchant.clientKey,
    baseUrl: sim.url,
    timeoutMs: 800,
    maxRetries: 1,
    ...options,
  })
  followSimClock(service, sim)
  return { service, lines }
}

// ---------------------------------------------------------------------------------------------------------
// Ids, sessions and payments

let seq = 0

/** `prefix` followed by the time in base 36 and a counter: unique within a run, and a safe gateway id. */
export function uniqueId(prefix: string): string {
  return `${prefix}${Date.now().toString(36).toUpperCase()}${String(++seq).padStart(4, "0")}`
}

/** A method input carrying `data` as session data. */
export const asInput = (data: unknown) => ({ data: data as Record<string, unknown> })

/** initiatePayment for the session `sessionId`, as the storefront calls it (`extra` adds to its data). */
export async function initiateSession(
  service: QfpayProviderService,
  sessionId: string,
  amount: unknown,
  currency = "hkd",
  extra: Record<string, unknown> = {}
) {
  const result = await service.initiatePayment({
    amount: amount as any,
    currency_code: currency,
    data: { session_id: sessionId, ...extra },
  })
  return { sessionId, result, data: result.data as Data }
}

/** A direct-mode payment (the default pay_type), paid by the shopper at the simulator and authorized. */
export async function paidDirectPayment(
  sim: QfpaySimulator,
  service: QfpayProviderService,
  sessionId: string,
  amount: unknown = 10.5,
  currency = "hkd"
): Promise<Data> {
  const { data } = await initiateSession(service, sessionId, amount, currency)
  sim.completeTransaction(data.gateway_reference!, "pay")
  const result = await service.authorizePayment(asInput(data))
  expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
  return result.data as Data
}

// ---------------------------------------------------------------------------------------------------------
// The hosted checkout page

/** The signed parameters in a hosted checkout URL's hash (`#/?…`), as the page's script reads them. */
export function checkstandParams(url: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(new URL(url).hash.slice(3)))
}

/** Opens the simulator's checkout page with `params`; the answer is returned whatever its HTTP status. */
export function openCheckstand(sim: QfpaySimulator, params: Record<string, string>) {
  return axios.post(`${sim.url}/checkstand/api/open`, { params }, { validateStatus: () => true })
}

/** Pays (or fails, or lets expire) on the simulator's hosted page for `data`, as its own script does. */
export async function submitAtCheckstand(
  sim: QfpaySimulator,
  data: QfpaySessionData,
  outcome: "pay" | "fail" | "expire",
  payType = "800201"
) {
  const url = (data.next_action as { url: string }).url
  const res = await axios.post(`${sim.url}/checkstand/api/submit`, { params: checkstandParams(url), outcome, pay_type: payType })
  return res.data as { ok: boolean; redirect: string; syssn?: string; expired?: boolean }
}

// ---------------------------------------------------------------------------------------------------------
// Errors

/** The MedusaError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<MedusaError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(MedusaError)
    return error as MedusaError
  }
  throw new Error("expected a MedusaError, but the call succeeded")
}
