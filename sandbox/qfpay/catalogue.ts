/**
 * Static QFPay facts the simulator enforces: pay types (reference §5.1), currencies (§5.3), which pay
 * types support close / reversal (§9), and default messages for status codes (§14).
 */

/** How a pay type is presented to the shopper, which decides the payment response shape (§6.2). */
export type PayMode =
  | "cpm" // customer-presented code: synchronous result, needs auth_code
  | "mpm" // merchant-presented QR: `qrcode`
  | "web" // web / WAP redirect: `pay_url`
  | "app" // in-app / JSAPI / mini-program: `pay_params`
  | "card" // cards and Apple Pay: checkout / Element only, never /trade/v1/payment

export interface PayTypeInfo {
  code: string
  name: string
  mode: PayMode
  /** FPS, AlipayHK, PayMe and Octopus settle in HKD only. */
  hkdOnly?: boolean
  /** Extra parameter /trade/v1/payment insists on for this pay type. */
  requires?: "openid" | "sub_openid" | "extend_info"
}

const table: PayTypeInfo[] = [
  { code: "800008", name: "Auto-detect wallet (CPM)", mode: "cpm" },
  { code: "800101", name: "Alipay overseas (MPM)", mode: "mpm" },
  { code: "800108", name: "Alipay (CPM)", mode: "cpm" },
  { code: "801101", name: "Alipay online web", mode: "web" },
  { code: "801107", name: "Alipay online WAP", mode: "web" },
  { code: "801110", name: "Alipay in-app", mode: "app" },
  { code: "800107", name: "Alipay service window", mode: "app", requires: "openid" },
  { code: "801501", name: "AlipayHK (MPM)", mode: "mpm", hkdOnly: true },
  { code: "801510", name: "AlipayHK in-app", mode: "app", hkdOnly: true },
  { code: "801512", name: "AlipayHK WAP", mode: "web", hkdOnly: true },
  { code: "801514", name: "AlipayHK web", mode: "web", hkdOnly: true },
  { code: "800201", name: "WeChat Pay (MPM)", mode: "mpm" },
  { code: "800208", name: "WeChat Pay (CPM)", mode: "cpm" },
  { code: "800207", name: "WeChat JSAPI", mode: "app", requires: "sub_openid" },
  { code: "800212", name: "WeChat H5", mode: "web", requires: "extend_info" },
  { code: "800210", name: "WeChat in-app", mode: "app" },
  { code: "800213", name: "WeChat mini-program", mode: "app", requires: "sub_openid" },
  { code: "801008", name: "WeChat Pay HK (CPM)", mode: "cpm" },
  { code: "801010", name: "WeChat Pay HK in-app", mode: "app" },
  { code: "805801", name: "PayMe (MPM)", mode: "mpm", hkdOnly: true },
  { code: "805808", name: "PayMe (CPM)", mode: "cpm", hkdOnly: true },
  { code: "805812", name: "PayMe WAP", mode: "web", hkdOnly: true },
  { code: "805814", name: "PayMe web", mode: "web", hkdOnly: true },
  { code: "805810", name: "PayMe in-app", mode: "app", hkdOnly: true },
  { code: "800701", name: "UnionPay QuickPass (MPM)", mode: "mpm" },
  { code: "800708", name: "UnionPay QuickPass (CPM)", mode: "cpm" },
  { code: "800712", name: "UnionPay WAP", mode: "web" },
  { code: "800714", name: "UnionPay web", mode: "web" },
  { code: "800710", name: "UnionPay in-app", mode: "app" },
  { code: "802001", name: "FPS", mode: "mpm", hkdOnly: true },
  { code: "802010", name: "FPS app-to-app", mode: "app", hkdOnly: true },
  { code: "803701", name: "Octopus (MPM)", mode: "mpm", hkdOnly: true },
  { code: "803712", name: "Octopus WAP", mode: "web", hkdOnly: true },
  { code: "803714", name: "Octopus web", mode: "web", hkdOnly: true },
  { code: "802801", name: "Visa / Mastercard online", mode: "card" },
  { code: "802808", name: "Visa / Mastercard POS", mode: "card" },
  { code: "806527", name: "Apple Pay", mode: "card" },
  { code: "806708", name: "UnionPay card POS", mode: "card" },
  { code: "806808", name: "American Express POS", mode: "card" },
]

export const PAY_TYPES: ReadonlyMap<string, PayTypeInfo> = new Map(table.map((t) => [t.code, t]))

/** What a merchant gets when its config does not list enabledPayTypes. */
export const DEFAULT_ENABLED_PAY_TYPES: readonly string[] = table.filter((t) => t.mode !== "card").map((t) => t.code)

export const CURRENCIES: ReadonlySet<string> = new Set([
  "AED", "CNY", "EUR", "HKD", "IDR", "JPY", "MMK", "MYR", "SGD", "THB", "USD", "CAD", "AUD",
])

/** Minor-unit exponent, for display on the shopper pages only. */
export function currencyExponent(currency: string): number {
  return currency === "JPY" ? 0 : 2
}

export function formatAmount(txamt: string, currency: string): string {
  const exp = currencyExponent(currency)
  if (exp === 0) return `${currency} ${txamt}`
  const padded = txamt.padStart(exp + 1, "0")
  return `${currency} ${padded.slice(0, -exp)}.${padded.slice(-exp)}`
}

/** Pay types `/trade/v1/close` accepts (newest zh-Hant docs). */
export const CLOSE_PAY_TYPES: ReadonlySet<string> = new Set(["800201", "800212", "800701", "801514"])

/** Pay types `/trade/v1/reversal` accepts; the card codes are voids of completed transactions. */
export const REVERSAL_PAY_TYPES: ReadonlySet<string> = new Set([
  "800101", "801501", "800201", "800108", "800208", "800708", "802801", "806527",
])

/** Methods the hosted checkout page offers, in display order. */
export const CHECKOUT_METHODS: readonly string[] = ["801512", "800201", "802001", "805812", "800712", "802801"]

/** Card pay types whose same-day refunds are voids and must be for the full amount (code 1124). */
export const VOID_SAME_DAY_PAY_TYPES: ReadonlySet<string> = new Set(["802801", "806527"])

/** Default `resperr` for codes a fault can force. */
export const RESPCD_MESSAGES: Readonly<Record<string, string>> = {
  "1100": "System maintenance, please try again later",
  "1102": "Duplicate request",
  "1103": "Request format error",
  "1104": "Request parameter error",
  "1108": "Signature error",
  "1124": "For void request, it must be a full refund",
  "1125": "Transaction already refunded",
  "1136": "Transaction does not exist or is not operable",
  "1143": "Order not paid, customer is entering the password",
  "1145": "Processing, please wait",
  "1150": "T0 billing, cannot cancel",
  "1155": "Refund request denied",
  "1181": "Order expired",
  "1205": "Transaction failed, please try later",
  "1250": "Transaction forbidden",
  "1254": "System error",
  "1260": "Order already paid",
  "1261": "Order not paid",
  "1262": "Order refunded",
  "1263": "Order cancelled",
  "1264": "Order closed",
  "1265": "No refunds between 23:30 and 00:30",
  "1266": "Transaction amount wrong",
  "1269": "Today this payment method refundable balance is 0 HKD, please try again after the data update at 11 AM",
  "1270": "This currency does not support partial refunds",
  "1271": "This transaction does not support partial refunds",
  "1272": "Refund amount exceeds the refundable amount",
  "1297": "Bank system busy",
  "1298": "Slow network; if paid, do not pay again",
}

export function messageFor(respcd: string): string {
  return RESPCD_MESSAGES[respcd] ?? "error"
}
