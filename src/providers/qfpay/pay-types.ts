import { MedusaError } from "@medusajs/framework/utils"

/**
 * QFPay's online pay_types (reference §5): merchant-presented QR codes, web, WAP and in-app payments, what
 * each returns (a QR code or a link), which are HKD-only, and how an unpaid order of each is stopped (close
 * or reversal; none = it simply expires). CPM/POS codes need a scanner and are left out.
 */
export type PayTypeFlow = "qr_code" | "redirect" | "sdk"

export const PAY_TYPES: Record<string, { name: string; flow: PayTypeFlow; hkdOnly?: boolean; cancel?: "close" | "reversal" }> = {
  "800101": { name: "Alipay (overseas) QR", flow: "qr_code", cancel: "reversal" },
  "801101": { name: "Alipay online web", flow: "redirect" },
  "801107": { name: "Alipay online WAP", flow: "redirect" },
  "801501": { name: "Alipay (HK merchants) QR", flow: "qr_code", hkdOnly: true, cancel: "reversal" },
  "801512": { name: "AlipayHK WAP", flow: "redirect", hkdOnly: true },
  "801514": { name: "AlipayHK web", flow: "redirect", hkdOnly: true, cancel: "close" },
  "800201": { name: "WeChat Pay QR", flow: "qr_code", cancel: "close" },
  "800212": { name: "WeChat Pay H5", flow: "redirect", cancel: "close" },
  "805801": { name: "PayMe QR", flow: "qr_code", hkdOnly: true },
  "805812": { name: "PayMe WAP", flow: "redirect", hkdOnly: true },
  "805814": { name: "PayMe web", flow: "redirect", hkdOnly: true },
  "800701": { name: "UnionPay QuickPass QR", flow: "qr_code", cancel: "close" },
  "800712": { name: "UnionPay WAP", flow: "redirect" },
  "800714": { name: "UnionPay web", flow: "redirect" },
  "802001": { name: "FPS QR", flow: "qr_code", hkdOnly: true },
  "803701": { name: "Octopus QR", flow: "qr_code", hkdOnly: true },
  "803712": { name: "Octopus WAP", flow: "redirect", hkdOnly: true },
  "803714": { name: "Octopus web", flow: "redirect", hkdOnly: true },
}

export const KNOWN_PAY_TYPES = new Set(Object.keys(PAY_TYPES))

/** The storefront may ask for a pay_type; it is untrusted and must be on the merchant's allow-list. */
export function payTypeFor(requested: string | undefined, allowed: readonly string[], currency: string): string {
  if (!requested) {
    const usable = allowed.find((code) => !PAY_TYPES[code]?.hkdOnly || currency === "HKD")
    if (!usable) throw new MedusaError(MedusaError.Types.INVALID_DATA, `QFPay: none of the allowed pay types accepts ${currency}.`)
    return usable
  }
  if (!allowed.includes(requested)) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `QFPay: pay_type ${JSON.stringify(requested).slice(0, 20)} is not accepted by this store; use one of ${allowed.join(", ")}.`
    )
  }
  if (PAY_TYPES[requested]?.hkdOnly && currency !== "HKD") {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `QFPay: pay_type ${requested} (${PAY_TYPES[requested].name}) only accepts HKD.`)
  }
  return requested
}
