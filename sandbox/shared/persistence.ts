/**
 * The `stateFile` option of the simulators: their durable state in one JSON file, so a restart keeps what
 * the gateway knew (transactions, refunds, sessions, charges, events, balances, id counters).
 *
 * File format: `{version, simulator, savedAt, clockOffsetMs, state}`. `state` is the simulator's own
 * snapshot; `clockOffsetMs` is how far its clock had been advanced, put back at start so simulator time
 * never runs backwards (the saved deadlines are simulator-clock epoch ms). A file that cannot be parsed,
 * belongs to another simulator or has another format version is a StateFileError at start, naming the file;
 * it is never silently replaced.
 *
 * Writes are synchronous and atomic (a temp file in the same directory, fsync, rename) and happen only
 * when the state changed since the last write.
 */
import fs from "node:fs"
import nodePath from "node:path"
import type { SimClock } from "./clock"
import type { SimLogger } from "./types"

/** What identifies a state file: which simulator wrote it and in which format version. */
export interface StateFormat {
  simulator: string
  version: number
}

/** A state file the simulator cannot start from; the message names the file. */
export class StateFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "StateFileError"
  }
}

/** Writes `text` to `file` atomically: a temp file beside it is written, flushed, then renamed over it. */
export function writeFileAtomic(file: string, text: string): void {
  const temp = nodePath.join(nodePath.dirname(file), `.${nodePath.basename(file)}.${process.pid}.tmp`)
  try {
    const fd = fs.openSync(temp, "w")
    try {
      fs.writeSync(fd, text)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(temp, file)
  } catch (err) {
    fs.rmSync(temp, { force: true })
    throw err
  }
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/**
 * The StateFile of a simulator's `stateFile` option, already opened (the saved state handed to `load`, then
 * the first write); undefined without the option, so a simulator without it does no file I/O at all.
 */
export function openStateFile<S>(
  path: string | undefined,
  format: StateFormat,
  clock: SimClock,
  logger: SimLogger,
  snapshot: () => S,
  load: (saved: S) => void
): StateFile<S> | undefined {
  if (!path) return undefined
  const stateFile = new StateFile(path, format, clock, snapshot, logger)
  stateFile.open(load)
  return stateFile
}

/**
 * One simulator's state file. Lifecycle: construct, open() once at start (load, then first write), save()
 * after every change, close() before the simulator tears its memory down (so the teardown never reaches
 * the file). Without a stateFile option a simulator has no StateFile at all, so it does no file I/O.
 */
export class StateFile<S> {
  private phase: "new" | "opening" | "open" | "closed" = "new"
  /** The `{clockOffsetMs, state}` JSON last written: an unchanged state is not written again. */
  private written: string | undefined

  constructor(
    readonly path: string,
    private readonly format: StateFormat,
    private readonly clock: SimClock,
    private readonly snapshot: () => S,
    private readonly logger: SimLogger
  ) {}

  /**
   * At start: when the file exists, puts the clock back to its saved offset and hands the saved state to
   * `apply`. A bad file, or anything `apply` throws (say, records of a merchant that is no longer
   * configured), becomes a StateFileError naming the file. Then the current state is written (so a path
   * that cannot be written fails at start too), and from now on every clock advance or batch of clock jobs
   * saves. Saves asked for while `apply` runs are held back until it is done.
   */
  open(apply: (saved: S) => void): void {
    if (this.phase !== "new") throw new Error("StateFile.open() runs once")
    this.phase = "opening"
    const saved = this.read()
    if (saved) {
      try {
        this.clock.restoreOffset(saved.clockOffsetMs as number)
        apply(saved.state as S)
      } catch (err) {
        throw this.error(`cannot be loaded: ${message(err)}`)
      }
      this.logger.info(`${this.format.simulator} simulator: state loaded from ${this.path}`)
    }
    this.phase = "open"
    try {
      this.write()
    } catch (err) {
      throw this.error(`cannot be written: ${message(err)}`)
    }
    this.clock.onChange = () => this.save()
  }

  /**
   * Writes the current state if it changed since the last write. A failed write is logged, not thrown (it
   * happens in the middle of an HTTP answer or a clock job); the next change tries again.
   */
  save(): void {
    if (this.phase !== "open") return
    try {
      this.write()
    } catch (err) {
      this.logger.warn(`${this.format.simulator} simulator: could not write ${this.path}: ${message(err)}`)
    }
  }

  /** No more writes: what the simulator does to its memory while closing stays out of the file. */
  close(): void {
    this.phase = "closed"
  }

  /** The saved envelope, or undefined when the file does not exist. */
  private read(): { clockOffsetMs: unknown; state: unknown } | undefined {
    let text: string
    try {
      text = fs.readFileSync(this.path, "utf8")
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined
      throw this.error(`cannot be read: ${message(err)}`)
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw this.error(`is not valid JSON (${message(err)})`)
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw this.error("is not a JSON object")
    const envelope = parsed as Record<string, unknown>
    if (envelope.simulator !== this.format.simulator) {
      throw this.error(`was written by ${JSON.stringify(envelope.simulator ?? null)}, not the ${this.format.simulator} simulator`)
    }
    if (envelope.version !== this.format.version) {
      throw this.error(`has format version ${JSON.stringify(envelope.version ?? null)}; this simulator reads version ${this.format.version}`)
    }
    if (!envelope.state || typeof envelope.state !== "object") throw this.error("has no state object")
    return { clockOffsetMs: envelope.clockOffsetMs, state: envelope.state }
  }

  private write(): void {
    const clockOffsetMs = this.clock.offset
    const state = this.snapshot()
    const body = JSON.stringify({ clockOffsetMs, state })
    if (body === this.written) return
    const { simulator, version } = this.format
    const savedAt = new Date(this.clock.now()).toISOString()
    writeFileAtomic(this.path, JSON.stringify({ version, simulator, savedAt, clockOffsetMs, state }, null, 2) + "\n")
    this.written = body
  }

  private error(problem: string): StateFileError {
    return new StateFileError(
      `${this.format.simulator} simulator state file ${this.path} ${problem}. Fix the file, or delete it to start with an empty state.`
    )
  }
}
