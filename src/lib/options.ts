import { MedusaError } from "@medusajs/framework/utils"
import { z } from "zod"
import { insecureBaseUrlProblem } from "./http"

/**
 * Validates provider options at boot with a zod schema. The error names every bad field with the
 * provider's name, e.g. `AcmePay provider option "clientKey": is required`, and never echoes a value (it
 * could be a secret).
 */
export function parseProviderOptions<S extends z.ZodTypeAny>(
  providerName: string,
  schema: S,
  options: unknown
): z.infer<S> {
  const result = schema.safeParse(options ?? {})
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join(".") : "(options)"
    // zod's enum message ends with "received '<value>'": keep the allowed values, drop the received one.
    const missing = issue.code === z.ZodIssueCode.invalid_type && issue.received === "undefined"
    const message = missing
      ? "is required"
      : issue.code === z.ZodIssueCode.invalid_enum_value
        ? `Invalid enum value. Expected ${issue.options.map((o) => `'${String(o)}'`).join(" | ")}`
        : issue.message
    return `${providerName} provider option "${field}": ${message}`
  })
  throw new MedusaError(MedusaError.Types.INVALID_DATA, problems.join("; "))
}

/** An absolute URL; plain http only for loopback. */
export const secureUrl = z.string().superRefine((value, ctx) => {
  const problem = insecureBaseUrlProblem(value)
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem })
})

/** An absolute http(s) URL the shopper's browser or the gateway is sent to (any host). */
export const publicUrl = z.string().url().refine((v) => /^https?:\/\//.test(v), "must be an http(s) URL")

/**
 * What happens to a payment that lands for an attempt whose session is gone (the cart changed after paying):
 * `refund` sends it back automatically after `orphanRefundGraceMinutes` (where the gateway can refund),
 * `flag` lists it for the merchant with the amount, the gateway's reference and the customer's email.
 */
export function orphanOptionsSchema(defaultPolicy: "refund" | "flag") {
  return {
    orphanedPayments: z.enum(["refund", "flag"]).default(defaultPolicy),
    orphanRefundGraceMinutes: z.number().int().min(0).max(7 * 24 * 60).default(60),
  }
}

/**
 * Order first, payment later (Medusa's pending authorization): with `orderBeforePayment`, a payment that is
 * still on its way lets the cart complete into an order (stock reserved, "awaiting payment"), and the
 * payment is captured on that order when it lands. `expiredOrders` says what happens to such an order when
 * its payment expires, fails or is refused as underpaid: `cancel` (the order is canceled and its
 * reservations released) or `keep` (left for the merchant, marked on the order).
 */
export function orderFirstOptionsSchema(defaultOn: boolean) {
  return {
    orderBeforePayment: z.boolean().default(defaultOn),
    expiredOrders: z.enum(["cancel", "keep"]).default("cancel"),
  }
}

/** Shared HTTP tuning options every provider accepts. */
export const httpTuningSchema = {
  timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  maxRetries: z.number().int().min(0).max(5).default(2),
  /** Log request/response bodies (redacted) at debug level. */
  debug: z.boolean().default(false),
}
