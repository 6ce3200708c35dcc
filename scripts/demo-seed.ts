/**
 * Seeds the demo store (run once by scripts/demo.ts through `medusa exec ./scripts/demo-seed.ts`):
 * a sales channel with a publishable key, a Hong Kong region (HKD, QFPay) and a United States region
 * (USD, QuantaPay + Qbit Pay, New York's 8.875% sales tax), an automatic 12.5% promotion, a stock location
 * that ships to both with one flat shipping option per region, a few products with HKD and USD prices and
 * stock, and an admin user with an emailpass login. With tax and the promotion, a US cart's total has more
 * decimals than cents (Medusa keeps it unrounded), as in most real stores.
 *
 * Everything goes through Medusa's own workflows and modules, exactly as the admin would do it, so the
 * demo exercises the same code paths as a real store. The ids the storefront needs are written as JSON
 * to the file named by DEMO_SEED_OUTPUT.
 */
import fs from "node:fs"
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createInventoryLevelsWorkflow,
  createProductsWorkflow,
  createPromotionsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  createTaxRegionsWorkflow,
  createUserAccountWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateStoresWorkflow,
} from "@medusajs/core-flows"
import { DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_PROMOTION_CODE } from "./demo-config"

export type DemoSeedResult = {
  publishableKey: string
  salesChannelId: string
  regions: { hk: string; us: string }
  stockLocationId: string
  adminEmail: string
}

/** Prices in major units (Medusa 2 stores 388 HKD as 388). */
const PRODUCTS = [
  { title: "Jade Tea Cup", handle: "jade-tea-cup", sku: "DEMO-CUP", hkd: 188, usd: 24, description: "Hand-glazed celadon cup." },
  { title: "Harbour Hoodie", handle: "harbour-hoodie", sku: "DEMO-HOODIE", hkd: 388, usd: 49, description: "Warm hoodie with a Victoria Harbour print." },
  { title: "Neon Sign Poster", handle: "neon-sign-poster", sku: "DEMO-POSTER", hkd: 128, usd: 16, description: "A2 print of a Mong Kok neon sign." },
  { title: "Dim Sum Enamel Pin", handle: "dim-sum-pin", sku: "DEMO-PIN", hkd: 58, usd: 7.5, description: "Har gow enamel pin." },
]

export default async function seedDemo({ container }: ExecArgs): Promise<DemoSeedResult> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const storeModule = container.resolve(Modules.STORE)
  const fulfillmentModule = container.resolve(Modules.FULFILLMENT)
  const authModule = container.resolve(Modules.AUTH)

  logger.info("Demo seed: sales channel and publishable key")
  const {
    result: [salesChannel],
  } = await createSalesChannelsWorkflow(container).run({ input: { salesChannelsData: [{ name: "Demo web shop" }] } })
  const {
    result: [apiKey],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Demo storefront", type: "publishable", created_by: "" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: apiKey.id, add: [salesChannel.id] } })

  // The admin dashboard shows prices only in the store's currencies.
  const [store] = await storeModule.listStores()
  await updateStoresWorkflow(container).run({
    input: {
      selector: { id: store.id },
      update: {
        name: "Medusa payments demo",
        supported_currencies: [{ currency_code: "hkd", is_default: true }, { currency_code: "usd" }],
        default_sales_channel_id: salesChannel.id,
      },
    },
  })

  logger.info("Demo seed: regions")
  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        { name: "Hong Kong", currency_code: "hkd", countries: ["hk"], payment_providers: ["pp_qfpay_qfpay", "pp_qfpay_qfpay-direct"] },
        { name: "United States", currency_code: "usd", countries: ["us"], payment_providers: ["pp_quantapay_quantapay", "pp_qbitpay_qbitpay"] },
      ],
    },
  })
  const hk = regions.find((r) => r.currency_code === "hkd")!
  const us = regions.find((r) => r.currency_code === "usd")!

  logger.info("Demo seed: sales tax and a promotion")
  await createTaxRegionsWorkflow(container).run({
    input: [
      { country_code: "us", provider_id: "tp_system", default_tax_rate: { rate: 8.875, code: "NYC", name: "New York City sales tax" } },
      // Hong Kong has no sales tax; a tax region with 0% keeps Medusa's tax lines explicit.
      { country_code: "hk", provider_id: "tp_system", default_tax_rate: { rate: 0, code: "HK0", name: "No sales tax" } },
    ],
  })
  await createPromotionsWorkflow(container).run({
    input: {
      promotionsData: [
        {
          code: DEMO_PROMOTION_CODE,
          type: "standard",
          status: "active",
          is_automatic: true,
          application_method: { type: "percentage", target_type: "items", allocation: "across", value: 12.5 },
        },
      ],
    },
  })

  logger.info("Demo seed: stock location, fulfillment and shipping")
  const {
    result: [location],
  } = await createStockLocationsWorkflow(container).run({
    input: { locations: [{ name: "Kwun Tong warehouse", address: { address_1: "1 Hoi Bun Road", city: "Hong Kong", country_code: "hk" } }] },
  })
  // The location must be allowed to use the manual provider, or its shipping options cannot be fulfilled.
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_provider_id: "manual_manual" },
  })
  await linkSalesChannelsToStockLocationWorkflow(container).run({ input: { id: location.id, add: [salesChannel.id] } })

  const {
    result: [profile],
  } = await createShippingProfilesWorkflow(container).run({ input: { data: [{ name: "Demo parcels", type: "default" }] } })

  // One service zone per country, so a Hong Kong address is only offered the HKD option and vice versa.
  const fulfillmentSet = await fulfillmentModule.createFulfillmentSets({
    name: "Demo shipping",
    type: "shipping",
    service_zones: [
      { name: "Hong Kong", geo_zones: [{ type: "country", country_code: "hk" }] },
      { name: "United States", geo_zones: [{ type: "country", country_code: "us" }] },
    ],
  })
  await link.create({
    [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
    [Modules.FULFILLMENT]: { fulfillment_set_id: fulfillmentSet.id },
  })
  const zone = (name: string) => fulfillmentSet.service_zones.find((z) => z.name === name)!.id
  const storeRules = [
    { attribute: "enabled_in_store", value: "true", operator: "eq" as const },
    { attribute: "is_return", value: "false", operator: "eq" as const },
  ]
  await createShippingOptionsWorkflow(container).run({
    input: [
      {
        name: "SF Express (2 days)",
        price_type: "flat",
        provider_id: "manual_manual",
        service_zone_id: zone("Hong Kong"),
        shipping_profile_id: profile.id,
        type: { label: "Standard", description: "Delivered in 2 days.", code: "standard-hk" },
        prices: [{ currency_code: "hkd", amount: 30 }, { region_id: hk.id, amount: 30 }],
        rules: storeRules,
      },
      {
        name: "USPS Priority (3-5 days)",
        price_type: "flat",
        provider_id: "manual_manual",
        service_zone_id: zone("United States"),
        shipping_profile_id: profile.id,
        type: { label: "Standard", description: "Delivered in 3-5 days.", code: "standard-us" },
        prices: [{ currency_code: "usd", amount: 8 }, { region_id: us.id, amount: 8 }],
        rules: storeRules,
      },
    ],
  })

  logger.info("Demo seed: products and stock")
  await createProductsWorkflow(container).run({
    input: {
      products: PRODUCTS.map((p) => ({
        title: p.title,
        handle: p.handle,
        description: p.description,
        status: "published" as const,
        shipping_profile_id: profile.id,
        options: [{ title: "Size", values: ["One size"] }],
        variants: [
          {
            title: "One size",
            sku: p.sku,
            manage_inventory: true,
            options: { Size: "One size" },
            prices: [
              { amount: p.hkd, currency_code: "hkd" },
              { amount: p.usd, currency_code: "usd" },
            ],
          },
        ],
        sales_channels: [{ id: salesChannel.id }],
      })),
    },
  })
  // manage_inventory made one inventory item per variant; give each some stock at the warehouse.
  const { data: items } = await query.graph({ entity: "inventory_item", fields: ["id", "sku"], filters: { sku: PRODUCTS.map((p) => p.sku) } })
  await createInventoryLevelsWorkflow(container).run({
    input: {
      inventory_levels: items.map((item: { id: string }) => ({ inventory_item_id: item.id, location_id: location.id, stocked_quantity: 1000 })),
    },
  })

  logger.info(`Demo seed: admin user ${DEMO_ADMIN_EMAIL}`)
  // The same steps as `medusa user -e … -p …`, without starting another Medusa process.
  const { authIdentity, error } = await authModule.register("emailpass", {
    body: { email: DEMO_ADMIN_EMAIL, password: DEMO_ADMIN_PASSWORD },
  } as never)
  if (error || !authIdentity) throw new Error(`Could not register the demo admin login: ${error}`)
  await createUserAccountWorkflow(container).run({
    input: { authIdentityId: authIdentity.id, userData: { email: DEMO_ADMIN_EMAIL, first_name: "Demo", last_name: "Admin" } },
  })

  const result: DemoSeedResult = {
    publishableKey: apiKey.token,
    salesChannelId: salesChannel.id,
    regions: { hk: hk.id, us: us.id },
    stockLocationId: location.id,
    adminEmail: DEMO_ADMIN_EMAIL,
  }
  const out = process.env.DEMO_SEED_OUTPUT
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2))
  logger.info("Demo seed: done")
  return result
}
