import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { AxiosInstance } from "axios"
import type { SeededStore } from "./store"

export type Session = { id: string; provider_id: string; status: string; data: Record<string, any> }

/**
 * The storefront and admin calls every provider's end-to-end test makes, through Medusa's own HTTP API.
 * `store()` / `admin()` are read lazily because the runner seeds them in its own beforeAll.
 */
export function checkoutApi(
  api: AxiosInstance,
  getContainer: () => MedusaContainer,
  store: () => SeededStore,
  admin: () => { headers: Record<string, string> }
) {
  const storeHeaders = () => ({ headers: { "x-publishable-api-key": store().publishableKey } })

  return {
    storeHeaders,

    /**
     * A cart with `quantity` of the product. `regionId` and `country` choose another region and the shipping
     * address (which decides the tax rate); `promoCodes` are applied as a shopper would enter them.
     */
    async cartWithItems(quantity = 1, opts: { regionId?: string; country?: string; promoCodes?: string[]; email?: string } = {}): Promise<string> {
      const { data } = await api.post(
        "/store/carts",
        {
          region_id: opts.regionId ?? store().regionId,
          sales_channel_id: store().salesChannelId,
          email: opts.email ?? "shopper@example.test",
          ...(opts.country ? { shipping_address: { country_code: opts.country, first_name: "Ada", last_name: "Shopper", address_1: "1 Test Road", city: "Test", postal_code: "00000" } } : {}),
        },
        storeHeaders()
      )
      await api.post(`/store/carts/${data.cart.id}/line-items`, { variant_id: store().variantId, quantity }, storeHeaders())
      if (opts.promoCodes?.length) {
        await api.post(`/store/carts/${data.cart.id}/promotions`, { promo_codes: opts.promoCodes }, storeHeaders())
      }
      return data.cart.id
    },

    /** The cart's totals as Medusa keeps them (raw = unrounded). */
    async cartTotals(cartId: string): Promise<{ total: number; raw_total: { value: string }; tax_total: number; discount_total: number }> {
      const { data } = await api.get(`/store/carts/${cartId}?fields=+total,+raw_total,+tax_total,+discount_total`, storeHeaders())
      return data.cart
    },

    async paymentCollectionFor(cartId: string): Promise<string> {
      const { data } = await api.post("/store/payment-collections", { cart_id: cartId }, storeHeaders())
      return data.payment_collection.id
    },

    async createSession(collectionId: string, providerId: string, data?: Record<string, unknown>): Promise<Session> {
      const res = await api.post(
        `/store/payment-collections/${collectionId}/payment-sessions`,
        { provider_id: providerId, ...(data ? { data } : {}) },
        storeHeaders()
      )
      return res.data.payment_collection.payment_sessions.find((s: Session) => s.provider_id === providerId)
    },

    /** What a storefront polling the cart sees. */
    async sessionsOf(cartId: string): Promise<Session[]> {
      const { data } = await api.get(`/store/carts/${cartId}?fields=*payment_collection,*payment_collection.payment_sessions`, storeHeaders())
      return data.cart.payment_collection?.payment_sessions ?? []
    },

    async completeCart(cartId: string) {
      return api.post(`/store/carts/${cartId}/complete`, {}, storeHeaders()).catch((e: any) => e.response)
    },

    /** Payment data as stored (the admin API does not return it). */
    async storedPayment(paymentId: string): Promise<{ id: string; data: Record<string, any>; refunds: any[] }> {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({ entity: "payment", fields: ["id", "data", "refunds.*"], filters: { id: paymentId } })
      return data[0] as any
    },

    async adminOrder(orderId: string) {
      const { data } = await api.get(
        `/admin/orders/${orderId}?fields=id,total,payment_status,summary,*payment_collections,*payment_collections.payments,*payment_collections.payments.captures,*payment_collections.payments.refunds`,
        admin()
      )
      return data.order
    },

    async orderCount(): Promise<number> {
      const query = getContainer().resolve(ContainerRegistrationKeys.QUERY)
      const { data } = await query.graph({ entity: "order", fields: ["id"], filters: {} })
      return data.length
    },
  }
}
