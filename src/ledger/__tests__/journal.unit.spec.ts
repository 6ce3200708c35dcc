import { attemptStatusOf, disputeChangeFrom } from "../journal"

/** How a gateway's status moves the ledger's dispute record (Qbit Pay: disputes open before payment). */
describe("disputeChangeFrom", () => {
  const now = new Date("2026-12-01T10:00:00Z")

  it("opens a dispute once, with the attention the payments page lists", () => {
    expect(disputeChangeFrom("disputed", null, now, "dispute")).toEqual({ dispute_status: "open", disputed_at: now, dispute_closed_at: null, attention: "dispute" })
    expect(disputeChangeFrom("disputed", "open", now, "dispute")).toEqual({})
    // A second dispute after one was closed opens again.
    expect(disputeChangeFrom("disputed", "won", now, "dispute")).toMatchObject({ dispute_status: "open" })
  })

  it("closes it won when the payment ends paid, lost when it ends otherwise; a status still on its way changes nothing", () => {
    expect(disputeChangeFrom("paid", "open", now, null)).toEqual({ dispute_status: "won", dispute_closed_at: now, attention: null })
    expect(disputeChangeFrom("canceled", "open", now, null)).toEqual({ dispute_status: "lost", dispute_closed_at: now, attention: null })
    expect(disputeChangeFrom("pending", "open", now, null)).toEqual({})
    expect(disputeChangeFrom("paid", null, now, null)).toEqual({})
  })

  it("a disputed payment is still open in the ledger (not paid): reconciliation keeps asking", () => {
    expect(attemptStatusOf("disputed")).toBe("open")
    expect(attemptStatusOf("paid")).toBe("paid")
  })
})
