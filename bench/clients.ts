/**
 * Each provider's HTTP client against the cheapest possible call to the same endpoint: one keep-alive axios
 * instance sending a request built once. The difference is what our client adds (retry policy, redaction,
 * parsing and checking the answer), not the network or the simulator.
 */
import http from "node:http"
import axios from "axios"
import type { Gateways } from "../integration-tests/helpers/gateways"
import { CREDENTIALS } from "../integration-tests/helpers/gateways"
import { QbitpayClient } from "../src/providers/qbitpay/client"
import { parseQbitpayOptions } from "../src/providers/qbitpay/options"
import { QfpayClient } from "../src/providers/qfpay/client"
import { parseQfpayOptions } from "../src/providers/qfpay/options"
import { QuantapayClient } from "../src/providers/quantapay/client"
import { parseQuantapayOptions } from "../src/providers/quantapay/options"
import { medianRatio, summarize, type Ratio, type Summary } from "./stats"

export type ClientResult = { client: string; client_ms: Summary; bare_ms: Summary; ratio: Ratio }

/**
 * Gateways limit request rates and the simulators enforce it (QFPay 400 a minute per merchant, Qbit Pay 100 a
 * second): `perSecond` paces the pair's calls (both sides counted) and `calls` caps them.
 */
type Pair = { client: string; ours: () => Promise<unknown>; bare: () => Promise<unknown>; calls?: number; perSecond?: number }

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - started) / 1e6
}

export async function measureClients(
  g: Gateways,
  paid: { qfpayOrderId: string; quantapayTransactionId: string; qbitChargeId: string },
  calls: number
): Promise<ClientResult[]> {
  const bare = axios.create({ httpAgent: new http.Agent({ keepAlive: true }), validateStatus: () => true, transformResponse: [(d) => d] })
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
  const formHeaders = { "content-type": "application/x-www-form-urlencoded" }

  const qfpay = new QfpayClient(parseQfpayOptions({ ...CREDENTIALS.qfpay, baseUrl: g.qfpay.url, mode: "direct" }))
  const outTradeNo = paid.qfpayOrderId
  // The exact signed form our client sends (its own signing, called once here).
  const signed = (qfpay as unknown as { signedForm(p: Record<string, unknown>): { form: Record<string, string>; headers: Record<string, string> } }).signedForm({
    out_trade_no: outTradeNo,
    page: 1,
    page_size: 100,
  })
  const qfpayBody = form(signed.form)

  const quantapay = new QuantapayClient(parseQuantapayOptions({ ...CREDENTIALS.quantapay, baseUrl: g.quantapay.url }))
  const transactionId = paid.quantapayTransactionId
  const quantapayBody = form({ function: "get-transaction", "api-key": CREDENTIALS.quantapay.apiKey, transaction_id: transactionId })

  const qbitpay = new QbitpayClient(parseQbitpayOptions({ ...CREDENTIALS.qbitpay, baseUrl: g.qbitpay.url, webhookUrl: "http://localhost/hook", redirectUrl: "http://localhost/return" }))
  const chargeId = paid.qbitChargeId
  const qbitAuth = `Basic ${Buffer.from(`${CREDENTIALS.qbitpay.apiKey}:`).toString("base64")}`

  const pairs: Pair[] = [
    {
      client: "QFPay query (/trade/v1/query)",
      calls: 180,
      perSecond: 6,
      ours: () => qfpay.query({ out_trade_no: outTradeNo }),
      bare: () => bare.post(`${g.qfpay.url}/trade/v1/query`, qfpayBody, { headers: { ...formHeaders, ...signed.headers } }),
    },
    {
      client: "QuantaPay get-transaction",
      ours: () => quantapay.transaction(transactionId),
      bare: () => bare.post(`${g.quantapay.url}/api.php`, quantapayBody, { headers: formHeaders }),
    },
    {
      client: "Qbit Pay retrieve charge",
      perSecond: 80,
      ours: () => qbitpay.retrieveCharge(chargeId),
      bare: () => bare.get(`${g.qbitpay.url}/api/v1/charges/${encodeURIComponent(chargeId)}`, { headers: { authorization: qbitAuth } }),
    },
  ]

  const results: ClientResult[] = []
  for (const pair of pairs) {
    // Both must really work against the simulator before they are timed.
    await pair.ours()
    const answer = (await pair.bare()) as { status: number }
    if (answer.status !== 200) throw new Error(`${pair.client}: the bare call answered ${answer.status}`)
    const ours: number[] = []
    const plain: number[] = []
    const started = Date.now()
    for (let i = 0; i < Math.min(calls, pair.calls ?? calls); i++) {
      if (pair.perSecond) {
        const due = started + (i * 2 * 1000) / pair.perSecond
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()))
      }
      // Alternating which goes first, so neither always gets the warmer connection.
      if (i % 2) {
        ours.push(await time(pair.ours))
        plain.push(await time(pair.bare))
      } else {
        plain.push(await time(pair.bare))
        ours.push(await time(pair.ours))
      }
    }
    results.push({ client: pair.client, client_ms: summarize(ours), bare_ms: summarize(plain), ratio: medianRatio(ours, plain) })
  }
  return results
}
