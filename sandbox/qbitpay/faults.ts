/**
 * Qbit Pay fault validation: the four targets and their modes. The queue itself is the shared book
 * (sandbox/shared/faults.ts): each matching request or webhook push consumes one use; `times: -1` keeps it
 * until cleared.
 */
import { FaultBook, SimControlError, faultDelayMs, faultTimes } from "../shared/faults"
import { FAULT_TARGETS, type Fault, type FaultMode, type FaultTarget } from "./types"

/** Qbit Pay has no 429: throttling is a 403 rate_limit_error (reference §4), hence http403_rate_limit. */
const API_MODES: readonly FaultMode[] = [
  "http500",
  "http403_rate_limit",
  "delay_before",
  "delay_after",
  "drop_before",
  "drop_after",
  "malformed",
]
/** A push has no response to corrupt: `malformed` there means a wrong QbitPay-Signature header. */
const WEBHOOK_MODES: readonly FaultMode[] = ["suppress", "duplicate", "delay_before", "malformed"]

export type QueuedFault = Fault & { times: number }
export type QbitFaultBook = FaultBook<QueuedFault>

export const newQbitFaultBook = (): QbitFaultBook => new FaultBook<QueuedFault>(parseFault)

function parseFault(input: unknown): QueuedFault {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new SimControlError(400, "a fault is a JSON object {target, mode, times?, delayMs?}")
  }
  const raw = input as Record<string, unknown>
  const target: FaultTarget | undefined = FAULT_TARGETS.find((t) => t === raw.target)
  if (!target) throw new SimControlError(400, `fault.target must be one of ${FAULT_TARGETS.join(", ")}`)
  const modes = target === "webhook" ? WEBHOOK_MODES : API_MODES
  const mode = modes.find((m) => m === raw.mode)
  if (!mode) throw new SimControlError(400, `fault.mode for ${target} must be one of ${modes.join(", ")}`)

  const fault: QueuedFault = { target, mode, times: faultTimes(raw.times) }
  if (mode === "delay_before" || mode === "delay_after") fault.delayMs = faultDelayMs(raw.delayMs, mode)
  return fault
}
