import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import axios from "axios"
import { chromium, Browser, BrowserContext, Page } from "playwright-core"
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from "../../scripts/demo-config"

jest.setTimeout(300_000)

const STATE_FILE = path.join(os.tmpdir(), "medusa-payments-browser-tests.json")
const SHOTS = path.join(__dirname, "../../artifacts/screenshots")

type Ports = { medusa: number; storefront: number; qfpay: number; quantapay: number; qbitpay: number }
const { ports } = JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as { ports: Ports }
const STOREFRONT = `http://localhost:${ports.storefront}`
const MEDUSA = `http://localhost:${ports.medusa}`

let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true })
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  })
})

afterAll(async () => {
  await browser?.close()
})

beforeEach(async () => {
  // A fresh context per test: its own localStorage, so its own cart.
  context = await browser.newContext({ viewport: { width: 1200, height: 860 } })
  page = await context.newPage()
  page.setDefaultTimeout(45_000)
})

afterEach(async () => {
  await context?.close()
})

const t = (id: string, p: Page = page) => p.getByTestId(id)
const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(SHOTS, `browser-${name}.png`), fullPage: true })

async function adminToken(): Promise<string> {
  const { data } = await axios.post(`${MEDUSA}/auth/user/emailpass`, { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD })
  return data.token
}

async function adminOrderByDisplayId(displayId: string) {
  const token = await adminToken()
  const { data } = await axios.get(`${MEDUSA}/admin/orders`, {
    headers: { authorization: `Bearer ${token}` },
    params: { q: displayId, fields: "id,display_id,payment_status,*payment_collections,*payment_collections.payments,*payment_collections.payments.refunds", limit: 50 },
  })
  return (data.orders as any[]).find((o) => String(o.display_id) === displayId.replace(/^#/, ""))
}

/** From the shop to the payment step: region, products, address, shipping. */
async function toPaymentStep(region: "hk" | "us", products: string[]) {
  await page.goto(`${STOREFRONT}/`)
  await page.waitForSelector("body[data-ready=true]")
  await t("region-select").selectOption({ label: region === "hk" ? "Hong Kong (HKD)" : "United States (USD)" })
  for (const p of products) {
    await t(`add-to-cart-${p}`).click()
    await t(`cart-item-${p}`).waitFor()
  }
  await t("checkout-button").click()
  await t("email").fill("ada@example.test")
  await t("first-name").fill("Ada")
  await t("last-name").fill("Lee")
  await t("address-1").fill(region === "hk" ? "88 Queensway" : "1 Market St")
  await t("city").fill(region === "hk" ? "Admiralty" : "San Francisco")
  await t("postal-code").fill(region === "hk" ? "000000" : "94105")
  await t("save-address").click()
  await t("shipping-option-0").check()
  await t("payment-step").waitFor()
}

/** Waits until the order page's payment line says `text` (it follows an order that awaits its payment). */
async function paymentStatusShows(text: string, timeout = 60_000) {
  await page.waitForFunction(
    (wanted) => (document.querySelector("[data-testid=order-payment-status]")?.textContent ?? "").toLowerCase().includes(wanted),
    text,
    { timeout }
  )
}

async function expectConfirmation(name: string): Promise<string> {
  await t("order-confirmation").waitFor({ timeout: 60_000 })
  const displayId = ((await t("order-display-id").textContent()) ?? "").trim()
  expect(displayId).toMatch(/^#?\d+$/)
  await paymentStatusShows("captured")
  expect((await t("order-payment-status").textContent())?.toLowerCase()).toContain("captured")
  await shot(`${name}-order`)
  const order = await adminOrderByDisplayId(displayId)
  expect(order?.payment_status).toBe("captured")
  return displayId
}

describe("demo storefront in Chromium", () => {
  it("QFPay hosted checkout: product page to order confirmation", async () => {
    await toPaymentStep("hk", ["harbour-hoodie", "jade-tea-cup"])
    await t("payment-provider-pp_qfpay_qfpay").check()
    await shot("qfpay-hosted-payment-step")
    await t("pay-button").click()
    await page.waitForURL(new RegExp(`:${ports.qfpay}/checkstand`))
    await t("qf-pay").waitFor()
    await shot("qfpay-hosted-checkstand")
    await t("qf-pay").click()
    await page.waitForURL(/\/checkout\/return/)
    await expectConfirmation("qfpay-hosted")
  })

  it("QFPay QR code: rendered locally, paid through 'Simulate scan'", async () => {
    await toPaymentStep("hk", ["neon-sign-poster"])
    await t("payment-provider-pp_qfpay_qfpay-direct").check()
    await t("qfpay-pay-type").selectOption("802001")
    await t("pay-button").click()
    await t("qr-image").waitFor()
    await page.waitForFunction(() => (document.querySelector("[data-testid=qr-image]") as HTMLImageElement | null)?.naturalWidth! > 0)
    await shot("qfpay-qr-code")
    const [wallet] = await Promise.all([context.waitForEvent("page"), t("simulate-scan").click()])
    await t("qf-pay", wallet).click()
    await page.waitForURL(/\/checkout\/return/, { timeout: 60_000 })
    await expectConfirmation("qfpay-qr")
  })

  it("QuantaPay: pick a coin and pay in full on the hosted page", async () => {
    await toPaymentStep("us", ["harbour-hoodie"])
    await t("payment-provider-pp_quantapay_quantapay").check()
    await t("pay-button").click()
    await page.waitForURL(new RegExp(`:${ports.quantapay}/pay\\.php`))
    await t("qp-coin").selectOption({ index: 0 })
    await t("qp-select").click()
    await t("qp-details").waitFor()
    await shot("quantapay-page")
    await t("qp-pay-full").click()
    await page.waitForURL(/\/checkout\/return/)
    await expectConfirmation("quantapay")
  })

  it("QuantaPay with the order first: the order awaits its payment, then shows paid when the coins arrive", async () => {
    await toPaymentStep("us", ["neon-sign-poster"])
    await t("payment-provider-pp_quantapay_quantapay").check()
    await t("pay-button").click()
    await page.waitForURL(new RegExp(`:${ports.quantapay}/pay\\.php`))
    await t("qp-coin").selectOption({ index: 0 })
    await t("qp-select").click()
    await t("qp-details").waitFor()
    // The shopper goes back to the shop before the coins are confirmed: the order is already there.
    await page.goto(`${STOREFRONT}/checkout/return`)
    await t("order-confirmation").waitFor({ timeout: 60_000 })
    await paymentStatusShows("awaiting payment")
    expect(await t("order-awaiting").isVisible()).toBe(true)
    await shot("quantapay-order-awaiting-payment")
    const displayId = ((await t("order-display-id").textContent()) ?? "").trim()
    expect((await adminOrderByDisplayId(displayId))?.payment_status).not.toBe("captured")
    // The chain confirms; QuantaPay completes the transaction and sends its webhook.
    const sim = await axios.get(`http://localhost:${ports.quantapay}/__sim/state`)
    const pending = (sim.data.transactions as any[]).filter((tx) => tx.status === "P").pop()
    await axios.post(`http://localhost:${ports.quantapay}/__sim/transactions/${pending.id}/pay`, { outcome: "full" })
    await paymentStatusShows("captured")
    expect(await t("order-awaiting").isVisible()).toBe(false)
    await shot("quantapay-order-paid")
    expect((await adminOrderByDisplayId(displayId))?.payment_status).toBe("captured")
  })

  it("Qbit Pay: pay on the H5 page", async () => {
    await toPaymentStep("us", ["jade-tea-cup"])
    await t("payment-provider-pp_qbitpay_qbitpay").check()
    await t("pay-button").click()
    await page.waitForURL(new RegExp(`:${ports.qbitpay}/h5`))
    await t("qb-pay").waitFor()
    await shot("qbitpay-page")
    await t("qb-pay").click()
    await page.waitForURL(/\/checkout\/return/)
    await expectConfirmation("qbitpay")
  })

  it("a failed QFPay payment is shown to the shopper, and a retry then succeeds", async () => {
    await toPaymentStep("hk", ["jade-tea-cup"])
    await t("payment-provider-pp_qfpay_qfpay").check()
    await t("pay-button").click()
    await t("qf-fail").click()
    await page.waitForURL(/\/checkout\/return/)
    await t("return-failure").waitFor()
    expect((await t("return-error").textContent())?.length).toBeGreaterThan(5)
    await shot("qfpay-failed-shown")
    await t("return-try-again").click()
    await page.waitForURL(new RegExp(`:${ports.qfpay}/checkstand`))
    await t("qf-pay").click()
    await page.waitForURL(/\/checkout\/return/)
    await expectConfirmation("qfpay-after-retry")
  })

  it("a failed QR wallet payment is shown while the QR is up, and a retry then succeeds", async () => {
    await toPaymentStep("hk", ["dim-sum-pin"])
    await t("payment-provider-pp_qfpay_qfpay-direct").check()
    await t("pay-button").click()
    const [wallet] = await Promise.all([context.waitForEvent("page"), t("simulate-scan").click()])
    await t("qf-fail", wallet).click()
    await wallet.close()
    // QFPay never notifies failures: the page learns it by completing the cart, which asks QFPay.
    await t("payment-error").waitFor({ timeout: 60_000 })
    await shot("qfpay-qr-failed-shown")
    await t("try-again").click()
    const [wallet2] = await Promise.all([context.waitForEvent("page"), t("simulate-scan").click()])
    await t("qf-pay", wallet2).click()
    await page.waitForURL(/\/checkout\/return/, { timeout: 60_000 })
    await expectConfirmation("qfpay-qr-after-retry")
  })

  it("the admin dashboard shows the QFPay order's payment and refunds it", async () => {
    // An order to look at.
    await toPaymentStep("hk", ["harbour-hoodie"])
    await t("payment-provider-pp_qfpay_qfpay").check()
    await t("pay-button").click()
    await t("qf-pay").click()
    await page.waitForURL(/\/checkout\/return/)
    const displayId = await expectConfirmation("admin-order-source")
    const order = await adminOrderByDisplayId(displayId)
    const payment = order.payment_collections[0].payments[0]

    // The dashboard compiles on first visit: wait generously.
    await page.goto(`${MEDUSA}/app`, { timeout: 240_000 })
    await page.locator("input[name=email]").waitFor({ timeout: 240_000 })
    await page.locator("input[name=email]").fill(DEMO_ADMIN_EMAIL)
    await page.locator("input[name=password]").fill(DEMO_ADMIN_PASSWORD)
    await page.locator("button[type=submit]").click()
    await page.waitForURL(/\/app\/orders/, { timeout: 120_000 })
    await page.goto(`${MEDUSA}/app/orders/${order.id}`)
    await page.getByText(`#${displayId.replace(/^#/, "")}`).first().waitFor({ timeout: 120_000 })
    await page.getByText(/captured/i).first().waitFor({ timeout: 60_000 })
    await shot("admin-order-payment")

    // The dashboard's own refund form for this payment.
    await page.goto(`${MEDUSA}/app/orders/${order.id}/refund?paymentId=${payment.id}`)
    const amount = page.locator("input[name=amount]")
    await amount.waitFor({ timeout: 60_000 })
    await amount.fill("10")
    await shot("admin-refund-form")
    await page.getByRole("button", { name: /^(save|confirm|refund)$/i }).last().click()
    const token = await adminToken()
    const refunds = await (async () => {
      for (let i = 0; i < 60; i++) {
        const { data } = await axios.get(`${MEDUSA}/admin/payments/${payment.id}?fields=id,*refunds`, { headers: { authorization: `Bearer ${token}` } })
        if (data.payment.refunds?.length) return data.payment.refunds
        await page.waitForTimeout(500)
      }
      return []
    })()
    await shot("admin-after-refund")
    expect(refunds).toHaveLength(1)
    expect(Number(refunds[0].amount)).toBe(10)
    const sim = await axios.get(`http://localhost:${ports.qfpay}/__sim/state`)
    const atQfpay = (sim.data.transactions as any[]).filter((t) => t.order_type === "refund" && t.txamt === "1000")
    expect(atQfpay.length).toBeGreaterThanOrEqual(1)
  })
})
