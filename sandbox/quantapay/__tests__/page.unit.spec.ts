/**
 * The hosted page GET /pay.php?checkout=<id>: what it serves, its /pay.php/api endpoints, and its script
 * driven in a node:vm context against a tiny stand-in DOM (no browser needed).
 */
import vm from "node:vm"
import { startQuantapaySimulator, type QuantapaySimulator } from "../server"
import { api, control, pause } from "./helpers"

const KEY = "qp-page-key"
const TIME_SCALE = 0.001

let sim: QuantapaySimulator
beforeAll(async () => {
  sim = await startQuantapaySimulator({ timeScale: TIME_SCALE, accounts: [{ apiKey: KEY, webhookSecret: "qp-page-secret" }] })
})
afterAll(() => sim.close())
afterEach(() => sim.reset())

async function session(fields: Record<string, string> = {}): Promise<{ id: string; url: string }> {
  const answer = await api(sim, { function: "create-checkout-session", "api-key": KEY, price: "49.99", currency: "usd", ...fields })
  return { id: answer.json.response.checkout_id, url: answer.json.response.payment_url }
}

async function page(url: string): Promise<{ status: number; type: string | null; html: string }> {
  const res = await fetch(url)
  return { status: res.status, type: res.headers.get("content-type"), html: await res.text() }
}

const testIds = (html: string) => [...html.matchAll(/data-testid="([^"]+)"/g)].map((m) => m[1])

describe("GET /pay.php", () => {
  it("serves plain HTML with the amount, the coin select and the three buttons; no external resources", async () => {
    const { url } = await session({ order_id: "ORD-PAGE-1", title: "Jasmine <tea>" })
    const { status, type, html } = await page(url)
    expect(status).toBe(200)
    expect(type).toMatch(/^text\/html/)
    expect(testIds(html)).toEqual(expect.arrayContaining(["qp-amount", "qp-coin", "qp-pay-full", "qp-pay-under", "qp-abandon", "qp-result"]))
    expect(html).toMatch(/<span id="amount">49\.99<\/span> <span id="currency" data-testid="qp-currency">USD<\/span>/)
    const coins = [...html.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1])
    expect(coins).toEqual(expect.arrayContaining(["btc", "eth", "usdt_tron", "usdc", "sol"]))
    expect(html).toContain("Jasmine &lt;tea&gt;")
    expect(html).not.toMatch(/\s(src|href)="https?:/)
  })

  it("404 for an unknown checkout, 400 without one", async () => {
    const unknown = await page(`${sim.url}/pay.php?checkout=cs-cs_00000000000000000000`)
    expect(unknown.status).toBe(404)
    expect(unknown.html).toContain('data-testid="qp-error"')
    expect((await page(`${sim.url}/pay.php`)).status).toBe(400)
  })

  it("shows an expired page once the session expired, and a Paid page once paid", async () => {
    const expired = await session({ redirect: "https://shop.example/back" })
    const paid = await session()
    sim.payCheckout(paid.id, { coin: "btc", outcome: "full" })
    expect(testIds((await page(paid.url)).html)).toContain("qp-result")
    expect((await page(paid.url)).html).toContain(">Paid<")
    sim.advanceTime(3600_000 * TIME_SCALE)
    const html = (await page(expired.url)).html
    expect(testIds(html)).toContain("qp-expired")
    expect(testIds(html)).not.toContain("qp-pay-full")
    expect(html).toContain('href="https://shop.example/back"')
  })
})

describe("the page API (/pay.php/api/*)", () => {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${sim.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
    return { status: res.status, json: (await res.json()) as any } // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  it("select creates the pending row; pay runs the same code as the control route", async () => {
    const { id } = await session({ redirect: "https://shop.example/done" })
    const selected = await post("/pay.php/api/select", { checkout: id, coin: "usdc" })
    expect(selected.json.transaction).toEqual(expect.objectContaining({ status: "P", cryptocurrency: "usdc", amount: "49.99" }))
    const paid = await post("/pay.php/api/pay", { checkout: id, coin: "usdc", outcome: "full" })
    expect(paid.json.transaction).toEqual(expect.objectContaining({ id: selected.json.transaction.id, status: "C" }))
    expect(paid.json.redirect).toMatch(/^https:\/\/shop\.example\/done\?transaction_id=\d+&amount=49\.99&address=0x/)
    // The session is done: both the page API and the control route refuse another payment.
    expect((await post("/pay.php/api/pay", { checkout: id, coin: "usdc", outcome: "full" })).status).toBe(409)
    expect((await control(sim, "POST", `/__sim/checkout/${id}/pay`, { coin: "usdc", outcome: "full" })).status).toBe(409)
  })

  it("refuses bad input with 4xx {ok:false, error}", async () => {
    const { id } = await session()
    expect((await post("/pay.php/api/pay", { checkout: id, coin: "btc", outcome: "maybe" })).json).toEqual({
      ok: false,
      error: "outcome must be full, under, over or abandon",
    })
    expect((await post("/pay.php/api/pay", { checkout: "cs-cs_nope", coin: "btc", outcome: "full" })).status).toBe(404)
    expect((await post("/pay.php/api/select", { checkout: id, coin: "xyz" })).status).toBe(400)
    expect((await fetch(`${sim.url}/pay.php/api/pay`)).status).toBe(405)
  })
})

// ---------------------------------------------------------------------------------------------------------
// The page script in a VM

interface Node {
  hidden: boolean
  disabled: boolean
  textContent: string
  className: string
  href: string
  value: string
  handlers: Map<string, () => void>
  addEventListener(type: string, handler: () => void): void
}

/** Runs the page's inline scripts with a DOM of plain objects; fetch goes to the simulator. */
function runPage(html: string) {
  const nodes = new Map<string, Node>()
  for (const [tag, id] of html.matchAll(/<\w+[^>]*\sid="([^"]+)"[^>]*>/g)) {
    const firstOption = id === "coin" ? /<option value="([^"]+)"/.exec(html)?.[1] ?? "" : ""
    const node: Node = {
      hidden: / hidden[ >]/.test(tag),
      disabled: false,
      textContent: "",
      className: "",
      href: "#",
      value: firstOption,
      handlers: new Map(),
      addEventListener: (type, handler) => void node.handlers.set(type, handler),
    }
    nodes.set(id, node)
  }
  const inFlight: Array<Promise<unknown>> = []
  const location = { href: "" }
  const context: Record<string, unknown> = {
    document: { getElementById: (id: string) => nodes.get(id) ?? null },
    location,
    JSON,
    String,
    fetch: (path: string, init: RequestInit) => {
      const request = fetch(`${sim.url}${path}`, init)
      inFlight.push(request)
      return request
    },
  }
  context.window = context
  vm.createContext(context)
  for (const [, code] of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) vm.runInContext(code, context)
  const click = async (id: string) => {
    nodes.get(id)?.handlers.get("click")?.()
    // Let the fetch and its .then chain run.
    for (let i = 0; i < 5; i++) {
      await Promise.allSettled(inFlight)
      await pause(5)
    }
  }
  return { node: (id: string) => nodes.get(id) as Node, location, click }
}

describe("the page script", () => {
  it("shows the payment details of the chosen coin, then redirects with the transaction after pay-full", async () => {
    const { id, url } = await session({ order_id: "ORD-VM-1", redirect: "https://shop.example/done" })
    const ui = runPage((await page(url)).html)
    ui.node("coin").value = "eth"
    await ui.click("show")
    expect(ui.node("details").hidden).toBe(false)
    expect(ui.node("crypto-amount").textContent).toBe("0.01562187 ETH")
    expect(ui.node("address").textContent).toMatch(/^0x[0-9a-f]{40}$/)

    await ui.click("pay-full")
    const target = new URL(ui.location.href)
    expect(target.origin + target.pathname).toBe("https://shop.example/done")
    expect(target.searchParams.get("external_reference")).toBe("ORD-VM-1")
    expect(target.searchParams.get("cryptocurrency")).toBe("eth")
    expect(sim.state().sessions.find((s) => s.checkout_id === id)?.status).toBe("paid")
  })

  it("shows Underpaid and a link back after pay-under", async () => {
    const { url } = await session({ redirect: "https://shop.example/done" })
    const ui = runPage((await page(url)).html)
    await ui.click("pay-under")
    expect(ui.location.href).toBe("")
    expect(ui.node("result").hidden).toBe(false)
    expect(ui.node("result").textContent).toBe("Underpaid")
    expect(ui.node("back").hidden).toBe(false)
    expect(ui.node("back").href).toBe("https://shop.example/done")
    expect(sim.state().transactions[0].status).toBe("X")
  })

  it("redirects with payment_status=cancelled after abandon, deleting the pending row", async () => {
    const { url } = await session({ redirect: "https://shop.example/done" })
    const ui = runPage((await page(url)).html)
    await ui.click("show")
    expect(sim.state().transactions).toHaveLength(1)
    await ui.click("abandon")
    expect(ui.location.href).toBe("https://shop.example/done?payment_status=cancelled")
    expect(sim.state().transactions).toHaveLength(0)
  })

  it("shows the refusal when the session expired while the page was open", async () => {
    const { url } = await session()
    const ui = runPage((await page(url)).html)
    sim.advanceTime(3600_000 * TIME_SCALE)
    await ui.click("pay-full")
    expect(ui.node("error").hidden).toBe(false)
    expect(ui.node("error").textContent).toMatch(/expired/)
    expect(ui.node("pay-full").disabled).toBe(false)
  })

  it("says Paid in place when the session has no redirect", async () => {
    const { url } = await session()
    const ui = runPage((await page(url)).html)
    await ui.click("pay-full")
    expect(ui.node("result").textContent).toBe("Paid")
    expect(ui.node("back").hidden).toBe(true)
  })
})
