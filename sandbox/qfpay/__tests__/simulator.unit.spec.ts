import { qfpayNotificationSignature, qfpayParamsSignature } from "../../shared/signatures"
import http from "node:http"
import type { AddressInfo } from "node:net"
import axios, { type AxiosResponse } from "axios"
import { startQfpaySimulator, type QfpaySimulator } from "../server"

// ---------------------------------------------------------------------------------------------------------
// Fixtures

const APP = "TESTAPP"
const KEY = "test-client-key-0001"
const MCH_APP = "AGENTAPP"
const MCH_KEY = "agent-client-key-0002"
const MCHID = "ZaMVg12345"
const LIMITED_APP = "LIMITEDAPP"
const LIMITED_KEY = "limited-client-key-0003"
const TXDTM = "2025-01-02 10:00:00"
const TIME_SCALE = 0.001

interface Received {
  headers: http.IncomingHttpHeaders
  body: string
}

/** A merchant webhook endpoint: records every delivery and answers with the queued replies (default SUCCESS). */
async function startReceiver(replies: Array<{ status: number; body: string }> = []) {
  const received: Received[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
      const reply = replies.shift() ?? { status: 200, body: "SUCCESS\n" }
      res.writeHead(reply.status, { "Content-Type": "text/plain" })
      res.end(reply.body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/qfpay/notify`
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  return { server, url, received, close }
}

async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 1500): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 5))
  }
}

let sim: QfpaySimulator
let receiver: Awaited<ReturnType<typeof startReceiver>>
let seq = 0
const orderId = (prefix = "ORD") => `${prefix}-${Date.now()}-${++seq}`

interface CallOptions {
  appCode?: string | null
  key?: string
  algorithm?: "md5" | "sha256"
  /** Header value; undefined = derived from algorithm (none for md5), null = omit. */
  signType?: string | null
  sign?: string | null
  contentType?: string
  body?: string
  timeout?: number
  baseUrl?: string
}

/** Signs `params` the way a provider must (the simulator's own signer, as the QFPay doc describes it) and posts them form-encoded. */
function call(path: string, params: Record<string, string>, o: CallOptions = {}): Promise<AxiosResponse> {
  const algorithm = o.algorithm ?? "md5"
  const headers: Record<string, string> = { "Content-Type": o.contentType ?? "application/x-www-form-urlencoded" }
  if (o.appCode !== null) headers["X-QF-APPCODE"] = o.appCode ?? APP
  const sign = o.sign === undefined ? qfpayParamsSignature(params, o.key ?? KEY, algorithm) : o.sign
  if (sign !== null) headers["X-QF-SIGN"] = sign
  const signType = o.signType === undefined ? (algorithm === "sha256" ? "SHA256" : null) : o.signType
  if (signType !== null) headers["X-QF-SIGNTYPE"] = signType
  return axios.post(`${o.baseUrl ?? sim.url}${path}`, o.body ?? new URLSearchParams(params).toString(), {
    headers,
    timeout: o.timeout ?? 5000,
    validateStatus: () => true,
    transformResponse: (data: string) => {
      try {
        return JSON.parse(data)
      } catch {
        return data
      }
    },
  })
}

function payment(extra: Record<string, string> = {}, o: CallOptions = {}) {
  return call(
    "/trade/v1/payment",
    { txamt: "1000", txcurrcd: "HKD", pay_type: "800201", out_trade_no: orderId(), txdtm: TXDTM, ...extra },
    o
  )
}

const query = (params: Record<string, string>, o: CallOptions = {}) => call("/trade/v1/query", params, o)
const refund = (syssn: string, txamt: string, extra: Record<string, string> = {}) =>
  call("/trade/v1/refund", { syssn, out_trade_no: orderId("RF"), txamt, txdtm: TXDTM, ...extra })
const control = (method: "get" | "post" | "delete", path: string, data?: unknown) =>
  axios.request({ method, url: `${sim.url}${path}`, data, validateStatus: () => true })

async function paidPayment(extra: Record<string, string> = {}): Promise<{ syssn: string; out_trade_no: string }> {
  const created = await payment(extra)
  expect(created.data.respcd).toBe("0000")
  const paid = await control("post", `/__sim/transactions/${created.data.syssn}/pay`, {})
  expect(paid.status).toBe(200)
  return { syssn: created.data.syssn, out_trade_no: created.data.out_trade_no }
}

/**
 * Runs `body` on a simulator of its own (timeScale 0.0001, notifying `notifyUrl`) in which one payment was
 * just paid, so its notification is under way; closes that simulator afterwards.
 */
async function withPaidFastPayment(notifyUrl: string, body: (fast: QfpaySimulator) => Promise<void>): Promise<void> {
  const fast = await startQfpaySimulator({ timeScale: 0.0001, merchants: [{ appCode: APP, clientKey: KEY, notifyUrl }] })
  try {
    const created = await call(
      "/trade/v1/payment",
      { txamt: "500", txcurrcd: "HKD", pay_type: "800201", out_trade_no: orderId(), txdtm: TXDTM },
      { baseUrl: fast.url }
    )
    fast.completeTransaction(created.data.syssn, "pay")
    await body(fast)
  } finally {
    await fast.close()
  }
}

async function recordOf(syssn: string): Promise<Record<string, string>> {
  const res = await query({ syssn })
  expect(res.data.respcd).toBe("0000")
  return res.data.data.find((r: Record<string, string>) => r.syssn === syssn)
}

beforeAll(async () => {
  receiver = await startReceiver()
  sim = await startQfpaySimulator({
    port: 0,
    timeScale: TIME_SCALE,
    merchants: [
      { appCode: APP, clientKey: KEY, notifyUrl: receiver.url },
      { appCode: MCH_APP, clientKey: MCH_KEY, mchid: MCHID },
      { appCode: LIMITED_APP, clientKey: LIMITED_KEY, enabledPayTypes: ["800201"] },
    ],
  })
})

afterAll(async () => {
  await sim?.close()
  await receiver?.close()
})

beforeEach(() => {
  sim.reset()
  receiver.received.length = 0
})

// ---------------------------------------------------------------------------------------------------------

describe("request authentication (checks in QFPay's order)", () => {
  it("rejects a wrong signature with 1108", async () => {
    const res = await payment({}, { sign: "0".repeat(32) })
    expect(res.status).toBe(200)
    expect(res.data).toMatchObject({ respcd: "1108", resperr: "signature error", respmsg: "" })
  })

  it("rejects a missing signature with 1108", async () => {
    expect((await payment({}, { sign: null })).data.respcd).toBe("1108")
  })

  it("rejects a missing or unknown app code with 1108", async () => {
    expect((await payment({}, { appCode: null })).data.respcd).toBe("1108")
    const unknown = await payment({}, { appCode: "NOPE" })
    expect(unknown.data.respcd).toBe("1108")
    expect(unknown.data.resperr).toMatch(/app code is unknown/)
  })

  it("checks the content type first (1103)", async () => {
    const res = await payment({}, { contentType: "application/json", appCode: "NOPE" })
    expect(res.data.respcd).toBe("1103")
  })

  it("accepts SHA256 only when X-QF-SIGNTYPE says so (case-insensitive), and upper-case MD5 hex", async () => {
    expect((await payment({}, { algorithm: "sha256" })).data.respcd).toBe("0000")
    expect((await payment({}, { algorithm: "sha256", signType: "sha256" })).data.respcd).toBe("0000")
    expect((await payment({}, { algorithm: "sha256", signType: null })).data.respcd).toBe("1108")
    const params = { txamt: "1000", txcurrcd: "HKD", pay_type: "800201", out_trade_no: orderId(), txdtm: TXDTM }
    const upper = qfpayParamsSignature(params, KEY, "md5").toUpperCase()
    expect((await call("/trade/v1/payment", params, { sign: upper, signType: "MD5" })).data.respcd).toBe("0000")
  })

  it("rejects an unknown sign type with 1104", async () => {
    expect((await payment({}, { signType: "HMAC" })).data.respcd).toBe("1104")
  })

  it("rejects empty parameters with 1104 (send only non-empty parameters)", async () => {
    const params = { txamt: "1000", txcurrcd: "HKD", pay_type: "800201", out_trade_no: orderId(), txdtm: TXDTM }
    const body = new URLSearchParams({ ...params, goods_name: "" }).toString()
    const res = await call("/trade/v1/payment", params, { body })
    expect(res.data.respcd).toBe("1104")
    expect(res.data.resperr).toMatch(/goods_name is empty/)
  })

  it("enforces the mchid rules", async () => {
    const agent = { appCode: MCH_APP, key: MCH_KEY }
    expect((await payment({}, agent)).data.respcd).toBe("1104") // issued but not sent
    expect((await payment({ mchid: "other" }, agent)).data.respcd).toBe("1104") // wrong one
    expect((await payment({ mchid: MCHID }, agent)).data.respcd).toBe("0000")
    expect((await payment({ mchid: MCHID })).data.respcd).toBe("1104") // none issued but sent
  })

  it("returns HTTP 429 above 100 requests per second per merchant", async () => {
    const params = { out_trade_no: "nothing" }
    const responses = await Promise.all(
      Array.from({ length: 105 }, () => query(params, { appCode: LIMITED_APP, key: LIMITED_KEY }))
    )
    const limited = responses.filter((r) => r.status === 429)
    // Exactly 5 when all 105 land within one second; fewer only on a very slow machine.
    expect(limited.length).toBeGreaterThan(0)
    expect(limited.length).toBeLessThanOrEqual(5)
    expect(limited[0].data.respcd).toBe("1100")
    // Another merchant is not affected.
    expect((await query(params)).status).toBe(200)
  })
})

describe("/trade/v1/payment", () => {
  it("creates an MPM order with a qrcode that queries as unpaid (1143)", async () => {
    const res = await payment({ goods_name: "Tea" })
    expect(res.data).toMatchObject({
      respcd: "0000",
      resperr: "success",
      respmsg: "",
      pay_type: "800201",
      txamt: "1000",
      txcurrcd: "HKD",
      txdtm: TXDTM,
      chnlsn: "",
      cardcd: "",
      udid: "qiantai2",
    })
    expect(res.data.syssn).toMatch(/^\d{26}$/)
    expect(res.data.qrcode).toBe(`${sim.url}/sim/scan/${res.data.syssn}`)
    expect(res.data.sysdtm).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    const record = await recordOf(res.data.syssn)
    expect(record).toMatchObject({ order_type: "payment", respcd: "1143", errmsg: "not paid", cancel: "0", goods_name: "Tea" })
    expect(record.origssn).toBeUndefined()
  })

  it("returns pay_url for web/WAP types and pay_params for app types", async () => {
    const wap = await payment({ pay_type: "801512" })
    expect(wap.data.pay_url).toBe(`${sim.url}/sim/pay/${wap.data.syssn}`)
    const app = await payment({ pay_type: "800210", goods_name: "Tea" })
    expect(app.data.pay_params).toMatchObject({ package: "Sign=WXPay" })
    expect((await payment({ pay_type: "800210" })).data.respcd).toBe("1104") // goods_name required in-app
  })

  it("issues increasing syssn values", async () => {
    const a = await payment()
    const b = await payment()
    expect(BigInt(b.data.syssn) > BigInt(a.data.syssn)).toBe(true)
  })

  it("rejects a duplicate out_trade_no with 1102", async () => {
    const first = await payment()
    const again = await payment({ out_trade_no: first.data.out_trade_no })
    expect(again.data.respcd).toBe("1102")
  })

  it.each([
    ["decimal amount", { txamt: "10.5" }],
    ["negative amount", { txamt: "-100" }],
    ["zero amount", { txamt: "0" }],
    ["12-hour / invalid hour", { txdtm: "2025-01-02 24:00:00" }],
    ["unpadded date", { txdtm: "2025-1-2 10:00:00" }],
    ["impossible date", { txdtm: "2025-02-30 10:00:00" }],
    ["unknown currency", { txcurrcd: "XYZ" }],
    ["HKD-only pay type in USD", { pay_type: "802001", txcurrcd: "USD" }],
    ["801101 at HKD 1.00", { pay_type: "801101", txamt: "100" }],
    ["unknown pay type", { pay_type: "999999" }],
    ["card pay type via API", { pay_type: "802801" }],
    ["expired_time out of range", { expired_time: "200" }],
    ["CPM without auth_code", { pay_type: "800108" }],
    ["out_trade_no over 128 chars", { out_trade_no: "x".repeat(129) }],
  ])("rejects %s with 1104", async (_label, extra) => {
    expect((await payment(extra)).data.respcd).toBe("1104")
  })

  it("rejects pay types the merchant has not enabled (filter_error)", async () => {
    const res = await payment({ pay_type: "801512" }, { appCode: LIMITED_APP, key: LIMITED_KEY })
    expect(res.data.respcd).toBe("1104")
    expect(res.data.resperr).toMatch(/filter_error: pay_type 801512 not enabled/)
  })

  it("charges CPM codes synchronously: paid at once, or declined with 1205", async () => {
    const paid = await payment({ pay_type: "800108", auth_code: "280000000000000001" })
    expect(paid.data.respcd).toBe("0000")
    expect(paid.data.chnlsn).not.toBe("")
    expect((await recordOf(paid.data.syssn)).respcd).toBe("0000")
    const declined = await payment({ pay_type: "800108", auth_code: "fail-insufficient" })
    expect(declined.data.respcd).toBe("1205")
    expect((await recordOf(declined.data.syssn)).respcd).toBe("1205")
  })

  it("expires unpaid orders lazily (1181) once the clock passes expired_time", async () => {
    const res = await payment({ expired_time: "5" })
    expect((await recordOf(res.data.syssn)).respcd).toBe("1143")
    const advanced = await control("post", "/__sim/time/advance", { ms: 5 * 60_000 * TIME_SCALE + 1 })
    expect(advanced.status).toBe(200)
    expect(await recordOf(res.data.syssn)).toMatchObject({ respcd: "1181", errmsg: "order expired" })
    // The shopper can no longer pay it.
    const late = await control("post", `/__sim/transactions/${res.data.syssn}/pay`, {})
    expect(late.status).toBe(409)
    expect(sim.state().notifications).toHaveLength(0)
  })

  it("pay-late: a wallet confirmation after expiry makes the expired order paid and notifies it; only expired orders", async () => {
    const open = await payment()
    expect((await control("post", `/__sim/transactions/${open.data.syssn}/pay-late`, {})).status).toBe(409)
    const res = await payment({ expired_time: "5" })
    await control("post", "/__sim/time/advance", { ms: 5 * 60_000 * TIME_SCALE + 1 })
    expect((await recordOf(res.data.syssn)).respcd).toBe("1181")
    const late = await control("post", `/__sim/transactions/${res.data.syssn}/pay-late`, {})
    expect(late.status).toBe(200)
    expect((await recordOf(res.data.syssn)).respcd).toBe("0000")
    const delivery = await waitFor(() => receiver.received.find((r) => JSON.parse(r.body).syssn === res.data.syssn))
    expect(JSON.parse(delivery.body)).toMatchObject({ syssn: res.data.syssn, respcd: "0000" })
  })
})

describe("paying and notifications", () => {
  it("pays via the control API, queries 0000 and notifies with a Python-style body and a valid X-QF-SIGN", async () => {
    const { syssn, out_trade_no } = await paidPayment({ goods_name: "測試" })
    const record = await recordOf(syssn)
    expect(record).toMatchObject({ respcd: "0000", errmsg: "success", cancel: "0" })
    expect(record.chnlsn).not.toBe("")

    const delivery = await waitFor(() => receiver.received[0])
    expect(delivery.headers["content-type"]).toBe("application/json")
    expect(delivery.headers["x-qf-sign"]).toBe(qfpayNotificationSignature(delivery.body, KEY))
    expect(delivery.body).toContain('", "')
    expect(delivery.body).toContain('"goods_name": "\\u6e2c\\u8a66"')
    const payload = JSON.parse(delivery.body)
    expect(Object.keys(payload)).toEqual([
      "status", "notify_type", "pay_type", "syssn", "out_trade_no", "txamt", "txcurrcd", "txdtm", "sysdtm",
      "paydtm", "respcd", "cancel", "goods_name", "goods_info", "exchange_rate", "cash_fee", "cash_fee_type",
      "chnlsn", "chnlsn2", "cardcd",
    ])
    expect(payload).toMatchObject({ status: "1", notify_type: "payment", syssn, out_trade_no, respcd: "0000" })

    const attempts = await waitFor(() => {
      const list = sim.state().notifications
      return list.some((a) => a.acknowledged) && list
    })
    expect(attempts[0]).toMatchObject({ syssn, attempt: 1, status: 200, acknowledged: true, url: receiver.url })
  })

  it("sends a per-order notify_url instead of the merchant's, and includes mchid for agents", async () => {
    const other = await startReceiver()
    try {
      const created = await payment({ mchid: MCHID, notify_url: other.url }, { appCode: MCH_APP, key: MCH_KEY })
      await control("post", `/__sim/transactions/${created.data.syssn}/pay`, {})
      const delivery = await waitFor(() => other.received[0])
      expect(JSON.parse(delivery.body).mchid).toBe(MCHID)
      expect(delivery.headers["x-qf-sign"]).toBe(qfpayNotificationSignature(delivery.body, MCH_KEY))
      expect(receiver.received).toHaveLength(0)
    } finally {
      await other.close()
    }
  })

  it("does not notify failures", async () => {
    const created = await payment()
    const failed = await control("post", `/__sim/transactions/${created.data.syssn}/fail`, {})
    expect(failed.data.transaction.respcd).toBe("1205")
    await new Promise((r) => setTimeout(r, 30))
    expect(receiver.received).toHaveLength(0)
  })

  it("retries until the endpoint answers 200 SUCCESS", async () => {
    const flaky = await startReceiver([
      { status: 500, body: "oops" },
      { status: 200, body: "OK" },
    ])
    try {
      await withPaidFastPayment(flaky.url, async (fast) => {
        const attempts = await waitFor(() => {
          const list = fast.state().notifications
          return list.some((a) => a.acknowledged) && list
        })
        expect(attempts.map((a) => [a.attempt, a.status, a.acknowledged])).toEqual([
          [1, 500, false],
          [2, 200, false],
          [3, 200, true],
        ])
        expect(attempts[1].responseBody).toBe("OK")
        expect(new Set(flaky.received.map((r) => r.body)).size).toBe(1) // same bytes every time
      })
    } finally {
      await flaky.close()
    }
  })

  it("gives up after 7 retries", async () => {
    const dead = await startReceiver(Array.from({ length: 10 }, () => ({ status: 404, body: "no" })))
    try {
      await withPaidFastPayment(dead.url, async (fast) => {
        // The schedule sums to ~24 h; advancing the clock fires every due retry without waiting.
        for (let i = 0; i < 8; i++) {
          await waitFor(() => fast.state().notifications.length > i)
          fast.advanceTime(24 * 3_600_000)
        }
        await new Promise((r) => setTimeout(r, 30))
        expect(fast.state().notifications.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
        expect(fast.state().notifications.every((a) => !a.acknowledged)).toBe(true)
      })
    } finally {
      await dead.close()
    }
  })
})

describe("/trade/v1/refund", () => {
  it("refunds partially then the rest (cancel 5 then 3) and notifies each refund", async () => {
    const { syssn, out_trade_no } = await paidPayment()
    await waitFor(() => receiver.received.length === 1)

    const first = await refund(syssn, "400")
    expect(first.data).toMatchObject({ respcd: "0000", resperr: "success", orig_syssn: syssn, txamt: "400", txcurrcd: "HKD" })
    expect(first.data.syssn).not.toBe(syssn)
    expect((await recordOf(syssn)).cancel).toBe("5")

    const rest = await refund(syssn, "600")
    expect(rest.data.respcd).toBe("0000")
    expect((await recordOf(syssn)).cancel).toBe("3")

    const refundRecord = await recordOf(first.data.syssn)
    expect(refundRecord).toMatchObject({ order_type: "refund", origssn: syssn, respcd: "0000", txamt: "400" })

    const refundNotes = await waitFor(() => {
      const notes = receiver.received.map((r) => JSON.parse(r.body)).filter((b) => b.notify_type === "refund")
      return notes.length === 2 && notes
    })
    expect(refundNotes[0]).toMatchObject({
      syssn: first.data.syssn,
      out_trade_no: first.data.out_trade_no,
      orig_syssn: syssn,
      orig_out_trade_no: out_trade_no,
      txamt: "400",
    })
    // Fully refunded: nothing left.
    expect((await refund(syssn, "1")).data.respcd).toBe("1264")
  })

  it("refuses an over-refund with 1272", async () => {
    const { syssn } = await paidPayment()
    expect((await refund(syssn, "700")).data.respcd).toBe("0000")
    const over = await refund(syssn, "301")
    expect(over.data.respcd).toBe("1272")
  })

  it("refuses a reused out_trade_no (payment's or another refund's) with 1251", async () => {
    const { syssn, out_trade_no } = await paidPayment()
    const reusePayment = await refund(syssn, "100", { out_trade_no })
    expect(reusePayment.data).toMatchObject({
      respcd: "1251",
      resperr: "out_trade_no is used - Do not use duplicate out_trade_no for request(1251)",
    })
    const ok = await refund(syssn, "100")
    expect((await refund(syssn, "100", { out_trade_no: ok.data.out_trade_no })).data.respcd).toBe("1251")
  })

  it("refuses unknown (1136) and unpaid (1261) originals", async () => {
    expect((await refund("20990101000300020000000001", "100")).data.respcd).toBe("1136")
    const unpaid = await payment()
    expect((await refund(unpaid.data.syssn, "100")).data.respcd).toBe("1261")
  })

  it("forced 1269 answers without creating a refund", async () => {
    const { syssn } = await paidPayment()
    sim.setFault({ target: "/trade/v1/refund", mode: "respcd", respcd: "1269" })
    const res = await refund(syssn, "100")
    expect(res.data.respcd).toBe("1269")
    expect(res.data.resperr).toMatch(/refundable balance/)
    expect(sim.state().transactions.filter((t) => t.order_type === "refund")).toHaveLength(0)
    expect((await refund(syssn, "100")).data.respcd).toBe("0000") // fault consumed
  })

  it("forced 1143 creates a processing refund that settles later and blocks concurrent refunds (1145)", async () => {
    const { syssn } = await paidPayment()
    const res = await control("post", "/__sim/faults", { target: "/trade/v1/refund", mode: "respcd", respcd: "1143", settleAfterMs: 60_000 })
    expect(res.status).toBe(200)
    const pending = await refund(syssn, "300")
    expect(pending.data.respcd).toBe("1143")
    expect(await recordOf(pending.data.syssn)).toMatchObject({ order_type: "refund", respcd: "1143" })

    const concurrent = await refund(syssn, "100")
    expect(concurrent.data).toMatchObject({ respcd: "1145" })
    expect(concurrent.data.resperr).toMatch(/You still have processing requests/)

    sim.advanceTime(60_000 * TIME_SCALE)
    expect((await recordOf(pending.data.syssn)).respcd).toBe("0000")
    expect((await recordOf(syssn)).cancel).toBe("5")
    await waitFor(() => receiver.received.some((r) => JSON.parse(r.body).notify_type === "refund"))
  })
})

describe("/trade/v1/close and /trade/v1/reversal", () => {
  const cancel = (path: string, params: Record<string, string>) => call(path, { txdtm: TXDTM, ...params })

  it("closes an unpaid 800201 order (query 1264, cancel 2), then refuses a second close", async () => {
    const created = await payment()
    const closed = await cancel("/trade/v1/close", { syssn: created.data.syssn, txamt: "1000" })
    expect(closed.data).toMatchObject({ respcd: "0000", resperr: "success", orig_syssn: created.data.syssn, chnlsn: "" })
    expect(closed.data.syssn).not.toBe(created.data.syssn)
    expect(await recordOf(created.data.syssn)).toMatchObject({ respcd: "1264", cancel: "2" })
    expect((await cancel("/trade/v1/close", { out_trade_no: created.data.out_trade_no, txamt: "1000" })).data.respcd).toBe("1264")
    // A closed order can no longer be paid.
    expect((await control("post", `/__sim/transactions/${created.data.syssn}/pay`, {})).status).toBe(409)
  })

  it("refuses pay types without close support, wrong amounts, and paid orders", async () => {
    const fps = await payment({ pay_type: "802001" })
    const refused = await cancel("/trade/v1/close", { syssn: fps.data.syssn, txamt: "1000" })
    expect(refused.data.respcd).toBe("1104")
    expect(refused.data.resperr).toMatch(/does not support close/)

    const wechat = await payment()
    expect((await cancel("/trade/v1/close", { syssn: wechat.data.syssn, txamt: "999" })).data.respcd).toBe("1266")
    const { syssn } = await paidPayment()
    expect((await cancel("/trade/v1/close", { syssn, txamt: "1000" })).data.respcd).toBe("1260")
    expect((await cancel("/trade/v1/close", { syssn: "20990101000300020000000001", txamt: "1000" })).data.respcd).toBe("1136")
  })

  it("reverses a CPM charge (cancel 1) and refuses a second reversal with 1263", async () => {
    const cpm = await payment({ pay_type: "800108", auth_code: "28000001" })
    const reversed = await cancel("/trade/v1/reversal", { out_trade_no: cpm.data.out_trade_no, txamt: "1000" })
    expect(reversed.data.respcd).toBe("0000")
    expect((await recordOf(cpm.data.syssn)).cancel).toBe("1")
    expect((await cancel("/trade/v1/reversal", { syssn: cpm.data.syssn, txamt: "1000" })).data.respcd).toBe("1263")
  })
})

describe("/trade/v1/query", () => {
  it("lists by out_trade_no list and time window, ordered by syssn, paged", async () => {
    const a = await payment()
    const b = await payment()
    const byIds = await query({ out_trade_no: `${b.data.out_trade_no},${a.data.out_trade_no}` })
    expect(byIds.data).toMatchObject({ respcd: "0000", resperr: "请求成功", respmsg: "", page: "1", page_size: "10" })
    expect(byIds.data.data.map((r: { syssn: string }) => r.syssn)).toEqual([a.data.syssn, b.data.syssn])

    const paged = await query({ page: "2", page_size: "1" })
    expect(paged.data.data.map((r: { syssn: string }) => r.syssn)).toEqual([b.data.syssn])
    expect((await query({ respcd: "0000" })).data.data).toHaveLength(0)
  })

  it("validates page_size and the one-month window", async () => {
    expect((await query({ page_size: "101" })).data.respcd).toBe("1104")
    expect((await query({ start_time: "2025-01-31 00:00:00", end_time: "2025-02-01 00:00:00" })).data.respcd).toBe("1104")
    expect((await query({ start_time: "2025-01-01 00:00:00", end_time: "2025-01-31 23:59:59" })).data.respcd).toBe("0000")
  })
})

describe("hosted checkout", () => {
  function checkoutParams(extra: Record<string, string> = {}, key = KEY): Record<string, string> {
    const params: Record<string, string> = {
      appcode: APP,
      sign_type: "sha256",
      paysource: "remotepay_checkout",
      txamt: "2500",
      txcurrcd: "HKD",
      out_trade_no: orderId("CO"),
      txdtm: TXDTM,
      return_url: "https://shop.example/return",
      failed_url: "https://shop.example/failed",
      notify_url: receiver.url,
      goods_name: "Tea",
      ...extra,
    }
    params.sign = qfpayParamsSignature(params, key, params.sign_type.toLowerCase() === "md5" ? "md5" : "sha256", ["sign", "lang"])
    return params
  }
  const open = (params: Record<string, string>) => control("post", "/checkstand/api/open", { params })
  const submit = (params: Record<string, string>, outcome: string, pay_type = "800201") =>
    control("post", "/checkstand/api/submit", { params, outcome, pay_type })

  it("serves the checkout page with the expected test ids", async () => {
    const page = await axios.get(`${sim.url}/checkstand/`)
    expect(page.headers["content-type"]).toMatch(/text\/html/)
    for (const id of ["qf-method", "qf-pay", "qf-fail", "qf-expire", "qf-error"]) expect(page.data).toContain(`data-testid="${id}"`)
    expect(page.data).toContain("QFSign_Error")
    expect((await axios.get(`${sim.url}/checkstand`)).status).toBe(200)
  })

  it("opens a correctly signed order and lists currency-compatible methods", async () => {
    const res = await open(checkoutParams({ lang: "en" })) // lang is not signed
    expect(res.status).toBe(200)
    expect(res.data.order).toMatchObject({ amount: "HKD 25.00", txamt: "2500" })
    expect(res.data.order.methods.map((m: { pay_type: string }) => m.pay_type)).toEqual([
      "801512", "800201", "802001", "805812", "800712", "802801",
    ])
    const usd = await open(checkoutParams({ txcurrcd: "USD" }))
    expect(usd.data.order.methods.map((m: { pay_type: string }) => m.pay_type)).toEqual(["800201", "800712", "802801"])
    // Nothing is recorded until submit.
    expect(sim.state().transactions).toHaveLength(0)
  })

  it.each([
    ["a bad signature", (p: Record<string, string>) => ({ ...p, txamt: "1" }), /signature error/],
    ["an unknown appcode", (p: Record<string, string>) => ({ ...p, appcode: "NOPE" }), /appcode is unknown/],
    ["a bad paysource", () => checkoutParamsFor({ paysource: "remotepay" }), /paysource/],
    ["a missing notify_url", (p: Record<string, string>) => { const { notify_url: _n, ...rest } = p; return rest }, /notify_url/],
    ["a 12-hour txdtm", () => checkoutParamsFor({ txdtm: "2025-01-02 13:00:00 PM" }), /txdtm/],
  ])("refuses %s with a QFSign_Error", async (_label, mutate, reason) => {
    const res = await open(mutate(checkoutParamsFor()))
    expect(res.status).toBe(400)
    expect(res.data).toMatchObject({ ok: false, error: "QFSign_Error" })
    expect(res.data.reason).toMatch(reason)
  })
  // it.each builds its table before beforeAll runs, so defer params that need the receiver URL.
  function checkoutParamsFor(extra: Record<string, string> = {}) {
    return checkoutParams(extra)
  }

  it("requires mchntid for agent merchants", async () => {
    const base = { appcode: MCH_APP }
    expect((await open(checkoutParams(base, MCH_KEY))).data.reason).toMatch(/mchntid is required/)
    expect((await open(checkoutParams({ ...base, mchntid: MCHID }, MCH_KEY))).data.ok).toBe(true)
  })

  it("records a success per pay submit: two tabs paying give two successful records", async () => {
    const params = checkoutParams()
    const first = await submit(params, "pay")
    expect(first.data).toMatchObject({ ok: true, redirect: "https://shop.example/return" })
    const second = await submit(params, "pay", "802001")
    expect(BigInt(second.data.syssn) > BigInt(first.data.syssn)).toBe(true)

    const records = (await query({ out_trade_no: params.out_trade_no })).data.data
    expect(records.map((r: Record<string, string>) => [r.syssn, r.respcd, r.pay_type])).toEqual([
      [first.data.syssn, "0000", "800201"],
      [second.data.syssn, "0000", "802001"],
    ])
    await waitFor(() => receiver.received.length === 2)
    expect(JSON.parse(receiver.received[0].body)).toMatchObject({ out_trade_no: params.out_trade_no, txamt: "2500" })
  })

  it("records a failure (1205, redirect to failed_url) and nothing for expire", async () => {
    const params = checkoutParams()
    expect((await submit(params, "expire")).data).toMatchObject({ ok: true, redirect: "https://shop.example/failed" })
    expect(sim.state().transactions).toHaveLength(0)
    const failed = await submit(params, "fail")
    expect(failed.data.redirect).toBe("https://shop.example/failed")
    expect((await recordOf(failed.data.syssn)).respcd).toBe("1205")
  })

  it("keeps out_trade_no tied to one order: other amounts and API payments are refused", async () => {
    const params = checkoutParams()
    expect((await open(params)).data.ok).toBe(true)
    const changed = checkoutParams({ out_trade_no: params.out_trade_no, txamt: "9999" })
    expect((await open(changed)).data.reason).toMatch(/different amount/)
    expect((await payment({ out_trade_no: params.out_trade_no })).data.respcd).toBe("1102")
  })

  it("expires the page after checkout_expired_time minutes from the first open", async () => {
    const params = checkoutParams({ checkout_expired_time: "2" })
    expect((await open(params)).data.ok).toBe(true)
    sim.advanceTime(2 * 60_000 * TIME_SCALE)
    const expired = await open(params)
    expect(expired.data).toMatchObject({ ok: false, expired: true, redirect: "https://shop.example/failed" })
    expect((await submit(params, "pay")).data).toMatchObject({ expired: true, redirect: "https://shop.example/failed" })
    expect(sim.state().transactions).toHaveLength(0)

    const deadline = String(Date.now() - 1000) // 13 digits: an absolute deadline already past
    expect((await open(checkoutParams({ checkout_expired_time: deadline }))).data.expired).toBe(true)
  })
})

describe("shopper pages for direct payments", () => {
  it("serves /sim/pay with buttons and redirects to return_url after paying", async () => {
    const created = await payment({ pay_type: "801512", return_url: "https://shop.example/back" })
    const page = await axios.get(`${sim.url}/sim/pay/${created.data.syssn}`)
    expect(page.data).toContain('data-testid="qf-pay"')
    expect(page.data).toContain('data-testid="qf-result"')
    const paid = await control("post", `/sim/transactions/${created.data.syssn}/pay`, {})
    expect(paid.data).toMatchObject({ ok: true, redirect: "https://shop.example/back" })
    expect((await control("post", `/sim/transactions/${created.data.syssn}/pay`, {})).status).toBe(409)
  })
})

describe("faults", () => {
  it("http500 answers 500 without processing", async () => {
    sim.setFault({ target: "/trade/v1/payment", mode: "http500" })
    const res = await payment()
    expect(res.status).toBe(500)
    expect(sim.state().transactions).toHaveLength(0)
    expect((await payment()).status).toBe(200) // times defaults to 1
  })

  it("delay_after changes state even though the client timed out", async () => {
    sim.setFault({ target: "/trade/v1/payment", mode: "delay_after", delayMs: 400 })
    const outTradeNo = orderId()
    const res = await payment({ out_trade_no: outTradeNo }, { timeout: 100 }).catch((err: Error) => err)
    expect(res).toBeInstanceOf(Error)
    expect(sim.state().transactions.map((t) => t.out_trade_no)).toEqual([outTradeNo])
    // The merchant's retry with the same out_trade_no learns it was already created.
    expect((await payment({ out_trade_no: outTradeNo })).data.respcd).toBe("1102")
  })

  it("drop_before closes the connection without processing; drop_after after processing", async () => {
    sim.setFault({ target: "/trade/v1/payment", mode: "drop_before" })
    const dropped = await payment().catch((err: Error) => err)
    expect(dropped).toBeInstanceOf(Error)
    expect(sim.state().transactions).toHaveLength(0)

    sim.setFault({ target: "/trade/v1/payment", mode: "drop_after" })
    const afterwards = await payment().catch((err: Error) => err)
    expect(afterwards).toBeInstanceOf(Error)
    expect(sim.state().transactions).toHaveLength(1)
  })

  it("malformed answers 200 with a non-JSON body, without processing", async () => {
    sim.setFault({ target: "/trade/v1/payment", mode: "malformed" })
    const res = await payment()
    expect(res.status).toBe(200)
    expect(res.data).toBe("<html>upstream error")
    expect(sim.state().transactions).toHaveLength(0)
  })

  it("supports times -1 until cleared, via the HTTP control API", async () => {
    expect((await control("post", "/__sim/faults", { target: "/trade/v1/query", mode: "http429", times: -1 })).status).toBe(200)
    expect((await query({ out_trade_no: "a" })).status).toBe(429)
    expect((await query({ out_trade_no: "a" })).status).toBe(429)
    expect((await control("delete", "/__sim/faults")).status).toBe(200)
    expect((await query({ out_trade_no: "a" })).status).toBe(200)
    expect((await control("post", "/__sim/faults", { target: "/nope", mode: "http500" })).status).toBe(400)
    expect((await control("post", "/__sim/faults", { target: "notify", mode: "http500" })).status).toBe(400)
  })

  it("suppress drops a notification entirely", async () => {
    sim.setFault({ target: "notify", mode: "suppress" })
    await paidPayment()
    await new Promise((r) => setTimeout(r, 30))
    expect(receiver.received).toHaveLength(0)
    expect(sim.state().notifications).toEqual([expect.objectContaining({ suppressed: true, acknowledged: false })])
  })
})

describe("control API", () => {
  it("exposes state and reset over HTTP", async () => {
    const created = await payment()
    const state = await control("get", "/__sim/state")
    expect(state.data.transactions).toEqual([
      expect.objectContaining({ syssn: created.data.syssn, status: "open", respcd: "1143", appCode: APP }),
    ])
    expect((await control("post", "/__sim/reset")).data.ok).toBe(true)
    expect((await control("get", "/__sim/state")).data.transactions).toHaveLength(0)
    expect((await control("post", "/__sim/transactions/123/pay", {})).status).toBe(404)
  })
})
