import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import axios, { type AxiosInstance } from "axios"
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core"
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD } from "../../scripts/demo-config"
import { demoShopper, type Seeded } from "../helpers/demo-shop"

/**
 * What the browser suites share: where global-setup's demo runs (and how to restart it), Chromium, the
 * storefront's checkout steps, the dashboard's login, and the admin API to check what the pages showed.
 */
const STATE_FILE = path.join(os.tmpdir(), "medusa-payments-browser-tests.json")
export const SHOTS = path.join(__dirname, "../../artifacts/screenshots")

export type Ports = { medusa: number; storefront: number; qfpay: number; quantapay: number; qbitpay: number }
const state = JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as { ports: Ports; dataDir: string; controlUrl: string; databaseUrl: string }
export const ports = state.ports
/** A PostgreSQL server (no database name) for stores a test makes itself. */
export const TEST_DATABASE_URL = state.databaseUrl
export const STOREFRONT = `http://localhost:${ports.storefront}`
export const MEDUSA = `http://localhost:${ports.medusa}`

export async function launchChromium(): Promise<Browser> {
  fs.mkdirSync(SHOTS, { recursive: true })
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  })
}

export const byTestId = (page: Page, id: string) => page.getByTestId(id)
export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `browser-${name}.png`), fullPage: true })

/** The demo store's seed (publishable key, regions), as the demo wrote it into its data folder. */
export function demoSeed(): Seeded {
  return JSON.parse(fs.readFileSync(path.join(state.dataDir, "demo.json"), "utf8")) as Seeded
}

/** A shopper on the demo's store API (carts, sessions, completing), without the storefront's pages. */
export function apiShopper() {
  return demoShopper(axios.create({ baseURL: MEDUSA }), demoSeed())
}

/** Restarts the demo on the same data folder (Medusa, the simulators, PostgreSQL), as a merchant would. */
export async function restartDemo(): Promise<number> {
  const { data } = await axios.post(`${state.controlUrl}/restart`, {}, { timeout: 300_000 })
  return data.restartedInMs as number
}

export async function adminToken(): Promise<string> {
  const { data } = await axios.post(`${MEDUSA}/auth/user/emailpass`, { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD })
  return data.token
}

/** The admin API as the demo's admin user. */
export async function adminApi(): Promise<AxiosInstance> {
  return axios.create({ baseURL: MEDUSA, headers: { authorization: `Bearer ${await adminToken()}` } })
}

export async function adminOrderByDisplayId(displayId: string) {
  const admin = await adminApi()
  const { data } = await admin.get(`/admin/orders`, {
    params: { q: displayId, fields: "id,display_id,payment_status,*payment_collections,*payment_collections.payments,*payment_collections.payments.refunds", limit: 50 },
  })
  return (data.orders as any[]).find((o) => String(o.display_id) === displayId.replace(/^#/, ""))
}

/** Polls `read` until it answers something truthy (the dashboard and webhooks settle in their own time). */
export async function eventually<T>(what: string, read: () => Promise<T | undefined | false | null>, timeoutMs = 60_000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await read()
    if (value) return value
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** From the shop to the payment step: region, products, address, shipping. */
export async function toPaymentStep(page: Page, region: "hk" | "us", products: string[]) {
  const t = (id: string) => byTestId(page, id)
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
export async function paymentStatusShows(page: Page, text: string, timeout = 60_000) {
  await page.waitForFunction(
    (wanted) => (document.querySelector("[data-testid=order-payment-status]")?.textContent ?? "").toLowerCase().includes(wanted),
    text,
    { timeout }
  )
}

/** The storefront's confirmation page for a captured order; returns its display id. */
export async function expectConfirmation(page: Page, name: string): Promise<string> {
  await byTestId(page, "order-confirmation").waitFor({ timeout: 60_000 })
  const displayId = ((await byTestId(page, "order-display-id").textContent()) ?? "").trim()
  expect(displayId).toMatch(/^#?\d+$/)
  await paymentStatusShows(page, "captured")
  expect((await byTestId(page, "order-payment-status").textContent())?.toLowerCase()).toContain("captured")
  await shot(page, `${name}-order`)
  const order = await adminOrderByDisplayId(displayId)
  expect(order?.payment_status).toBe("captured")
  return displayId
}

/**
 * Logs in to the dashboard and keeps the session in `context`. The dashboard is compiled on its first visit
 * after each start of Medusa: wait generously.
 */
export async function loginToDashboard(context: BrowserContext, medusaUrl = MEDUSA): Promise<void> {
  const page = await context.newPage()
  await page.goto(`${medusaUrl}/app`, { timeout: 240_000 })
  await page.locator("input[name=email]").waitFor({ timeout: 240_000 })
  await page.locator("input[name=email]").fill(DEMO_ADMIN_EMAIL)
  await page.locator("input[name=password]").fill(DEMO_ADMIN_PASSWORD)
  await page.locator("button[type=submit]").click()
  await page.waitForURL(/\/app\/orders/, { timeout: 120_000 })
  await page.close()
}
