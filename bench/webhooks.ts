/**
 * Webhook bodies for the storm, made from one genuine delivery of each gateway (its exact serialisation):
 * "first" deliveries are that body with new ids, signed again as the gateway signs (so each is verified and
 * recorded once: payments of orders this store does not know), "invalid" ones carry a signature or key that
 * cannot verify, each body different (none is a replay of another).
 */
import { qbitEventSignature, qfpayNotificationSignature } from "../sandbox/shared/signatures"

export type Delivery = { provider: string; body: string; headers: Record<string, string> }
type Credentials = { qfpay: { clientKey: string }; qbitpay: { apiKey: string } }

/** Every occurrence of `value` as a JSON string or number token in `body`, replaced by `next`. */
function replaceToken(body: string, value: string, next: string): string {
  const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  return body.replace(new RegExp(`(:\\s*"?)${escaped}("?)`, "g"), `$1${next}$2`)
}

let batches = 0

export function firstDeliveries(gateway: "qfpay" | "quantapay" | "qbitpay", genuine: Delivery, count: number, credentials: Credentials, prefix = ""): Delivery[] {
  const started = Date.now()
  const run = `${prefix}${started.toString(36)}`
  const batch = ++batches
  const parsed = JSON.parse(genuine.body)
  return Array.from({ length: count }, (_, i) => {
    const tag = `${run}${String(i).padStart(6, "0")}`
    switch (gateway) {
      case "qfpay": {
        // QFPay's syssn is 20 digits: this run's time, this batch's number, then the delivery's.
        const syssn = `9${String(started).slice(-10)}${String(batch).padStart(3, "0")}${String(i).padStart(6, "0")}`
        let body = replaceToken(genuine.body, String(parsed.syssn), syssn)
        body = replaceToken(body, String(parsed.out_trade_no), `bench-${tag}`)
        return { ...genuine, body, headers: { ...genuine.headers, "x-qf-sign": qfpayNotificationSignature(body, credentials.qfpay.clientKey) } }
      }
      case "quantapay": {
        // QuantaPay's transaction ids are numbers: this batch's number, then the delivery's.
        let body = replaceToken(genuine.body, String(parsed.transaction.id), `9${batch}${String(i).padStart(6, "0")}${String(parsed.transaction.id)}`)
        body = replaceToken(body, String(parsed.transaction.external_reference), `bench-${tag}`)
        return { ...genuine, body }
      }
      case "qbitpay": {
        const event = { ...parsed, id: `evt_bench_${tag}`, data: { ...parsed.data, id: `ch_bench_${tag}`, externalOrderId: `bench-${tag}` } }
        return { ...genuine, body: JSON.stringify(event), headers: { ...genuine.headers, "qbitpay-signature": qbitEventSignature(event, credentials.qbitpay.apiKey) } }
      }
    }
  })
}

/** A body that is genuine but for one byte in what is signed, or the signature itself. */
export function invalidDeliveries(genuine: Delivery, count: number, prefix = ""): Delivery[] {
  return Array.from({ length: count }, (_, j) => {
    const i = `${prefix}${j}`
    if (genuine.provider.startsWith("quantapay")) {
      // QuantaPay's body carries the webhook secret as `key`: a wrong one.
      const body = genuine.body.replace(/"key":"[^"]*"/, `"key":"not-the-secret-${i}"`)
      return { ...genuine, body }
    }
    const header = genuine.provider.startsWith("qfpay") ? "x-qf-sign" : "qbitpay-signature"
    const body = genuine.body.replace(/}\s*$/, `,"bench_padding":"${i}"}`)
    return { ...genuine, body, headers: { ...genuine.headers, [header]: "0".repeat(32) } }
  })
}
