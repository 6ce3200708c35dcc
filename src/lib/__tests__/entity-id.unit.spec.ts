import { newEntityId } from "../entity-id"

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
/** The milliseconds of a ULID's first 10 characters. */
const timeOf = (ulid: string) => [...ulid.slice(0, 10)].reduce((t, c) => t * 32 + ALPHABET.indexOf(c), 0)

describe("newEntityId", () => {
  it("is the prefix and a ULID whose time part is the given millisecond, as Medusa's ids are", () => {
    const at = Date.UTC(2026, 11, 2, 6, 30, 0, 123)
    const id = newEntityId("pldl", at)
    expect(id).toMatch(/^pldl_[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(timeOf(id.slice(5))).toBe(at)
  })

  it("sorts by time like a ULID and does not repeat over many ids in the same millisecond", () => {
    const at = Date.now()
    const ids = Array.from({ length: 50_000 }, () => newEntityId("pldl", at))
    expect(new Set(ids).size).toBe(ids.length)
    const later = newEntityId("pldl", at + 1)
    expect(ids.every((id) => id < later)).toBe(true)
    // Every digit turns up in the last place: the random bits are spread over the characters, not stuck.
    expect(new Set(ids.map((id) => id.at(-1))).size).toBe(32)
  })
})
