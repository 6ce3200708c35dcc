/**
 * Fault injection book shared by the simulators: faults queue per target and are consumed by matching
 * requests. Each simulator supplies its own validator (which targets and modes it knows).
 */

/** A control-API error with the HTTP status to answer with. */
export class SimControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
    this.name = "SimControlError"
  }
}

/** The HTTP-level fault modes every simulator's API supports (see the simulators' READMEs). */
export const HTTP_FAULT_MODES = [
  "http500",
  "http429",
  "delay_before",
  "delay_after",
  "drop_before",
  "drop_after",
  "malformed",
] as const

export type HttpFaultMode = (typeof HTTP_FAULT_MODES)[number]

/** What every fault has: where it applies and how many uses are left (-1 = until cleared). */
export interface QueuedFault {
  target: string
  times: number
}

export class FaultBook<F extends QueuedFault> {
  private faults: F[] = []

  /** `validate` turns control-API input into a fault or throws SimControlError(400) with the reason. */
  constructor(private readonly validate: (input: unknown) => F) {}

  /** Validates and queues a fault. */
  add(input: unknown): F {
    const fault = this.validate(input)
    this.faults.push(fault)
    return { ...fault }
  }

  /** Consumes one use of the oldest fault queued for any of `targets`, if any. */
  take(...targets: string[]): F | undefined {
    const index = this.faults.findIndex((f) => targets.includes(f.target))
    if (index < 0) return undefined
    const fault = this.faults[index]
    if (fault.times > 0) {
      fault.times -= 1
      if (fault.times === 0) this.faults.splice(index, 1)
    }
    return { ...fault }
  }

  list(): F[] {
    return this.faults.map((f) => ({ ...f }))
  }

  clear(): void {
    this.faults = []
  }
}

/** `times` of a fault: default 1, else a positive integer or -1 (until cleared). */
export function faultTimes(value: unknown): number {
  const times = value === undefined ? 1 : value
  if (typeof times !== "number" || !Number.isInteger(times) || (times < 1 && times !== -1)) {
    throw new SimControlError(400, "fault.times must be a positive integer or -1 (until cleared)")
  }
  return times
}

/** `delayMs` of a delay fault: a non-negative number of real milliseconds. */
export function faultDelayMs(value: unknown, mode: string): number {
  if (typeof value !== "number" || !(value >= 0)) {
    throw new SimControlError(400, `fault.delayMs (a number of ms) is required for ${mode}`)
  }
  return value
}
