import axios from "axios"
import { startQbitpaySimulator } from "../../sandbox/qbitpay/server"
import { startQfpaySimulator, type QfpaySimulator } from "../../sandbox/qfpay/server"
import { startQuantapaySimulator } from "../../sandbox/quantapay/server"
import { qfpayNotificationSignature, qfpayParamsSignature } from "../../sandbox/shared/signatures"
import type { Session } from "./checkout"

/**
 * The three gateway simulators side by side, with the credentials and environment the dev store's
 * medusa-config.ts reads, and one way per registration to pay a session the way a shopper does.
 */
export const CREDENTIALS = {
  qfpay: { appCode: "ITESTAPPCODE", clientKey: "itest-client-key-0123456789" },
  quantapay: { apiKey: "itest-quantapay-api-key", webhookSecret: "itest-quantapay-webhook-secret" },
  qbitpay: { apiKey: "itest-qbitpay-api-key-0123" },
}

export type QuantapaySimulator = Awaited<ReturnType<typeof startQuantapaySimulator>>
export type QbitpaySimulator = Awaited<ReturnType<typeof startQbitpaySimulator>>
export type Gateways = { qfpay: QfpaySimulator; quantapay: QuantapaySimulator; qbitpay: QbitpaySimulator }

export const REGISTRATIONS = ["pp_qfpay_qfpay", "pp_qfpay_qfpay-direct", "pp_quantapay_quantapay", "pp_qbitpay_qbitpay"] as const
export type RegistrationId = (typeof REGISTRATIONS)[number]

export const hookUrl = (medusaPort: number, provider: string) => `http://localhost:${medusaPort}/hooks/payment/${provider}`

export type GatewayOptions = { quantapay?: { timeScale?: number; acceptUnderpayments?: boolean } }

export async function startGateways(medusaPort: number, options: GatewayOptions = {}): Promise<Gateways> {
  const [qfpay, quantapay, qbitpay] = await Promise.all([
    startQfpaySimulator({ port: 0, merchants: [CREDENTIALS.qfpay], timeScale: 0.01 }),
    startQuantapaySimulator({
      port: 0,
      timeScale: options.quantapay?.timeScale,
      accounts: [
        {
          ...CREDENTIALS.quantapay,
          webhookUrl: hookUrl(medusaPort, "quantapay_quantapay"),
          refundsEnabled: true,
          ...(options.quantapay?.acceptUnderpayments ? { acceptUnderpayments: true } : {}),
        },
      ],
    }),
    startQbitpaySimulator({ port: 0, merchants: [CREDENTIALS.qbitpay], timeScale: 0.001 }),
  ])
  return { qfpay, quantapay, qbitpay }
}

export async function stopGateways(gateways: Gateways | undefined): Promise<void> {
  if (!gateways) return
  await Promise.all([gateways.qfpay.close(), gateways.quantapay.close(), gateways.qbitpay.close()])
}

export function resetGateways(gateways: Gateways): void {
  gateways.qfpay.reset()
  gateways.quantapay.reset()
  gateways.qbitpay.reset()
}

/** What medusa-config.ts reads to point every registration at its simulator. */
export function gatewayEnv(g: Gateways, medusaPort: number, webhookDelayMs = 300): Record<string, string> {
  return {
    QFPAY_APP_CODE: CREDENTIALS.qfpay.appCode,
    QFPAY_CLIENT_KEY: CREDENTIALS.qfpay.clientKey,
    QFPAY_BASE_URL: g.qfpay.url,
    QFPAY_NOTIFY_URL: hookUrl(medusaPort, "qfpay_qfpay"),
    QFPAY_TIMEOUT_MS: "1500",
    QFPAY_MAX_RETRIES: "1",
    QUANTAPAY_API_KEY: CREDENTIALS.quantapay.apiKey,
    QUANTAPAY_WEBHOOK_SECRET: CREDENTIALS.quantapay.webhookSecret,
    QUANTAPAY_BASE_URL: g.quantapay.url,
    QUANTAPAY_TIMEOUT_MS: "1500",
    QBITPAY_API_KEY: CREDENTIALS.qbitpay.apiKey,
    QBITPAY_BASE_URL: g.qbitpay.url,
    QBITPAY_PAYMENT_PAGE_BASE: `${g.qbitpay.url}/h5`,
    QBITPAY_WEBHOOK_URL: hookUrl(medusaPort, "qbitpay_qbitpay"),
    QBITPAY_TIMEOUT_MS: "1500",
    PAYMENT_WEBHOOK_DELAY_MS: String(webhookDelayMs),
  }
}

/**
 * Pays a session at its simulator as the shopper would (hosted page, QR scan, coin payment, H5 page), for
 * exactly the amount the gateway asked for. Returns the gateway's reference of the payment.
 */
export async function payAtGateway(g: Gateways, session: Session): Promise<string> {
  const data = session.data
  switch (session.provider_id) {
    case "pp_qfpay_qfpay": {
      const hash = new URL(data.next_action.url).hash.replace(/^#\/?\??/, "")
      const params = Object.fromEntries(new URLSearchParams(hash))
      const res = await axios.post(`${g.qfpay.url}/checkstand/api/submit`, { params, outcome: "pay", pay_type: "800201" })
      return res.data.syssn as string
    }
    case "pp_qfpay_qfpay-direct":
      await axios.post(`${g.qfpay.url}/__sim/transactions/${data.gateway_reference}/pay`, {})
      return data.gateway_reference
    case "pp_quantapay_quantapay":
      return String(g.quantapay.payCheckout(data.checkout_id, { coin: "eth", outcome: "full" }).transaction!.id)
    case "pp_qbitpay_qbitpay":
      await axios.post(`${g.qbitpay.url}/__sim/charges/${data.gateway_reference}/pay`, {})
      return data.gateway_reference
    default:
      throw new Error(`No simulator for ${session.provider_id}`)
  }
}

/** What the gateway itself charged for a session, in its minor units or exact decimal text. */
export function chargedAtGateway(g: Gateways, session: Session): string {
  const data = session.data
  switch (session.provider_id) {
    case "pp_qfpay_qfpay":
    case "pp_qfpay_qfpay-direct": {
      const paid = g.qfpay.state().transactions.find((t) => t.out_trade_no === data.merchant_order_id && t.order_type === "payment" && t.respcd === "0000")
      return String(paid?.txamt)
    }
    case "pp_quantapay_quantapay":
      return String(g.quantapay.state().transactions.find((t) => t.external_reference === data.merchant_order_id)?.amount_fiat)
    case "pp_qbitpay_qbitpay":
      return String(g.qbitpay.state().charges.find((c) => c.id === data.gateway_reference)?.amount)
    default:
      throw new Error(`No simulator for ${session.provider_id}`)
  }
}

/** Makes every gateway keep its webhooks to itself (recorded as suppressed at the simulator), as when they are lost. */
export function suppressWebhooks(g: Gateways): void {
  g.qfpay.setFault({ target: "notify", mode: "suppress", times: -1 })
  g.quantapay.setFault({ target: "webhook", mode: "suppress", times: -1 } as never)
  g.qbitpay.setFault({ target: "webhook", mode: "suppress", times: -1 } as never)
}

/**
 * The genuine webhook a gateway sent (or, suppressed, would have sent) for a session's payment: its exact
 * body and signature headers, to deliver again as the gateway's retries do.
 */
export function webhookOf(g: Gateways, session: Session): { provider: string; body: string; headers: Record<string, string> } {
  const data = session.data
  switch (session.provider_id) {
    case "pp_qfpay_qfpay":
    case "pp_qfpay_qfpay-direct": {
      const n = g.qfpay.state().notifications.find((x) => x.out_trade_no === data.merchant_order_id && x.notify_type === "payment")
      if (!n) throw new Error(`QFPay sent no notification for ${data.merchant_order_id}`)
      return { provider: "qfpay_qfpay", body: n.body, headers: { "content-type": "application/json", "x-qf-sign": qfpayNotificationSignature(n.body, CREDENTIALS.qfpay.clientKey) } }
    }
    case "pp_quantapay_quantapay": {
      const w = g.quantapay.state().webhooks.find((x) => x.external_reference === data.merchant_order_id)
      if (!w) throw new Error(`QuantaPay sent no webhook for ${data.merchant_order_id}`)
      return { provider: "quantapay_quantapay", body: w.body, headers: { "content-type": "application/json" } }
    }
    case "pp_qbitpay_qbitpay": {
      const w = g.qbitpay.state().webhooks.find((x) => x.chargeId === data.gateway_reference && x.type === "charge.succeeded")
      if (!w) throw new Error(`Qbit Pay sent no charge.succeeded for ${data.gateway_reference}`)
      return { provider: "qbitpay_qbitpay", body: w.body, headers: { "content-type": "application/json", "qbitpay-signature": w.signature } }
    }
    default:
      throw new Error(`No simulator for ${session.provider_id}`)
  }
}

/** Delivers a webhook body to Medusa exactly as received (raw text, no re-serialisation). */
export function deliverWebhook(medusaPort: number, hook: { provider: string; body: string; headers: Record<string, string> }) {
  return axios.post(hookUrl(medusaPort, hook.provider), hook.body, {
    headers: hook.headers,
    transformRequest: [(d) => d],
    responseType: "text",
    validateStatus: () => true,
  })
}

/**
 * A refund made at the gateway outside Medusa, through the gateway's own API (as its merchant portal does):
 * QFPay `POST /trade/v1/refund` (signed, a refund id of the portal's own) for `amountMinor`; QuantaPay
 * `refund` (always the whole transaction). Returns the refund's reference at the gateway.
 */
export async function refundAtPortal(g: Gateways, session: Session, amountMinor?: string): Promise<string> {
  const data = session.data
  switch (session.provider_id) {
    case "pp_qfpay_qfpay":
    case "pp_qfpay_qfpay-direct": {
      const paid = g.qfpay.state().transactions.find((t) => t.out_trade_no === data.merchant_order_id && t.order_type === "payment" && t.respcd === "0000")
      if (!paid) throw new Error(`QFPay has no payment for ${data.merchant_order_id}`)
      return qfpayPortalRefund(g.qfpay.url, CREDENTIALS.qfpay, paid.syssn, amountMinor ?? String(paid.txamt))
    }
    case "pp_quantapay_quantapay": {
      const tx = g.quantapay.state().transactions.find((t) => t.external_reference === data.merchant_order_id && t.status === "C")
      if (!tx) throw new Error(`QuantaPay has no completed transaction for ${data.merchant_order_id}`)
      return quantapayPortalRefund(g.quantapay.url, CREDENTIALS.quantapay.apiKey, String(tx.id))
    }
    default:
      throw new Error(`${session.provider_id} has no refunds at the gateway`)
  }
}

/** QFPay's refund API called directly, with a refund id that is not Medusa's (what its portal does). */
export async function qfpayPortalRefund(baseUrl: string, merchant: { appCode: string; clientKey: string }, syssn: string, txamt: string): Promise<string> {
  const now = new Date(Date.now() + 8 * 3600_000).toISOString()
  const params = { syssn, out_trade_no: `portal${Date.now()}${Math.floor(Math.random() * 1000)}`, txamt, txdtm: `${now.slice(0, 10)} ${now.slice(11, 19)}` }
  const res = await axios.post(`${baseUrl}/trade/v1/refund`, new URLSearchParams(params).toString(), {
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-qf-appcode": merchant.appCode,
      "x-qf-sign": qfpayParamsSignature(params, merchant.clientKey, "md5"),
    },
  })
  if (res.data.respcd !== "0000") throw new Error(`QFPay refused the portal refund: ${JSON.stringify(res.data)}`)
  return res.data.syssn as string
}

/** QuantaPay's `refund` called directly (the whole transaction; it becomes R). */
export async function quantapayPortalRefund(baseUrl: string, apiKey: string, transactionId: string): Promise<string> {
  const form = new URLSearchParams({ function: "refund", "api-key": apiKey, transaction_id: transactionId })
  const res = await axios.post(`${baseUrl}/api.php`, form.toString(), { headers: { "content-type": "application/x-www-form-urlencoded" } })
  if (res.data?.response?.status !== true && res.data?.status !== true) throw new Error(`QuantaPay refused the refund: ${JSON.stringify(res.data)}`)
  return transactionId
}
