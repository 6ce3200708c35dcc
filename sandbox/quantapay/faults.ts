/**
 * QuantaPay fault validation. Targets: `api.php` (every call), `api.php:<function>` (calls of one
 * function) and `webhook`. The book itself is the shared one (sandbox/shared/faults.ts).
 */
import { FaultBook, HTTP_FAULT_MODES, SimControlError, faultDelayMs, faultTimes } from "../shared/faults"
import { API_FUNCTIONS, isApiFunction } from "./catalogue"
import type { ApiFaultMode, Fault, FaultMode, WebhookFaultMode } from "./types"

export const API_MODES: readonly ApiFaultMode[] = HTTP_FAULT_MODES
export const WEBHOOK_MODES: readonly WebhookFaultMode[] = ["suppress", "delay"]

export type ActiveFault = Fault & { times: number }

export const newFaultBook = (): FaultBook<ActiveFault> => new FaultBook<ActiveFault>(validateFault)

function validateTarget(target: unknown): string {
  if (target === "webhook" || target === "api.php") return target
  if (typeof target === "string" && target.startsWith("api.php:") && isApiFunction(target.slice("api.php:".length))) {
    return target
  }
  const functions = Object.keys(API_FUNCTIONS).join(", ")
  throw new SimControlError(400, `fault.target must be webhook, api.php or api.php:<function> with one of ${functions}`)
}

export function validateFault(input: unknown): ActiveFault {
  if (!input || typeof input !== "object" || Array.isArray(input)) {
    throw new SimControlError(400, "fault must be a JSON object")
  }
  const f = input as Record<string, unknown>
  const target = validateTarget(f.target)
  const allowed: readonly FaultMode[] = target === "webhook" ? WEBHOOK_MODES : API_MODES
  const mode = f.mode as FaultMode
  if (!allowed.includes(mode)) {
    throw new SimControlError(400, `fault.mode for ${target} must be one of ${allowed.join(", ")}`)
  }
  const fault: ActiveFault = { target, mode, times: faultTimes(f.times) }
  if (mode === "delay_before" || mode === "delay_after" || mode === "delay") fault.delayMs = faultDelayMs(f.delayMs, mode)
  return fault
}
