import axios from "axios"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { DEMO_SIMULATOR_CREDENTIALS } from "../../scripts/demo-config"
import { qfpayPortalRefund } from "../helpers/gateways"
import {
  adminApi,
  adminOrderByDisplayId,
  apiShopper,
  byTestId,
  eventually,
  expectConfirmation,
  launchChromium,
  loginToDashboard,
  MEDUSA,
  ports,
  restartDemo,
  shot,
  toPaymentStep,
} from "./helpers"

jest.setTimeout(600_000)

/**
 * The merchant in the real Medusa dashboard with this plugin's admin extensions: the gateway payment widget
 * on QFPay and QuantaPay orders, a refund owed by the merchant marked paid back (and still so after Medusa
 * restarts), the "Gateway payments" page listing an orphaned payment and a refund owed, "Check with gateway"
 * capturing a payment whose webhook never came, and a refund made at QFPay's side appearing on the order.
 * Screenshots go to artifacts/screenshots/browser-admin-*.png.
 */
const QFPAY_URL = `http://localhost:${ports.qfpay}`
const QUANTAPAY_URL = `http://localhost:${ports.quantapay}`

let browser: Browser
let dashboard: BrowserContext
let page: Page

beforeAll(async () => {
  browser = await launchChromium()
  await openDashboard()
})

afterAll(async () => {
  await browser?.close()
})

/** A logged-in dashboard (again after a restart: Medusa's sessions do not outlive it). */
async function openDashboard() {
  await dashboard?.close()
  dashboard = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  await loginToDashboard(dashboard)
  page = await dashboard.newPage()
  page.setDefaultTimeout(60_000)
}

const t = (id: string) => byTestId(page, id)
/** A screenshot with the gateway payment card (or the page's list) in view: the dashboard scrolls inside its own frame. */
async function adminShot(name: string) {
  for (const id of ["gateway-payment-widget", "gateway-payments-page"]) {
    const el = t(id)
    if (await el.count()) await el.first().scrollIntoViewIfNeeded()
  }
  await shot(page, `admin-${name}`)
}

async function openOrder(orderId: string) {
  await page.goto(`${MEDUSA}/app/orders/${orderId}`)
  await t("gateway-payment-widget").waitFor({ timeout: 120_000 })
}

/** The dashboard's own refund form for the order's payment. */
async function refundInDashboard(orderId: string, paymentId: string, amount: string) {
  await page.goto(`${MEDUSA}/app/orders/${orderId}/refund?paymentId=${paymentId}`)
  const input = page.locator("input[name=amount]")
  await input.waitFor({ timeout: 60_000 })
  await input.fill(amount)
  await page.getByRole("button", { name: /^(save|confirm|refund)$/i }).last().click()
  await eventually("the refund in Medusa", async () => {
    const admin = await adminApi()
    const { data } = await admin.get(`/admin/payments/${paymentId}?fields=id,*refunds`)
    return data.payment.refunds?.length > 0 && data.payment.refunds
  })
}

async function orderPayment(orderId: string) {
  const admin = await adminApi()
  const { data } = await admin.get(`/admin/orders/${orderId}?fields=id,payment_status,*payment_collections,*payment_collections.payments,*payment_collections.payments.refunds`)
  return { order: data.order, payment: data.order.payment_collections[0].payments[0] }
}

async function captured(orderId: string) {
  return eventually("the order's payment captured", async () => (await orderPayment(orderId)).order.payment_status === "captured", 60_000)
}

/** A QuantaPay order through the store API: placed first, paid at the simulator's hosted page. */
async function quantapayOrder(opts: { webhook?: boolean } = {}) {
  const shopper = apiShopper()
  const cartId = await shopper.cart("us")
  const session = await shopper.session(cartId, "pp_quantapay_quantapay")
  const completed = await shopper.complete(cartId)
  expect(completed.data.type).toBe("order")
  if (opts.webhook === false) await axios.post(`${QUANTAPAY_URL}/__sim/faults`, { target: "webhook", mode: "suppress", times: 1 })
  await axios.post(`${QUANTAPAY_URL}/__sim/checkout/${session.data.checkout_id}/pay`, { coin: "eth", outcome: "full" })
  return { orderId: completed.data.order.id as string, session }
}

/** A QFPay direct (QR) order through the store API: paid at the simulator, then the cart completed. */
async function qfpayDirectOrder() {
  const shopper = apiShopper()
  const cartId = await shopper.cart("hk")
  const session = await shopper.session(cartId, "pp_qfpay_qfpay-direct")
  await axios.post(`${QFPAY_URL}/__sim/transactions/${session.data.gateway_reference}/pay`, {})
  const completed = await shopper.complete(cartId)
  expect(completed.data.type).toBe("order")
  await captured(completed.data.order.id)
  return { orderId: completed.data.order.id as string, session }
}

const refundsAtQfpayOf = async (syssn: string) =>
  ((await axios.get(`${QFPAY_URL}/__sim/state`)).data.transactions as any[]).filter((x) => x.order_type === "refund" && x.origssn === syssn)

describe("the Medusa dashboard with the gateway payment extensions", () => {
  let qfpayOrderId: string
  let qfpaySyssn: string

  it("the widget on a QFPay order: reference, pay type, amounts; a refund from the dashboard reaches QFPay", async () => {
    const shopper = await browser.newContext({ viewport: { width: 1200, height: 860 } })
    const shop = await shopper.newPage()
    await toPaymentStep(shop, "hk", ["harbour-hoodie"])
    await byTestId(shop, "payment-provider-pp_qfpay_qfpay").check()
    await byTestId(shop, "pay-button").click()
    await byTestId(shop, "qf-pay").click()
    await shop.waitForURL(/\/checkout\/return/)
    const displayId = await expectConfirmation(shop, "admin-qfpay-source")
    await shopper.close()
    const order = await adminOrderByDisplayId(displayId)
    qfpayOrderId = order.id
    qfpaySyssn = order.payment_collections[0].payments[0].data.gateway_reference

    await openOrder(qfpayOrderId)
    expect(await t("gp-reference").textContent()).toContain(qfpaySyssn)
    expect(await t("gp-status").textContent()).toBe("paid")
    expect(await t("gp-medusa-status").textContent()).toBe("captured")
    expect((await t("gp-method").textContent())?.length).toBeGreaterThan(3)
    expect(await t("gp-charged").textContent()).toMatch(/^\d+\.\d{2} HKD$/)
    expect(await t("gp-received").textContent()).toBe(await t("gp-charged").textContent())
    await adminShot("widget-qfpay")

    await refundInDashboard(qfpayOrderId, order.payment_collections[0].payments[0].id, "10")
    expect(await refundsAtQfpayOf(qfpaySyssn)).toHaveLength(1)
    await openOrder(qfpayOrderId)
    await t("gp-refund-succeeded").waitFor()
    expect(await t("gp-refund-state").first().textContent()).toBe("sent and confirmed by the gateway")
    await adminShot("widget-qfpay-refunded")
  })

  it("the widget on a QuantaPay order: a refund owed by the merchant is marked paid back, and still is after Medusa restarts; the QFPay order of the earlier run can be refunded after it", async () => {
    const { orderId } = await quantapayOrder()
    await captured(orderId)
    await openOrder(orderId)
    expect(await t("gp-method").textContent()).toBe("ETH")
    await adminShot("widget-quantapay")

    const { payment } = await orderPayment(orderId)
    await refundInDashboard(orderId, payment.id, "5")
    await openOrder(orderId)
    await t("gp-refund-manual_pending").waitFor()
    expect(await t("gp-refund-state").textContent()).toMatch(/^owed by the merchant/)
    await adminShot("widget-quantapay-refund-owed")
    await t("gp-paid-back-reference").fill("0x5e11e7b4c4c0ffee")
    await t("gp-paid-back-submit").click()
    await t("gp-refund-paid_back").waitFor()
    expect(await t("gp-refund-paid-back").textContent()).toMatch(/by admin@demo\.local .* reference 0x5e11e7b4c4c0ffee/)
    await adminShot("widget-quantapay-paid-back")

    const restartedInMs = await restartDemo()
    process.stdout.write(`[browser] demo restarted in ${(restartedInMs / 1000).toFixed(1)} s\n`)
    await openDashboard()
    await openOrder(orderId)
    await t("gp-refund-paid_back").waitFor()
    expect(await t("gp-refund-paid-back").textContent()).toContain("0x5e11e7b4c4c0ffee")
    await adminShot("widget-quantapay-paid-back-after-restart")

    // The simulators kept their state: QFPay still knows the payment of the first run.
    const { payment: qfpayPayment } = await orderPayment(qfpayOrderId)
    await refundInDashboard(qfpayOrderId, qfpayPayment.id, "2")
    expect(await refundsAtQfpayOf(qfpaySyssn)).toHaveLength(2)
  })

  it("the Gateway payments page lists an orphaned payment and a refund owed; Run reconciliation now reports what it did", async () => {
    // Orphan: the shopper changes the cart after starting to pay; the coins still arrive for the old checkout.
    const shopper = apiShopper()
    const cartId = await shopper.cart("us")
    const orphanSession = await shopper.session(cartId, "pp_quantapay_quantapay")
    const { data: products } = await axios.get(`${MEDUSA}/store/products?fields=*variants`, { headers: shopper.headers })
    await axios.post(`${MEDUSA}/store/carts/${cartId}/line-items`, { variant_id: products.products[1].variants[0].id, quantity: 1 }, { headers: shopper.headers })
    await axios.post(`${QUANTAPAY_URL}/__sim/checkout/${orphanSession.data.checkout_id}/pay`, { coin: "eth", outcome: "full" })
    // A refund owed by the merchant.
    const { orderId, session: owedSession } = await quantapayOrder()
    await captured(orderId)
    const admin = await adminApi()
    await admin.post(`/admin/payments/${(await orderPayment(orderId)).payment.id}/refund`, { amount: 4 })

    await page.goto(`${MEDUSA}/app/gateway-payments`)
    await t("gateway-payments-page").waitFor({ timeout: 120_000 })
    expect(await page.getByRole("link", { name: "Gateway payments" }).count()).toBeGreaterThan(0)
    const orphanRow = page.locator("[data-testid=pp-item-orphaned]", { hasText: orphanSession.data.merchant_order_id })
    // The orphan is recorded when its webhook is processed (a few seconds): reload until it is listed.
    await eventually("the orphan listed", async () => {
      await page.reload()
      await page.waitForFunction(() => !/Loading/.test(document.querySelector("[data-testid=pp-count]")?.textContent ?? "Loading"))
      return (await orphanRow.count()) > 0
    })
    const owedRow = page.locator("[data-testid=pp-item-refund_owed]", { hasText: owedSession.data.merchant_order_id })
    await owedRow.waitFor()
    expect(await owedRow.textContent()).toContain("4.00 USD")
    expect(await orphanRow.textContent()).toContain("shopper@example.test")
    await adminShot("payments-page")

    await t("pp-kind").selectOption("orphaned")
    await orphanRow.waitFor()
    await owedRow.waitFor({ state: "detached" })
    await t("pp-kind").selectOption("")
    await t("pp-reconcile").click()
    await t("pp-report").waitFor()
    expect(await t("pp-report").textContent()).toMatch(/asked the gateways about \d+ payment/)
    await adminShot("payments-page-reconciled")
  })

  it("'Check with gateway' captures a payment that arrived without its webhook", async () => {
    const { orderId } = await quantapayOrder({ webhook: false })
    expect((await orderPayment(orderId)).order.payment_status).not.toBe("captured")
    await openOrder(orderId)
    expect(await t("gp-status").textContent()).toBe("open")
    expect(await t("gp-medusa-status").textContent()).toBe("pending_authorization")
    await adminShot("check-with-gateway-before")
    await t("gp-check").click()
    await t("gp-check-outcome").waitFor()
    expect(await t("gp-check-outcome").textContent()).toBe("paid: the order's payment is captured")
    await eventually("the widget showing the capture", async () => (await t("gp-medusa-status").textContent()) === "captured")
    expect((await orderPayment(orderId)).order.payment_status).toBe("captured")
    await page.reload()
    await t("gateway-payment-widget").waitFor()
    await page.getByText(/captured/i).first().waitFor()
    await adminShot("check-with-gateway-after")
  })

  it("a refund made at QFPay's side (its API, as the portal does) appears on the order", async () => {
    const { orderId, session } = await qfpayDirectOrder()
    const reference = await qfpayPortalRefund(QFPAY_URL, DEMO_SIMULATOR_CREDENTIALS.qfpay, session.data.gateway_reference, "500")
    const refunds = await eventually("the portal refund on the order", async () => {
      const { payment } = await orderPayment(orderId)
      return payment.refunds?.length === 1 && payment.refunds
    })
    expect(Number(refunds[0].amount)).toBe(5)
    await openOrder(orderId)
    await t("gp-refund-succeeded").waitFor()
    expect(await t("gp-refunds").textContent()).toContain(reference)
    expect(await t("gp-refunds").textContent()).toContain("made at the gateway")
    expect(await refundsAtQfpayOf(session.data.gateway_reference)).toHaveLength(1)
    await adminShot("portal-refund-on-order")
  })
})
