/** Fixtures for the simulators' state-file tests (not a test file itself: jest only runs *.unit.spec.ts). */
import fs from "node:fs"
import os from "node:os"
import path from "node:path"

/** A fresh directory under the OS temp dir; `remove()` deletes it with everything in it. */
export function tempDir(prefix: string): { dir: string; file(name: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`))
  return { dir, file: (name) => path.join(dir, name), remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/**
 * Per test (registers beforeEach/afterEach): a fresh temp directory with `file` as the state file's path,
 * and the simulators handed to `track`, all closed after the test before the directory is removed.
 */
export function stateFileFixture(prefix: string, fileName: string) {
  let temp: ReturnType<typeof tempDir> | undefined
  const started: Array<{ close(): Promise<void> }> = []
  beforeEach(() => {
    temp = tempDir(prefix)
  })
  afterEach(async () => {
    await Promise.all(started.splice(0).map((sim) => sim.close()))
    temp?.remove()
  })
  const dir = (): ReturnType<typeof tempDir> => {
    if (!temp) throw new Error("the state-file fixture is only there inside a test")
    return temp
  }
  return {
    /** The state file of this test. */
    get file(): string {
      return dir().file(fileName)
    },
    /** Another file in this test's directory. */
    other: (name: string): string => dir().file(name),
    track<T extends { close(): Promise<void> }>(sim: T): T {
      started.push(sim)
      return sim
    },
  }
}

/** Runs `body` and expects it to write no file at all (no writeFileSync, no open for writing, no rename). */
export async function expectNoFileWrites(body: () => Promise<void>): Promise<void> {
  const writes = watchFileWrites()
  try {
    await body()
  } finally {
    writes.stop()
  }
  expect(writes.paths()).toEqual([])
}

/** The parsed state file. */
export const readStateFile = (file: string): { version: number; simulator: string; clockOffsetMs: number; state: any } => // eslint-disable-line @typescript-eslint/no-explicit-any
  JSON.parse(fs.readFileSync(file, "utf8"))

/**
 * Writes `text` over `file`, then expects `start()` to fail with an error that names the file and matches
 * `reason`; the file is left as it was (never silently replaced).
 */
export async function expectStartRefused(file: string, text: string, start: () => Promise<unknown>, reason: RegExp): Promise<void> {
  fs.writeFileSync(file, text)
  const error = await start().then(
    () => undefined,
    (err: unknown) => err as Error
  )
  expect(error).toBeInstanceOf(Error)
  expect(error?.message).toContain(file)
  expect(error?.message).toMatch(reason)
  expect(fs.readFileSync(file, "utf8")).toBe(text)
}

/**
 * What every simulator refuses at start, each time with an error naming the file: a truncated (unparsable)
 * file, another format version, another simulator's file.
 */
export async function expectBadFilesRefused(file: string, simulator: string, start: () => Promise<unknown>): Promise<void> {
  await expectStartRefused(file, `{"version": 1, "simulator": "${simulator}", "state": {`, start, /not valid JSON/)
  await expectStartRefused(file, JSON.stringify({ version: 99, simulator, state: {} }), start, /format version 99/)
  await expectStartRefused(file, JSON.stringify({ version: 1, simulator: "another-sim", state: {} }), start, /written by "another-sim"/)
}

/** Records the files the process writes (writeFileSync, openSync for writing, renameSync targets) until stop(). */
export function watchFileWrites(): { paths(): string[]; stop(): void } {
  const seen: string[] = []
  const { writeFileSync, openSync, renameSync } = fs
  const spies = [
    jest.spyOn(fs, "writeFileSync").mockImplementation((file, data, options) => {
      seen.push(String(file))
      return writeFileSync(file, data, options)
    }),
    jest.spyOn(fs, "openSync").mockImplementation((file, flags, mode) => {
      if (flags !== undefined && flags !== "r") seen.push(String(file))
      return openSync(file, flags, mode)
    }),
    jest.spyOn(fs, "renameSync").mockImplementation((from, to) => {
      seen.push(String(to))
      return renameSync(from, to)
    }),
  ]
  return { paths: () => [...seen], stop: () => spies.forEach((spy) => spy.mockRestore()) }
}
