import { z } from "zod"
import { httpTuningSchema, orderFirstOptionsSchema, orphanOptionsSchema, parseProviderOptions, publicUrl, secureUrl } from "../../lib/options"

export const QUANTAPAY_CLOUD_URL = "https://cloud.quantapay.app"

export const quantapayOptionsSchema = z
  .object({
    /** API key from the QuantaPay dashboard (Settings -> Account). */
    apiKey: z.string().trim().min(8, "is required (the API key from QuantaPay Settings -> Account)"),
    /** Webhook Secret Key from Settings -> Payments -> Webhook; also signs checkout sessions. */
    webhookSecret: z.string().trim().min(8, "is required (the Webhook Secret Key from QuantaPay Settings -> Payments)"),
    /** Defaults to the QuantaPay cloud; e.g. http://localhost:9302 for the offline simulator. */
    baseUrl: secureUrl.default(QUANTAPAY_CLOUD_URL),
    /** Sign create-checkout-session with HMAC-SHA256 so the price cannot be changed on the way. */
    signCheckout: z.boolean().default(true),
    /** Where the hosted page sends the shopper after paying. `{session_id}` is replaced. */
    redirectUrl: publicUrl.optional(),
    /** Title shown on the hosted page. */
    checkoutTitle: z.string().max(100).optional(),
    /**
     * An underpaid transaction (status X) is never a payment. `reject`: the session fails and the shopper
     * starts again. `review`: the session stays pending so the merchant can accept it in the QuantaPay
     * dashboard (which completes it) or refund it.
     */
    underpaymentPolicy: z.enum(["reject", "review"]).default("reject"),
    /**
     * `manual`: QuantaPay holds no funds; refunds are recorded as owed and the merchant pays them from
     * their wallet. `api`: call QuantaPay's `refund` (needs a signing source configured at QuantaPay).
     * `disabled`: refuse refunds.
     */
    refundMode: z.enum(["manual", "api", "disabled"]).default("manual"),
    /** How long the hosted checkout accepts a payment (QuantaPay's window is 60 minutes). */
    sessionExpiryMinutes: z.number().int().min(5).max(48 * 60).default(60),
    /** After that, how long a session with no transaction is still treated as pending. */
    expiryGraceMinutes: z.number().int().min(0).max(24 * 60).default(10),
    ...orphanOptionsSchema("flag"),
    // Crypto takes minutes to an hour of confirmations: the order comes first by default.
    ...orderFirstOptionsSchema(true),
    /**
     * A completed transaction for less than the price (QuantaPay's own "accept underpayments") still counts
     * when short by at most this much: minor units, a percentage, or both (the larger applies). The
     * shortfall is recorded and shown to the merchant.
     */
    underpaymentTolerance: z
      .object({ minorUnits: z.number().int().min(0).max(1_000_000).default(0), percent: z.number().min(0).max(10).default(0) })
      .strict()
      .default({}),
    ...httpTuningSchema,
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.orphanedPayments === "refund" && o.refundMode !== "api") {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["orphanedPayments"], message: 'can only be "refund" with refundMode "api" (QuantaPay cannot send coins back otherwise); use "flag"' })
    }
  })

export type QuantapayOptions = z.infer<typeof quantapayOptionsSchema>

export function parseQuantapayOptions(options: unknown): QuantapayOptions {
  const parsed = parseProviderOptions("QuantaPay", quantapayOptionsSchema, options)
  return { ...parsed, baseUrl: parsed.baseUrl.replace(/\/+$/, "") }
}
