/** The shared state file (StateFile, writeFileAtomic) and the delivery queue that state files re-arm. */
import fs from "node:fs"
import { SimClock } from "../clock"
import { DeliveryQueue, type QueuedAttempt } from "../deliveries"
import { StateFile, StateFileError, writeFileAtomic } from "../persistence"
import { silentLogger } from "../types"
import { readStateFile, tempDir } from "./state-files"

const FORMAT = { simulator: "testsim", version: 3 }

let temp: ReturnType<typeof tempDir>
let clock: SimClock
beforeEach(() => {
  temp = tempDir("sim-state")
  clock = new SimClock()
})
afterEach(() => {
  clock.close()
  temp.remove()
})

/** A StateFile over `data`, opened: `applied` receives what was loaded. */
function openFile(data: { items: string[] }, file = temp.file("state.json")) {
  const applied: unknown[] = []
  const stateFile = new StateFile(file, FORMAT, clock, () => data, silentLogger)
  stateFile.open((saved) => applied.push(saved))
  return { stateFile, applied, file }
}

describe("StateFile", () => {
  it("writes the empty state at start when there is no file, then loads it back with the clock offset", () => {
    clock.advance(5_000)
    const { file, applied } = openFile({ items: [] })
    expect(applied).toEqual([])
    expect(readStateFile(file)).toMatchObject({ version: 3, simulator: "testsim", clockOffsetMs: 5_000, state: { items: [] } })

    const later = new SimClock()
    const loaded: unknown[] = []
    new StateFile(file, FORMAT, later, () => ({ items: [] }), silentLogger).open((saved) => loaded.push(saved))
    expect(loaded).toEqual([{ items: [] }])
    expect(later.offset).toBe(5_000)
    later.close()
  })

  it("saves only what changed, atomically (no temp file left behind), and after clock advances", () => {
    const data = { items: [] as string[] }
    const { stateFile, file } = openFile(data)
    const before = fs.statSync(file).mtimeMs
    const renames = jest.spyOn(fs, "renameSync")
    stateFile.save()
    expect(renames).not.toHaveBeenCalled()
    data.items.push("a")
    stateFile.save()
    expect(renames).toHaveBeenCalledTimes(1)
    renames.mockRestore()
    expect(readStateFile(file).state.items).toEqual(["a"])
    clock.advance(60_000)
    expect(readStateFile(file).clockOffsetMs).toBe(60_000)
    expect(fs.readdirSync(temp.dir)).toEqual(["state.json"])
    expect(fs.statSync(file).mtimeMs).toBeGreaterThanOrEqual(before)
  })

  it("writes nothing after close()", () => {
    const data = { items: [] as string[] }
    const { stateFile, file } = openFile(data)
    stateFile.close()
    data.items.push("lost")
    stateFile.save()
    clock.advance(1_000)
    expect(readStateFile(file).state.items).toEqual([])
  })

  it.each([
    ["unparsable JSON", "{ not json", /not valid JSON/],
    ["an empty file", "", /not valid JSON/],
    ["an array", "[]", /not a JSON object/],
    ["another simulator's file", JSON.stringify({ version: 3, simulator: "other", state: {} }), /written by "other"/],
    ["another format version", JSON.stringify({ version: 2, simulator: "testsim", state: {} }), /format version 2; this simulator reads version 3/],
    ["no version", JSON.stringify({ simulator: "testsim", state: {} }), /format version null/],
    ["no state", JSON.stringify({ version: 3, simulator: "testsim" }), /no state object/],
    ["a bad clock offset", JSON.stringify({ version: 3, simulator: "testsim", clockOffsetMs: -1, state: {} }), /clockOffsetMs/],
  ])("refuses %s at start, naming the file and leaving it alone", (_what, text, reason) => {
    const file = temp.file("state.json")
    fs.writeFileSync(file, text)
    const start = () => openFile({ items: [] }, file)
    expect(start).toThrow(StateFileError)
    expect(start).toThrow(file)
    expect(start).toThrow(reason)
    expect(fs.readFileSync(file, "utf8")).toBe(text)
  })

  it("turns a problem the simulator finds while loading into an error naming the file", () => {
    const { file } = openFile({ items: [] })
    const stateFile = new StateFile(file, FORMAT, clock, () => ({ items: [] }), silentLogger)
    expect(() =>
      stateFile.open(() => {
        throw new Error("it holds records of an unknown merchant")
      })
    ).toThrow(new RegExp(`${file}.*cannot be loaded: it holds records of an unknown merchant`))
  })

  it("fails at start when the file cannot be written (its directory does not exist)", () => {
    const file = temp.file("missing/state.json")
    expect(() => openFile({ items: [] }, file)).toThrow(new RegExp(`${file} cannot be written`))
  })

  it("logs a failed write later on instead of throwing, and tries again at the next change", () => {
    const warnings: string[] = []
    const data = { items: [] as string[] }
    const file = temp.file("state.json")
    const stateFile = new StateFile(file, FORMAT, clock, () => data, { info: () => undefined, warn: (m) => warnings.push(m) })
    stateFile.open(() => undefined)
    const failing = jest.spyOn(fs, "renameSync").mockImplementationOnce(() => {
      throw new Error("disk full")
    })
    data.items.push("a")
    expect(() => stateFile.save()).not.toThrow()
    expect(warnings.join()).toMatch(/could not write .*disk full/)
    failing.mockRestore()
    expect(fs.readdirSync(temp.dir)).toEqual(["state.json"])
    stateFile.save()
    expect(readStateFile(file).state.items).toEqual(["a"])
  })
})

describe("writeFileAtomic", () => {
  it("replaces the whole file or nothing", () => {
    const file = temp.file("x.json")
    writeFileAtomic(file, "one")
    writeFileAtomic(file, "two")
    expect(fs.readFileSync(file, "utf8")).toBe("two")
    expect(fs.readdirSync(temp.dir)).toEqual(["x.json"])
  })
})

describe("DeliveryQueue", () => {
  it("keeps due and in-flight attempts until they are over, and re-arms saved ones at their due time", async () => {
    const runs: string[] = []
    let release: () => void = () => undefined
    let changes = 0
    const queue = new DeliveryQueue<string>({
      clock,
      run: (payload, attempt) => {
        runs.push(`${payload}#${attempt}`)
        return payload === "slow" ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve()
      },
      onChange: () => void changes++,
    })
    const slow = queue.start("slow")
    queue.schedule("later", 2, 60_000)
    expect(queue.list().map((e) => `${e.payload}#${e.attempt}`)).toEqual(["slow#1", "later#2"])
    release()
    await slow
    expect(changes).toBe(1)
    const saved: QueuedAttempt<string>[] = queue.list()
    expect(saved).toEqual([{ payload: "later", attempt: 2, dueAt: expect.any(Number) }])

    const other = new SimClock()
    const restored = new DeliveryQueue<string>({ clock: other, run: async (p, n) => void runs.push(`restored ${p}#${n}`), onChange: () => undefined })
    restored.restore([...saved, { payload: "overdue", attempt: 3, dueAt: other.now() - 1 }])
    other.advance(0.5)
    expect(runs).toContain("restored overdue#3")
    expect(runs).not.toContain("restored later#2")
    other.advance(60_000)
    expect(runs).toContain("restored later#2")
    other.close()
  })
})
