import axios from "axios"
import type { Browser, BrowserContext, Page } from "playwright-core"
import {
  adminOrderByDisplayId,
  byTestId,
  expectConfirmation as confirmation,
  launchChromium,
  paymentStatusShows as statusShows,
  ports,
  shot as screenshot,
  STOREFRONT,
  toPaymentStep as shopToPaymentStep,
} from "./helpers"

jest.setTimeout(300_000)

let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  browser = await launchChromium()
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

const t = (id: string, p: Page = page) => byTestId(p, id)
const shot = (name: string) => screenshot(page, name)
const toPaymentStep = (region: "hk" | "us", products: string[]) => shopToPaymentStep(page, region, products)
const paymentStatusShows = (text: string) => statusShows(page, text)
const expectConfirmation = (name: string) => confirmation(page, name)

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

  /** From the cart to QuantaPay's hosted page with a coin chosen and its payment details shown. */
  async function toQuantapayCoinDetails(product: string) {
    await toPaymentStep("us", [product])
    await t("payment-provider-pp_quantapay_quantapay").check()
    await t("pay-button").click()
    await page.waitForURL(new RegExp(`:${ports.quantapay}/pay\\.php`))
    await t("qp-coin").selectOption({ index: 0 })
    await t("qp-select").click()
    await t("qp-details").waitFor()
  }

  it("QuantaPay: pick a coin and pay in full on the hosted page", async () => {
    await toQuantapayCoinDetails("harbour-hoodie")
    await shot("quantapay-page")
    await t("qp-pay-full").click()
    await page.waitForURL(/\/checkout\/return/)
    await expectConfirmation("quantapay")
  })

  it("QuantaPay with the order first: the order awaits its payment, then shows paid when the coins arrive", async () => {
    await toQuantapayCoinDetails("neon-sign-poster")
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
})
