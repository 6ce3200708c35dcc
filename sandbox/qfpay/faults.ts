/** Fault injection book: faults queue per target and are consumed by matching requests. */
import type { Fault, FaultMode } from "./types"

export const TRADE_TARGETS = [
  "/trade/v1/payment",
  "/trade/v1/query",
  "/trade/v1/refund",
  "/trade/v1/close",
  "/trade/v1/reversal",
] as const

const TRADE_MODES: readonly FaultMode[] = [
  "http500",
  "http429",
  "delay_before",
  "delay_after",
  "drop_before",
  "drop_after",
  "malformed",
  "respcd",
]
/** Notifications have no response to corrupt; `malformed` there means a wrong X-QF-SIGN header. */
const NOTIFY_MODES: readonly FaultMode[] = ["suppress", "delay_before", "malformed"]

/** A control-API error with the HTTP status to answer with. */
export class SimControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
    this.name = "SimControlError"
  }
}

type ActiveFault = Fault & { times: number }

export class FaultBook {
  private faults: ActiveFault[] = []

  /** Validates and queues a fault; throws SimControlError(400) with the reason when it is unusable. */
  add(input: unknown): Fault {
    const fault = validateFault(input)
    this.faults.push(fault)
    return { ...fault }
  }

  /** Consumes one use of the oldest fault queued for `target`, if any. */
  take(target: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.target === target)
    if (index < 0) return undefined
    const fault = this.faults[index]
    if (fault.times > 0) {
      fault.times -= 1
      if (fault.times === 0) this.faults.splice(index, 1)
    }
    return { ...fault }
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }))
  }

  clear(): void {
    this.faults = []
  }
}

function validateFault(input: unknown): ActiveFault {
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    throw new SimControlError(400, "fault must be a JSON object")
  }
  const f = input as Record<string, unknown>
  const target = f.target
  const mode = f.mode as FaultMode
  if (typeof target !== "string" || !(target === "notify" || (TRADE_TARGETS as readonly string[]).includes(target))) {
    throw new SimControlError(400, `fault.target must be notify or one of ${TRADE_TARGETS.join(", ")}`)
  }
  const allowed = target === "notify" ? NOTIFY_MODES : TRADE_MODES
  if (!allowed.includes(mode)) {
    throw new SimControlError(400, `fault.mode for ${target} must be one of ${allowed.join(", ")}`)
  }
  const times = f.times === undefined ? 1 : f.times
  if (typeof times !== "number" || !Number.isInteger(times) || (times < 1 && times !== -1)) {
    throw new SimControlError(400, "fault.times must be a positive integer or -1 (until cleared)")
  }
  const fault: ActiveFault = { target, mode, times }
  if (mode === "delay_before" || mode === "delay_after") {
    if (typeof f.delayMs !== "number" || !(f.delayMs >= 0)) {
      throw new SimControlError(400, `fault.delayMs (a number of ms) is required for ${mode}`)
    }
    fault.delayMs = f.delayMs
  }
  if (mode === "respcd") {
    if (typeof f.respcd !== "string" || !/^\d{4}$/.test(f.respcd)) {
      throw new SimControlError(400, "fault.respcd (a 4-digit string) is required for mode respcd")
    }
    fault.respcd = f.respcd
  }
  if (f.resperr !== undefined) {
    if (typeof f.resperr !== "string") throw new SimControlError(400, "fault.resperr must be a string")
    fault.resperr = f.resperr
  }
  if (f.settleAfterMs !== undefined) {
    if (typeof f.settleAfterMs !== "number" || !(f.settleAfterMs >= 0)) {
      throw new SimControlError(400, "fault.settleAfterMs must be a non-negative number")
    }
    fault.settleAfterMs = f.settleAfterMs
  }
  return fault
}
