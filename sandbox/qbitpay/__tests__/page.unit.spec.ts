/**
 * The hosted H5 page: served HTML, its token-guarded API, and its script run in node:vm against a live
 * simulator with a tiny stand-in DOM keyed by data-testid (no browser needed).
 */
import vm from "node:vm"
import { h5PageHtml } from "../page.html"
import { startQbitpaySimulator, type QbitpaySimulator } from "../server"
import { KEY_A, KEY_B, Receiver, chargeBody, client, eventually } from "./helpers"

let sim: QbitpaySimulator
let receiver: Receiver
const api = client(() => sim.url)

beforeAll(async () => {
  receiver = await Receiver.start()
  sim = await startQbitpaySimulator({ merchants: [{ apiKey: KEY_A }, { apiKey: KEY_B }] })
})
afterAll(async () => {
  await sim.close()
  await receiver.stop()
})

const tokenFor = async (key = KEY_A): Promise<string> => (await api.get("/api/v1/accessToken", { key })).data.accessToken
const newCharge = async (key = KEY_A) => (await api.post("/api/v1/charges", chargeBody({ cbUrl: receiver.url }), { key })).data

/** A stand-in for one element: the properties the page script touches. */
class Node {
  hidden: boolean
  disabled = false
  textContent: string
  private readonly handlers: Array<() => void> = []
  constructor(tag: string, text: string) {
    this.hidden = /\shidden(\s|>|=)/.test(tag)
    this.textContent = text
  }
  addEventListener(_type: string, handler: () => void): void {
    this.handlers.push(handler)
  }
  click(): void {
    if (!this.disabled) this.handlers.forEach((h) => h())
  }
}

/** Runs the page's script as a browser would at `pageUrl` (hash included); fetch goes to the simulator. */
function openPage(pageUrl: string, html = h5PageHtml()) {
  const nodes = new Map<string, Node>()
  for (const m of html.matchAll(/(<[a-z]+[^>]*\bdata-testid="([^"]+)"[^>]*>)([^<]*)/g)) nodes.set(m[2], new Node(m[1], m[3]))
  const script = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join("\n")
  const url = new URL(pageUrl)
  const location = { hash: url.hash, search: url.search, href: pageUrl }
  const inflight: Array<Promise<unknown>> = []
  vm.runInNewContext(script, {
    document: {
      querySelector: (selector: string) => nodes.get(/^\[data-testid="([^"]+)"\]$/.exec(selector)?.[1] ?? "") ?? null,
    },
    location,
    fetch: (path: string, init: RequestInit) => {
      const call = fetch(new URL(path, pageUrl), init)
      inflight.push(call)
      return call
    },
    JSON,
    Object,
    String,
    Error,
    decodeURIComponent,
    encodeURIComponent,
  })
  const idle = async (): Promise<void> => {
    for (let round = 0; round < 6; round++) {
      await Promise.allSettled(inflight)
      await new Promise((r) => setTimeout(r, 5))
    }
  }
  const node = (testId: string): Node => {
    const found = nodes.get(testId)
    if (!found) throw new Error(`no element ${testId}`)
    return found
  }
  return { node, location, idle }
}

describe("GET /h5/ (the page)", () => {
  it("serves self-contained HTML with the documented test ids and no external scripts", async () => {
    const res = await fetch(`${sim.url}/h5/?zh`)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toMatch(/text\/html/)
    const html = await res.text()
    for (const id of ["qb-pay", "qb-fail", "qb-dispute", "qb-expire", "qb-result", "qb-error"]) {
      expect(html).toContain(`data-testid="${id}"`)
    }
    expect(html).not.toMatch(/<script[^>]+src=/)
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/)
  })

  it("redirects /h5 to /h5/ keeping the query", async () => {
    const res = await fetch(`${sim.url}/h5?zh`, { redirect: "manual" })
    expect(res.status).toBe(302)
    expect(res.headers.get("location")).toBe("/h5/?zh")
  })

  it("v1 style: a Bearer header on the page request is checked (401 page with the error when invalid)", async () => {
    const ok = await fetch(`${sim.url}/h5/?zh`, { headers: { Authorization: `Bearer ${await tokenFor()}` } })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('"token":"')
    const bad = await fetch(`${sim.url}/h5/?zh`, { headers: { Authorization: "Bearer forged.token.value" } })
    expect(bad.status).toBe(401)
    expect(await bad.text()).toContain("Invalid or expired access token")
  })
})

describe("page API (/h5/api/charges/:id, Bearer access token)", () => {
  const pageGet = (id: string, token?: string) =>
    fetch(`${sim.url}/h5/api/charges/${id}`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } })

  it("returns the charge for a valid token of its merchant", async () => {
    const charge = await newCharge()
    const res = await pageGet(charge.id, await tokenFor())
    expect(res.status).toBe(200)
    expect((await res.json()).charge).toEqual(charge)
  })

  it("answers 401 without a token, with a forged or tampered one, and with an API key instead", async () => {
    const charge = await newCharge()
    const token = await tokenFor()
    const [h, p] = token.split(".")
    const claims = JSON.parse(Buffer.from(p, "base64url").toString())
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, expMs: claims.expMs + 1 })).toString("base64url")}.${token.split(".")[2]}`
    for (const bad of [undefined, "x", `${token}x`, tampered, KEY_A]) {
      const res = await pageGet(charge.id, bad)
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual({ type: "authentication_error" })
    }
  })

  it("binds the token to its merchant: another merchant's charge is 404", async () => {
    const theirs = await newCharge(KEY_B)
    expect((await pageGet(theirs.id, await tokenFor(KEY_A))).status).toBe(404)
    expect((await pageGet(theirs.id, await tokenFor(KEY_B))).status).toBe(200)
  })

  it("rejects a token after 30 days (simulator clock)", async () => {
    const charge = await newCharge()
    const token = await tokenFor()
    sim.advanceTime(30 * 24 * 3_600_000)
    expect((await pageGet(charge.id, token)).status).toBe(401)
    expect((await pageGet(charge.id, await tokenFor())).status).toBe(200)
  })

  it("POST actions need the token too and report wrong states as 409", async () => {
    const charge = await newCharge()
    const post = (action: string, token?: string) =>
      fetch(`${sim.url}/h5/api/charges/${charge.id}/${action}`, { method: "POST", headers: token ? { Authorization: `Bearer ${token}` } : {} })
    expect((await post("pay")).status).toBe(401)
    const token = await tokenFor()
    expect((await post("close-dispute", token)).status).toBe(404)
    expect((await post("pay", token)).status).toBe(200)
    const again = await post("fail", token)
    expect(again.status).toBe(409)
    expect((await again.json()).message).toMatch(/closed/)
  })
})

describe("the page script", () => {
  const pageUrl = (id: string, token?: string, where: "hash" | "query" = "hash") => {
    const base = `${sim.url}/h5/?zh`
    if (where === "query") return `${base}&accessToken=${token}#/otc/payment?tradeId=${id}`
    return `${base}#/otc/payment?tradeId=${id}${token === undefined ? "" : `&accessToken=${token}`}`
  }

  it("shows the charge, pays it (closed + charge.succeeded) and redirects to redirectUrl as is", async () => {
    const charge = await newCharge()
    const page = openPage(pageUrl(charge.id, await tokenFor()))
    await page.idle()
    expect(page.node("qb-error").hidden).toBe(true)
    expect(page.node("qb-charge").hidden).toBe(false)
    expect(page.node("qb-amount").textContent).toBe("100")
    expect(page.node("qb-currency").textContent).toBe("USD")
    expect(page.node("qb-status").textContent).toBe("pending")

    page.node("qb-pay").click()
    await page.idle()
    expect(page.node("qb-result").textContent).toBe("Paid")
    expect(page.node("qb-status").textContent).toBe("closed")
    expect(page.location.href).toBe("https://shop.example/return?o=1")
    expect((await api.get(`/api/v1/charges/${charge.id}`)).data).toMatchObject({ status: "closed", paid: true })
    await eventually(() => receiver.events().some((e) => e.type === "charge.succeeded" && e.data.id === charge.id))
  })

  it.each([
    ["qb-fail", "Payment failed", "cancelled", "charge.failed"],
    ["qb-expire", "Expired", "cancelled", "charge.expired"],
    ["qb-dispute", "Dispute opened", "dispute", "charge.dispute.created"],
  ])("%s shows %s and does not redirect", async (button, text, status, eventType) => {
    const charge = await newCharge()
    const url = pageUrl(charge.id, await tokenFor(), "query")
    const page = openPage(url)
    await page.idle()
    page.node(button).click()
    await page.idle()
    expect(page.node("qb-result").textContent).toBe(text)
    expect(page.node("qb-status").textContent).toBe(status)
    expect(page.node("qb-pay").disabled).toBe(status !== "pending" && status !== "buyerPaid")
    expect(page.location.href).toBe(url)
    await eventually(() => receiver.events().some((e) => e.type === eventType && e.data.id === charge.id))
  })

  it.each([
    ["an invalid token", (id: string) => pageUrl(id, "not-a-token"), "Invalid or expired access token"],
    ["no token", (id: string) => pageUrl(id), "Missing access token"],
    ["no tradeId", () => `${sim.url}/h5/?zh#/otc/payment?accessToken=x`, "Missing tradeId"],
    ["an unknown route", () => `${sim.url}/h5/?zh#/otc/elsewhere`, "Unknown page"],
  ])("shows qb-error for %s", async (_what, build, message) => {
    const charge = await newCharge()
    const page = openPage(build(charge.id))
    await page.idle()
    expect(page.node("qb-error").hidden).toBe(false)
    expect(page.node("qb-error").textContent).toContain(message)
    expect(page.node("qb-charge").hidden).toBe(true)
  })

  it("uses a token embedded from the Bearer page request (v1) and reports the server's refusal", async () => {
    const charge = await newCharge()
    const embedded = openPage(pageUrl(charge.id), h5PageHtml({ token: await tokenFor() }))
    await embedded.idle()
    expect(embedded.node("qb-status").textContent).toBe("pending")

    const refused = openPage(pageUrl(charge.id), h5PageHtml({ error: "Invalid or expired access token" }))
    await refused.idle()
    expect(refused.node("qb-error").textContent).toBe("Invalid or expired access token")

    sim.act(charge.id, "pay")
    const late = openPage(pageUrl(charge.id, await tokenFor()))
    await late.idle()
    late.node("qb-pay").disabled = false // a stale page whose buttons were still enabled
    late.node("qb-pay").click()
    await late.idle()
    expect(late.node("qb-error").hidden).toBe(false)
    expect(late.node("qb-error").textContent).toMatch(/closed/)
  })
})
