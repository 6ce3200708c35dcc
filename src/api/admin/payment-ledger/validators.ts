import type { AuthenticatedMedusaRequest } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "@medusajs/framework/zod"
import { actorName, type PaidBack } from "../../../ledger/merchant"

/**
 * Bodies of the payment ledger's admin routes (validated by Medusa's `validateAndTransformBody` in
 * src/api/middlewares.ts: a bad body is a 400 naming the field).
 */
export const PaidBackBody = z
  .object({
    /** Where the money went back: a transaction hash, a bank transfer reference, a wallet refund id. */
    reference: z.string().trim().min(1).max(200),
    note: z.string().trim().max(500).optional(),
    /** When it was paid back (ISO 8601); now when left out. Not in the future. */
    paid_at: z
      .string()
      .datetime({ offset: true, message: "paid_at must be an ISO 8601 date-time, e.g. 2026-12-01T10:00:00Z" })
      .refine((v) => Date.parse(v) <= Date.now() + 60_000, "paid_at cannot be in the future")
      .optional(),
  })
  .strict()

export type PaidBackBodyType = z.infer<typeof PaidBackBody>

/** A ledger id with its prefix, or a clear 400. */
export function ledgerIdProblem(id: string, prefix: "plat_" | "plrf_" | "order_"): string | undefined {
  return new RegExp(`^${prefix}[0-9A-Za-z]{10,40}$`).test(id) ? undefined : `${JSON.stringify(id)} is not a valid id; expected one starting with ${prefix}`
}

/** The route's id (checked) and what "mark as paid back" records: the body, and who the admin user is. */
export async function paidBackRequest(req: AuthenticatedMedusaRequest<PaidBackBodyType>, prefix: "plat_" | "plrf_"): Promise<{ id: string; paidBack: PaidBack }> {
  const problem = ledgerIdProblem(req.params.id, prefix)
  if (problem) throw new MedusaError(MedusaError.Types.INVALID_DATA, problem)
  const body = req.validatedBody
  const by = await actorName(req.scope, req.auth_context?.actor_id)
  return { id: req.params.id, paidBack: { by, reference: body.reference, note: body.note, at: body.paid_at ? new Date(body.paid_at) : undefined } }
}
