import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, generateJwtToken, Modules } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createPromotionsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createTaxRegionsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} from "@medusajs/core-flows"

export type SeededStore = {
  publishableKey: string
  regionId: string
  salesChannelId: string
  variantId: string
  /** Price of one unit in major units. */
  unitPrice: number
  currency: string
}

/**
 * Seeds what a storefront needs through Medusa's own workflows: a sales channel with a publishable key,
 * a region using the given payment providers, and a published product with a price (no shipping needed).
 */
export async function seedStore(
  container: MedusaContainer,
  opts: { currency: string; countries: string[]; providers: string[]; unitPrice: number; regionName?: string }
): Promise<SeededStore> {
  const shop = await seedShop(container, {
    regions: [{ name: opts.regionName ?? "Test region", currency: opts.currency, countries: opts.countries, providers: opts.providers }],
    prices: { [opts.currency]: opts.unitPrice },
  })
  return { ...shop, regionId: shop.regions[0].id, unitPrice: opts.unitPrice, currency: opts.currency }
}

export type RegionSpec = {
  name: string
  currency: string
  countries: string[]
  providers: string[]
  /** Prices in this region include tax (a Medusa price preference), as most of Asia and Europe show them. */
  taxInclusive?: boolean
  /** A sales tax / VAT in percent on every country of the region (Medusa's system tax provider). */
  taxRatePercent?: number
}

export type SeededShop = {
  publishableKey: string
  salesChannelId: string
  variantId: string
  regions: Array<RegionSpec & { id: string }>
}

/**
 * A store shaped like real ones: regions with a tax rate (exclusive or inclusive prices), a product priced in
 * every currency, and optionally a percentage promotion code. All through Medusa's own workflows.
 */
export async function seedShop(
  container: MedusaContainer,
  opts: { regions: RegionSpec[]; prices: Record<string, number>; promotion?: { code: string; percent: number } }
): Promise<SeededShop> {
  const {
    result: [salesChannel],
  } = await createSalesChannelsWorkflow(container).run({ input: { salesChannelsData: [{ name: "Web shop" }] } })
  const {
    result: [apiKey],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Storefront", type: "publishable", created_by: "" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: apiKey.id, add: [salesChannel.id] } })
  const { result: created } = await createRegionsWorkflow(container).run({
    input: {
      regions: opts.regions.map((r) => ({
        name: r.name,
        currency_code: r.currency,
        countries: r.countries,
        payment_providers: r.providers,
        ...(r.taxInclusive ? { is_tax_inclusive: true } : {}),
      })),
    },
  })
  const taxed = opts.regions.flatMap((r) => (r.taxRatePercent ? r.countries.map((country) => ({ country, rate: r.taxRatePercent! })) : []))
  if (taxed.length) {
    await createTaxRegionsWorkflow(container).run({
      input: taxed.map(({ country, rate }) => ({
        country_code: country,
        provider_id: "tp_system",
        default_tax_rate: { rate, code: `tax-${country}`, name: `Sales tax ${country.toUpperCase()}` },
      })),
    })
  }
  if (opts.promotion) {
    await createPromotionsWorkflow(container).run({
      input: {
        promotionsData: [
          {
            code: opts.promotion.code,
            type: "standard",
            status: "active",
            application_method: { type: "percentage", target_type: "items", allocation: "across", value: opts.promotion.percent },
          },
        ],
      },
    })
  }
  const {
    result: [product],
  } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: "Jade tea cup",
          status: "published",
          options: [{ title: "Size", values: ["One size"] }],
          variants: [
            {
              title: "One size",
              sku: `CUP-${Object.keys(opts.prices).join("-")}`,
              manage_inventory: false,
              options: { Size: "One size" },
              prices: Object.entries(opts.prices).map(([currency_code, amount]) => ({ amount, currency_code })),
            },
          ],
          sales_channels: [{ id: salesChannel.id }],
        },
      ],
    },
  })
  return {
    publishableKey: apiKey.token,
    salesChannelId: salesChannel.id,
    variantId: product.variants[0].id,
    regions: opts.regions.map((r) => ({ ...r, id: created.find((c) => c.name === r.name)!.id })),
  }
}

/** An admin user and the Authorization header for Medusa's admin API. */
export async function adminHeaders(container: MedusaContainer): Promise<{ headers: Record<string, string> }> {
  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)
  const user = await userModule.createUsers({ email: `admin-${Date.now()}@example.test` })
  const authIdentity = await authModule.createAuthIdentities({
    provider_identities: [{ provider: "emailpass", entity_id: user.email }],
    app_metadata: { user_id: user.id },
  })
  const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
  const token = generateJwtToken(
    { actor_id: user.id, actor_type: "user", auth_identity_id: authIdentity.id, app_metadata: { user_id: user.id } },
    { secret: config.projectConfig.http.jwtSecret, expiresIn: "1d" }
  )
  return { headers: { authorization: `Bearer ${token}` } }
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20_000, intervalMs = 250 } = {}
): Promise<T> {
  const started = Date.now()
  let last: unknown
  while (Date.now() - started < timeoutMs) {
    try {
      const value = await probe()
      if (value) return value
    } catch (error) {
      last = error
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`)
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The order created from a cart, if any. */
export async function orderForCart(container: MedusaContainer, cartId: string): Promise<{ id: string } | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart", fields: ["id", "order.id"], filters: { id: cartId } })
  const order = (data[0] as { order?: { id: string } } | undefined)?.order
  return order?.id ? order : undefined
}
