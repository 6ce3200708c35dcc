import { z } from "zod"
import { httpTuningSchema, orderFirstOptionsSchema, orphanOptionsSchema, parseProviderOptions, publicUrl, secureUrl } from "../../lib/options"
import { KNOWN_PAY_TYPES } from "./pay-types"

/** QFPay hosts by environment (reference §1). Credentials only work on the host they were issued for. */
export const QFPAY_ENVIRONMENTS = {
  sandbox: "https://openapi-int.qfapi.com",
  "live-test": "https://test-openapi-hk.qfapi.com",
  production: "https://openapi-hk.qfapi.com",
} as const

const payType = z
  .string()
  .regex(/^\d{6}$/, "must be a 6-digit QFPay pay_type code")
  .refine((code) => KNOWN_PAY_TYPES.has(code), "is not a QFPay online pay_type this provider supports")

export const qfpayOptionsSchema = z
  .object({
    /** `app_code`, sent as X-QF-APPCODE (API) or `appcode` (checkout). */
    appCode: z.string().trim().min(1, "is required"),
    /** `client_key`: the shared secret for every signature, including notifications. */
    clientKey: z.string().trim().min(8, "is required (the client_key QFPay issued, at least 8 characters)"),
    /** Sub-merchant id. Send only if QFPay issued one. */
    mchid: z.string().trim().min(1).max(32).optional(),
    environment: z.enum(["sandbox", "live-test", "production"]).default("production"),
    /** Overrides `environment`, e.g. http://localhost:9301 for the offline simulator. */
    baseUrl: secureUrl.optional(),
    signType: z.enum(["MD5", "SHA256"]).default("SHA256"),
    /** `checkout`: redirect to QFPay's hosted page. `direct`: create the order with /trade/v1/payment. */
    mode: z.enum(["checkout", "direct"]).default("checkout"),
    /** pay_types a storefront may ask for in direct mode; the first is the default. */
    allowedPayTypes: z.array(payType).min(1).default(["800201"]),
    /** Where QFPay posts notifications: https://<your-medusa>/hooks/payment/qfpay_qfpay */
    notifyUrl: publicUrl.optional(),
    /** Where the shopper returns after paying. `{session_id}` is replaced by the payment session id. */
    returnUrl: publicUrl.optional(),
    /** Where the shopper lands after a failed or expired payment (hosted checkout). */
    failedUrl: publicUrl.optional(),
    /** Checkout "back to store" button. */
    cancelUrl: publicUrl.optional(),
    /** QR / wallet order lifetime in minutes (QFPay `expired_time`, 5-120). */
    qrExpiryMinutes: z.number().int().min(5).max(120).default(30),
    /** Hosted page lifetime in minutes (QFPay `checkout_expired_time`). */
    pageExpiryMinutes: z.number().int().min(1).max(999).default(30),
    /** Hosted checkout `paysource`; must end in `_checkout`. */
    paysource: z.string().regex(/^[A-Za-z0-9_]+_checkout$/, 'must end with "_checkout"').default("medusa_checkout"),
    /** Shown to the shopper; QFPay allows about 20 characters without special characters. */
    goodsName: z.string().max(20).regex(/^[\p{L}\p{N} ]*$/u, "must be letters, digits and spaces only").optional(),
    lang: z.enum(["en", "zh-hk", "zh-cn"]).optional(),
    /** How long after the page/QR expiry an order with no record is still treated as pending. */
    expiryGraceMinutes: z.number().int().min(0).max(120).default(5),
    ...orphanOptionsSchema("refund"),
    // Wallet payments confirm within seconds and the hosted page brings the shopper back: off by default.
    ...orderFirstOptionsSchema(false),
    ...httpTuningSchema,
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.mode === "checkout") {
      for (const field of ["notifyUrl", "returnUrl", "failedUrl"] as const) {
        if (!o[field]) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, path: [field], message: "is required when mode is \"checkout\"" })
        }
      }
    }
  })

export type QfpayOptionsInput = z.input<typeof qfpayOptionsSchema>
export type QfpayOptions = z.infer<typeof qfpayOptionsSchema> & { baseUrl: string }

export function parseQfpayOptions(options: unknown): QfpayOptions {
  const parsed = parseProviderOptions("QFPay", qfpayOptionsSchema, options)
  return { ...parsed, baseUrl: (parsed.baseUrl ?? QFPAY_ENVIRONMENTS[parsed.environment]).replace(/\/+$/, "") }
}
