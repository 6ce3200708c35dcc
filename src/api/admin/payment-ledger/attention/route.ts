import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import type { LoggerLike } from "../../../../lib/http"
import { ourRegistrations } from "../../../../providers/manifest"
import { ATTENTION_KINDS, ATTENTION_LABELS, AttentionKind, paymentsNeedingAttention } from "../../../../ledger/attention"

/** A query value as a list: `a,b`, or repeated `?x=a&x=b`. */
function listOf(value: unknown): string[] {
  const values = Array.isArray(value) ? value : typeof value === "string" ? [value] : []
  return values.flatMap((v) => String(v).split(",")).map((v) => v.trim()).filter(Boolean)
}

/**
 * GET /admin/payment-ledger/attention: payments needing attention, from the payment ledger (admin only).
 * Query: `kind` (one or a comma-separated list of ATTENTION_KINDS), `provider_id` (e.g. pp_qfpay_qfpay),
 * `q` (our order id, the gateway's reference or the customer's email, or part of one), `state` (`open`: only
 * what still needs the merchant; `all`, the default), `limit` (1-200, default 50), `offset`.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const q = req.query as Record<string, unknown>
  const kinds = listOf(q.kind)
  const unknown = kinds.filter((k) => !(ATTENTION_KINDS as readonly string[]).includes(k))
  if (unknown.length) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `kind ${unknown.map((k) => JSON.stringify(k)).join(", ")} is not known; use one of ${ATTENTION_KINDS.join(", ")}.`)
  }
  const providerIds = listOf(q.provider_id)
  const badProvider = providerIds.find((p) => !/^pp_[a-z0-9_-]{1,80}$/i.test(p))
  if (badProvider) throw new MedusaError(MedusaError.Types.INVALID_DATA, `provider_id ${JSON.stringify(badProvider)} is not a payment provider id; use one such as pp_qfpay_qfpay.`)
  const search = q.q === undefined ? undefined : String(q.q)
  if (search !== undefined && search.length > 200) throw new MedusaError(MedusaError.Types.INVALID_DATA, "q must be at most 200 characters.")
  const state = q.state === undefined ? "all" : String(q.state)
  if (state !== "open" && state !== "all") throw new MedusaError(MedusaError.Types.INVALID_DATA, 'state must be "open" or "all".')
  const limit = q.limit === undefined ? 50 : Number(q.limit)
  const offset = q.offset === undefined ? 0 : Number(q.offset)
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new MedusaError(MedusaError.Types.INVALID_DATA, "limit must be a whole number from 1 to 200.")
  if (!Number.isInteger(offset) || offset < 0) throw new MedusaError(MedusaError.Types.INVALID_DATA, "offset must be a whole number, 0 or more.")
  const { items, count } = await paymentsNeedingAttention(req.scope, { kinds: kinds as AttentionKind[], providerIds, q: search, state, limit, offset })
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER) as unknown as LoggerLike
  const providers = (await ourRegistrations(req.scope.resolve(ContainerRegistrationKeys.CONFIG_MODULE), logger)).map((r) => r.providerId)
  res.json({ items, count, limit, offset, kinds: ATTENTION_LABELS, providers })
}
