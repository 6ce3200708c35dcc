import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { ATTENTION_KINDS, AttentionKind, paymentsNeedingAttention } from "../../../../ledger/attention"

/**
 * GET /admin/payment-ledger/attention: payments needing attention, from the payment ledger (admin only).
 * Query: `kind` (one or a comma-separated list of ATTENTION_KINDS), `limit` (1-200, default 50), `offset`.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const q = req.query as Record<string, unknown>
  const kinds = typeof q.kind === "string" && q.kind ? q.kind.split(",").map((k) => k.trim()) : Array.isArray(q.kind) ? (q.kind as string[]) : []
  const unknown = kinds.filter((k) => !(ATTENTION_KINDS as readonly string[]).includes(k))
  if (unknown.length) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `kind ${unknown.map((k) => JSON.stringify(k)).join(", ")} is not known; use one of ${ATTENTION_KINDS.join(", ")}.`)
  }
  const limit = q.limit === undefined ? 50 : Number(q.limit)
  const offset = q.offset === undefined ? 0 : Number(q.offset)
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new MedusaError(MedusaError.Types.INVALID_DATA, "limit must be a whole number from 1 to 200.")
  if (!Number.isInteger(offset) || offset < 0) throw new MedusaError(MedusaError.Types.INVALID_DATA, "offset must be a whole number, 0 or more.")
  const { items, count } = await paymentsNeedingAttention(req.scope, { kinds: kinds as AttentionKind[], limit, offset })
  res.json({ items, count, limit, offset })
}
