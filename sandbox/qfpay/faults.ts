/** Fault injection book: faults queue per target and are consumed by matching requests. */
import { FaultBook as SharedFaultBook, HTTP_FAULT_MODES, SimControlError, faultDelayMs, faultTimes } from "../shared/faults"
import type { Fault, FaultMode } from "./types"

export { SimControlError } from "../shared/faults"

export const TRADE_TARGETS = [
  "/trade/v1/payment",
  "/trade/v1/query",
  "/trade/v1/refund",
  "/trade/v1/close",
  "/trade/v1/reversal",
] as const

const TRADE_MODES: readonly FaultMode[] = [...HTTP_FAULT_MODES, "respcd"]
/** Notifications have no response to corrupt; `malformed` there means a wrong X-QF-SIGN header. */
const NOTIFY_MODES: readonly FaultMode[] = ["suppress", "delay_before", "malformed"]

type ActiveFault = Fault & { times: number }

/** The QFPay simulator's fault book: the shared book with the QFPay targets and modes. */
export class FaultBook extends SharedFaultBook<ActiveFault> {
  constructor() {
    super(validateFault)
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
  const fault: ActiveFault = { target, mode, times: faultTimes(f.times) }
  if (mode === "delay_before" || mode === "delay_after") fault.delayMs = faultDelayMs(f.delayMs, mode)
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
