import { z } from "zod"
import { httpTuningSchema, orderFirstOptionsSchema, orphanOptionsSchema, parseProviderOptions, publicUrl, secureUrl } from "../../lib/options"

export const QBITPAY_API_URL = "https://api.qbitnetwork.com"

export const qbitpayOptionsSchema = z
  .object({
    /** API key: HTTP Basic user name (empty password) and the key that signs webhooks. */
    apiKey: z.string().trim().min(8, "is required (the Qbit Pay API key)"),
    /** Defaults to Qbit Pay's API; e.g. http://localhost:9303 for the offline simulator. */
    baseUrl: secureUrl.default(QBITPAY_API_URL),
    /**
     * Where Qbit Pay's hosted H5 page lives. When set, a charge whose `paymentPageUrl` points anywhere else
     * is refused, so a shopper is never sent to an unexpected host with the access token.
     */
    paymentPageBase: publicUrl.optional(),
    /** Settlement currency of the Qbit Pay account; sessions in other currencies are refused. */
    currency: z.enum(["USD", "USDT"]).default("USD"),
    /** Sent as `cbUrl`: https://<your-medusa>/hooks/payment/qbitpay_qbitpay */
    webhookUrl: publicUrl,
    /** Sent as `redirectUrl`: the storefront page the shopper returns to. `{session_id}` is replaced. */
    redirectUrl: publicUrl,
    /** After a charge's `expiresAt`, how long a still-pending charge is treated as pending before it counts as expired. */
    expiryGraceMinutes: z.number().int().min(0).max(24 * 60).default(10),
    /** Upper bound for caching the H5 access token (it is also never used past its own expiry). */
    accessTokenCacheMinutes: z.number().int().min(0).max(24 * 60).default(10),
    /** `manual`: refunds are recorded as owed and paid by the merchant (Qbit Pay has no refund API). `disabled`: refused. */
    refundMode: z.enum(["manual", "disabled"]).default("manual"),
    ...orphanOptionsSchema("flag"),
    // The H5 page is an OTC purchase a seller confirms, which can take a while: the order comes first by default.
    ...orderFirstOptionsSchema(true),
    ...httpTuningSchema,
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.orphanedPayments === "refund") {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["orphanedPayments"], message: 'can only be "flag": Qbit Pay has no refund API' })
    }
  })

export type QbitpayOptions = z.infer<typeof qbitpayOptionsSchema>

export function parseQbitpayOptions(options: unknown): QbitpayOptions {
  const parsed = parseProviderOptions("Qbit Pay", qbitpayOptionsSchema, options)
  return { ...parsed, baseUrl: parsed.baseUrl.replace(/\/+$/, "") }
}
