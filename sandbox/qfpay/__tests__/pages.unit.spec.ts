import { qfpayParamsSignature } from "../../shared/signatures"
/**
 * Runs the hosted-checkout and shopper-page scripts against a live simulator in a node:vm context with a
 * minimal fake DOM (no browser dependency): hash parsing, open, error display, submit and redirect.
 */
import vm from "node:vm"
import { CHECKSTAND_HTML } from "../checkstand.html"
import { startQfpaySimulator, type QfpaySimulator } from "../server"

const APP = "PAGEAPP"
const KEY = "page-client-key"

interface FakeElement {
  id: string
  hidden: boolean
  disabled: boolean
  textContent: string
  innerHTML: string
  value: string
  options: Array<{ value: string; textContent: string }>
  listeners: Record<string, () => void>
  appendChild(child: { value: string; textContent: string }): void
  addEventListener(type: string, fn: () => void): void
}

function element(id: string): FakeElement {
  const el: FakeElement = {
    id,
    hidden: false,
    disabled: false,
    textContent: "",
    options: [],
    listeners: {},
    get innerHTML() {
      return ""
    },
    set innerHTML(_v: string) {
      el.options = []
    },
    get value() {
      return el.options[0]?.value ?? ""
    },
    set value(_v: string) {},
    appendChild(child) {
      el.options.push(child)
    },
    addEventListener(type, fn) {
      el.listeners[type] = fn
    },
  }
  return el
}

/** Loads a page script with `hash` as location.hash; fetch goes to the simulator. */
function loadPage(html: string, baseUrl: string, hash: string) {
  const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? ""
  const elements: Record<string, FakeElement> = {}
  for (const tag of html.matchAll(/<[^>]*\bid="([^"]+)"[^>]*>/g)) {
    elements[tag[1]] = element(tag[1])
    elements[tag[1]].hidden = /\shidden[\s>]/.test(tag[0])
  }
  const location = { hash, href: "" }
  const pending: Array<Promise<unknown>> = []
  const context = {
    document: {
      getElementById: (id: string) => elements[id],
      createElement: () => ({ value: "", textContent: "" }),
      querySelectorAll: () => Object.values(elements).filter((e) => ["pay", "fail", "expire"].includes(e.id)),
    },
    window: { addEventListener: () => undefined },
    location,
    fetch: (path: string, init: RequestInit) => {
      const p = fetch(baseUrl + path, init)
      pending.push(p)
      return p
    },
    setInterval: () => 0,
    clearInterval: () => undefined,
    decodeURIComponent,
    JSON,
    Object,
    Math,
    Date,
  }
  vm.runInNewContext(script, context)
  /** Lets every fetch and its .then chain finish. */
  const settle = async () => {
    for (let i = 0; i < 8; i++) {
      await Promise.allSettled(pending)
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  return { elements, location, settle }
}

function hashFor(extra: Record<string, string> = {}): { hash: string; params: Record<string, string> } {
  const params: Record<string, string> = {
    appcode: APP,
    sign_type: "sha256",
    paysource: "remotepay_checkout",
    txamt: "1234",
    txcurrcd: "HKD",
    out_trade_no: `PG-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    txdtm: "2025-01-02 10:00:00",
    return_url: "https://shop.example/return?o=1",
    failed_url: "https://shop.example/failed",
    notify_url: "http://127.0.0.1:9/notify",
    goods_name: "Green tea & cake",
    ...extra,
  }
  const sign = qfpayParamsSignature(params, KEY, "sha256", ["sign", "lang"])
  const query = Object.entries({ ...params, sign })
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&")
  return { hash: `#/?${query}`, params }
}

let sim: QfpaySimulator
beforeAll(async () => {
  sim = await startQfpaySimulator({ timeScale: 0.001, merchants: [{ appCode: APP, clientKey: KEY }] })
})
afterAll(() => sim.close())

describe("checkstand page script", () => {
  it("reads the signed params from the hash, shows the order and redirects after Pay", async () => {
    const { hash, params } = hashFor()
    const page = loadPage(CHECKSTAND_HTML, sim.url, hash)
    await page.settle()
    expect(page.elements.error.hidden).toBe(true)
    expect(page.elements.order.hidden).toBe(false)
    expect(page.elements.amount.textContent).toBe("HKD 12.34")
    expect(page.elements.method.options.map((o) => o.value)).toContain("802001")

    page.elements.pay.listeners.click()
    await page.settle()
    expect(page.location.href).toBe("https://shop.example/return?o=1")
    const records = sim.state().transactions.filter((t) => t.out_trade_no === params.out_trade_no)
    expect(records).toEqual([expect.objectContaining({ status: "paid", respcd: "0000", pay_type: "801512" })])
  })

  it("shows a QFSign_Error block when the signature does not match", async () => {
    const { hash } = hashFor()
    const page = loadPage(CHECKSTAND_HTML, sim.url, hash.replace("txamt=1234", "txamt=1"))
    await page.settle()
    expect(page.elements.error.hidden).toBe(false)
    expect(page.elements.order.hidden).toBe(true)
    expect(page.elements["error-reason"].textContent).toMatch(/signature error/)
  })

  it("treats + as a literal plus, so a space encoded as + breaks verification", async () => {
    const { hash } = hashFor()
    const page = loadPage(CHECKSTAND_HTML, sim.url, hash.replace("2025-01-02%2010", "2025-01-02+10"))
    await page.settle()
    expect(page.elements.error.hidden).toBe(false)
  })

  it("redirects to failed_url for Let it expire, recording nothing", async () => {
    const { hash, params } = hashFor({ txcurrcd: "USD" })
    const page = loadPage(CHECKSTAND_HTML, sim.url, hash)
    await page.settle()
    expect(page.elements.method.options.map((o) => o.value)).not.toContain("802001")
    page.elements.expire.listeners.click()
    await page.settle()
    expect(page.location.href).toBe("https://shop.example/failed")
    expect(sim.state().transactions.filter((t) => t.out_trade_no === params.out_trade_no)).toHaveLength(0)
  })
})

describe("direct-mode shopper page script", () => {
  async function createPayment(extra: Record<string, string> = {}): Promise<string> {
    const params = {
      txamt: "800",
      txcurrcd: "HKD",
      pay_type: "800201",
      out_trade_no: `SP-${Date.now()}-${Math.random().toString(36).slice(2)}`,
      txdtm: "2025-01-02 10:00:00",
      ...extra,
    }
    const res = await fetch(`${sim.url}/trade/v1/payment`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-QF-APPCODE": APP,
        "X-QF-SIGN": qfpayParamsSignature(params, KEY, "md5"),
      },
      body: new URLSearchParams(params).toString(),
    })
    const json = (await res.json()) as { respcd: string; syssn: string }
    expect(json.respcd).toBe("0000")
    return json.syssn
  }
  const pageHtml = async (kind: "scan" | "pay", syssn: string) => (await fetch(`${sim.url}/sim/${kind}/${syssn}`)).text()

  it("shows Paid after Pay when the order has no return_url, and an error when paying again", async () => {
    const syssn = await createPayment()
    const html = await pageHtml("scan", syssn)
    const page = loadPage(html, sim.url, "")
    page.elements.pay.listeners.click()
    await page.settle()
    expect(page.elements.result.hidden).toBe(false)
    expect(page.elements.result.textContent).toBe("Paid")
    expect(sim.state().transactions.find((t) => t.syssn === syssn)?.status).toBe("paid")

    const again = loadPage(html, sim.url, "")
    again.elements.pay.listeners.click()
    await again.settle()
    expect(again.elements.error.hidden).toBe(false)
    expect(again.elements.error.textContent).toMatch(/not open/)
  })

  it("redirects to return_url after Pay", async () => {
    const syssn = await createPayment({ pay_type: "801512", return_url: "https://shop.example/back" })
    const page = loadPage(await pageHtml("pay", syssn), sim.url, "")
    page.elements.pay.listeners.click()
    await page.settle()
    expect(page.location.href).toBe("https://shop.example/back")
  })
})
