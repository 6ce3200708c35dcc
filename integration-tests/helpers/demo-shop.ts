import type { AxiosInstance } from "axios"

/** What scripts/demo-seed.ts made: a Hong Kong region (QFPay) and a US one (QuantaPay, Qbit Pay, sales tax), shipping and stock. */
export type Seeded = { publishableKey: string; salesChannelId: string; regions: { hk: string; us: string }; stockLocationId: string; adminEmail: string }

/**
 * A shopper on the demo store's API (any axios instance pointing at a Medusa of it): a cart with a product
 * and shipping, a payment session, and completing the cart. Answers are returned, not thrown.
 */
export function demoShopper(http: AxiosInstance, seeded: Seeded) {
  const headers = { "x-publishable-api-key": seeded.publishableKey }
  const call = <T = any>(method: "get" | "post", url: string, body?: unknown) =>
    http.request<T>({ method, url, data: body, headers, validateStatus: () => true })
  return {
    headers,
    async cart(region: "hk" | "us", quantity = 1): Promise<string> {
      const { data } = await call("post", "/store/carts", {
        region_id: seeded.regions[region],
        email: "shopper@example.test",
        shipping_address: { first_name: "Ada", last_name: "Shopper", address_1: "1 Test Road", city: "Test", country_code: region, postal_code: "00000" },
      })
      const cartId = data.cart.id as string
      const products = await call("get", `/store/products?region_id=${seeded.regions[region]}&fields=*variants`)
      await call("post", `/store/carts/${cartId}/line-items`, { variant_id: products.data.products[0].variants[0].id, quantity })
      const options = await call("get", `/store/shipping-options?cart_id=${cartId}`)
      await call("post", `/store/carts/${cartId}/shipping-methods`, { option_id: options.data.shipping_options[0].id })
      return cartId
    },
    async session(cartId: string, provider: string, data?: Record<string, unknown>) {
      const collection = await call("post", "/store/payment-collections", { cart_id: cartId })
      if (collection.status !== 200) throw new Error(`payment collection: ${collection.status} ${JSON.stringify(collection.data)}`)
      const res = await call("post", `/store/payment-collections/${collection.data.payment_collection.id}/payment-sessions`, { provider_id: provider, ...(data ? { data } : {}) })
      if (res.status !== 200) throw new Error(`payment session: ${res.status} ${JSON.stringify(res.data)}`)
      return res.data.payment_collection.payment_sessions.find((s: { provider_id: string }) => s.provider_id === provider)
    },
    complete: (cartId: string) => call("post", `/store/carts/${cartId}/complete`, {}),
    order: (orderId: string) => call("get", `/store/orders/${orderId}`),
  }
}
