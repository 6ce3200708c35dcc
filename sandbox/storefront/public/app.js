// Demo storefront: plain browser JavaScript against Medusa's store API. No framework, no build step.
// It follows the storefront contract of this package's providers: every payment session carries
// `data.next_action` ({type: "redirect", url} | {type: "qr_code", content, expires_at} | {type: "none"})
// and `data.last_error`.
"use strict"

const CONFIG = window.STOREFRONT_CONFIG
// last_cart_id: the cart that became an order, so the return page still finds it after a reload or
// when another tab (the wallet page) completed it first.
const KEYS = { cart: "demo.cart_id", lastCart: "demo.last_cart_id", region: "demo.region_id", payType: "demo.pay_type" }

/** Human names for the providers this package registers; anything else shows its id. */
const PROVIDER_NAMES = {
  pp_qfpay_qfpay: ["QFPay hosted checkout", "Alipay, WeChat Pay, FPS, PayMe, UnionPay or card on QFPay's page"],
  "pp_qfpay_qfpay-direct": ["QFPay QR (FPS/WeChat/…)", "Scan a QR code with your wallet app"],
  pp_quantapay_quantapay: ["QuantaPay crypto", "Pay with BTC, ETH, USDT and more on QuantaPay's page"],
  pp_qbitpay_qbitpay: ["Qbit Pay", "Pay on Qbit Pay's page"],
}
/** Session statuses after which no payment will come from this session. */
const DEAD_SESSION = ["error", "canceled"]
const DEAD_DATA = ["failed", "expired", "canceled", "underpaid", "mismatch", "refunded"]

const state = { regions: [], region: null, cart: null, pollTimer: null, seq: {} }

// ------------------------------------------------------------------ helpers

const $ = (id) => document.getElementById(id)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function money(amount, currency) {
  if (amount === undefined || amount === null) return "–"
  return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(amount)
}

/** A store API call; throws an Error carrying Medusa's message and the HTTP status. */
async function api(path, { method = "GET", body } = {}) {
  const res = await fetch(CONFIG.backendUrl + path, {
    method,
    headers: { "x-publishable-api-key": CONFIG.publishableKey, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let json = {}
  try {
    json = text ? JSON.parse(text) : {}
  } catch {
    json = { message: text }
  }
  if (!res.ok) {
    const err = new Error(json.message || `${method} ${path} failed with HTTP ${res.status}`)
    err.status = res.status
    throw err
  }
  return json
}

/** Gateway messages are lower-case fragments ("the payment failed"); show them as sentences. */
function sentence(text) {
  const t = String(text || "").trim()
  return t ? t[0].toUpperCase() + t.slice(1) + (/[.!?)]$/.test(t) ? "" : ".") : ""
}

function showError(message) {
  const banner = $("error-banner")
  banner.textContent = message || ""
  banner.hidden = !message
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "testid") node.dataset.testid = v
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v)
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v)
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return node
}

function showView(name) {
  for (const v of ["shop", "checkout", "return"]) $("view-" + v).hidden = v !== name
  document.body.dataset.view = name
}

// ------------------------------------------------------------------ cart

const CART_FIELDS =
  "fields=*items,*items.variant,*items.product,*shipping_methods,*shipping_address,*region,*region.countries," +
  "*payment_collection,*payment_collection.payment_sessions"

async function loadCart() {
  const id = localStorage.getItem(KEYS.cart)
  if (!id) return (state.cart = null)
  try {
    const { cart } = await api(`/store/carts/${id}?${CART_FIELDS}`)
    state.cart = cart.completed_at ? null : cart
    if (!state.cart) forgetCart(id)
  } catch (e) {
    if (e.status === 404) {
      localStorage.removeItem(KEYS.cart)
      state.cart = null
    } else throw e
  }
  return state.cart
}

function forgetCart(id) {
  localStorage.setItem(KEYS.lastCart, id)
  localStorage.removeItem(KEYS.cart)
}

async function refreshCart() {
  if (!state.cart) return null
  const { cart } = await api(`/store/carts/${state.cart.id}?${CART_FIELDS}`)
  state.cart = cart
  return cart
}

async function ensureCart() {
  if (state.cart) return state.cart
  const { cart } = await api("/store/carts", { method: "POST", body: { region_id: state.region.id } })
  localStorage.setItem(KEYS.cart, cart.id)
  state.cart = cart
  return refreshCart()
}

async function addToCart(variantId) {
  showError("")
  try {
    await ensureCart()
    await api(`/store/carts/${state.cart.id}/line-items`, { method: "POST", body: { variant_id: variantId, quantity: 1 } })
    await refreshCart()
    renderCart()
  } catch (e) {
    showError(`Could not add the item: ${e.message}`)
  }
}

async function removeLine(lineId) {
  showError("")
  try {
    await api(`/store/carts/${state.cart.id}/line-items/${lineId}`, { method: "DELETE" })
    await refreshCart()
    renderCart()
  } catch (e) {
    showError(`Could not remove the item: ${e.message}`)
  }
}

function renderCart() {
  const cart = state.cart
  const items = cart?.items ?? []
  $("cart-count").textContent = String(items.reduce((n, i) => n + i.quantity, 0))
  const list = $("cart-items")
  list.replaceChildren(
    ...items
      .slice()
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
      .map((item) => {
        const handle = item.product_handle || item.product?.handle || item.variant_id
        return el(
          "li",
          { testid: `cart-item-${handle}` },
          el("span", {}, `${item.product_title || item.title} × `, el("span", { testid: `cart-qty-${handle}` }, item.quantity)),
          el("span", {}, money(item.subtotal ?? item.unit_price * item.quantity, cart.currency_code)),
          el("button", { class: "link", testid: `remove-${handle}`, onclick: () => removeLine(item.id) }, "Remove")
        )
      })
  )
  $("cart-empty").hidden = items.length > 0
  $("cart-subtotal").textContent = cart ? money(cart.item_subtotal ?? cart.subtotal, cart.currency_code) : "–"
  $("cart-discount").textContent = cart?.discount_total ? `−${money(cart.discount_total, cart.currency_code)}` : "–"
  $("cart-shipping").textContent = cart?.shipping_methods?.length ? money(cart.shipping_total, cart.currency_code) : "–"
  $("cart-tax").textContent = cart?.tax_total ? money(cart.tax_total, cart.currency_code) : "–"
  $("cart-total").textContent = cart ? money(cart.total, cart.currency_code) : "–"
  $("checkout-button").disabled = items.length === 0
}

// ------------------------------------------------------------------ regions and products

async function loadRegions() {
  const { regions } = await api("/store/regions?fields=*countries")
  state.regions = regions.sort((a, b) => a.name.localeCompare(b.name))
  const select = $("region-select")
  select.replaceChildren(...state.regions.map((r) => el("option", { value: r.id }, `${r.name} (${r.currency_code.toUpperCase()})`)))
  const wanted = state.cart?.region_id || localStorage.getItem(KEYS.region)
  state.region = state.regions.find((r) => r.id === wanted) || state.regions.find((r) => r.name === "Hong Kong") || state.regions[0]
  select.value = state.region?.id ?? ""
}

async function changeRegion(regionId) {
  showError("")
  state.region = state.regions.find((r) => r.id === regionId)
  localStorage.setItem(KEYS.region, regionId)
  try {
    // Medusa reprices the items in the new region's currency; shipping and payment start over.
    if (state.cart && state.cart.region_id !== regionId) {
      await api(`/store/carts/${state.cart.id}`, { method: "POST", body: { region_id: regionId } })
      await refreshCart()
    }
    await renderRoute()
  } catch (e) {
    showError(`Could not change the region: ${e.message}`)
  }
}

async function renderProducts() {
  const seq = (state.seq.products = (state.seq.products ?? 0) + 1)
  const region = state.region
  const { products } = await api(`/store/products?region_id=${region.id}&limit=50&order=title&fields=*variants.calculated_price`)
  if (stale("products", seq)) return
  $("products").replaceChildren(
    ...products.map((p) => {
      const variant = p.variants[0]
      const price = variant?.calculated_price
      return el(
        "article",
        { class: "product", testid: `product-${p.handle}` },
        el("h3", {}, p.title),
        el("p", { class: "muted" }, p.description || ""),
        el("p", { class: "price", testid: `product-price-${p.handle}` }, price ? money(price.calculated_amount, price.currency_code) : "not sold here"),
        el("button", { testid: `add-to-cart-${p.handle}`, disabled: !price, onclick: () => addToCart(variant.id) }, "Add to cart")
      )
    })
  )
}

// ------------------------------------------------------------------ checkout

function fillAddressForm() {
  const form = $("address-form")
  const countries = state.region.countries ?? []
  $("country-select").replaceChildren(...countries.map((c) => el("option", { value: c.iso_2 }, c.display_name || c.iso_2.toUpperCase())))
  const a = state.cart.shipping_address || {}
  form.email.value = state.cart.email || form.email.value || ""
  for (const f of ["first_name", "last_name", "address_1", "city", "postal_code", "phone"]) form[f].value = a[f] || form[f].value || ""
  if (a.country_code && countries.some((c) => c.iso_2 === a.country_code)) form.country_code.value = a.country_code
}

async function saveAddress(event) {
  event.preventDefault()
  showError("")
  const form = $("address-form")
  const address = {}
  for (const f of ["first_name", "last_name", "address_1", "city", "postal_code", "phone", "country_code"]) address[f] = form[f].value.trim()
  try {
    await api(`/store/carts/${state.cart.id}`, {
      method: "POST",
      body: { email: form.email.value.trim(), shipping_address: address, billing_address: address },
    })
    await refreshCart()
    $("address-saved").hidden = false
    await renderShipping()
  } catch (e) {
    showError(`Could not save the address: ${e.message}`)
  }
}

/** True when this render was overtaken by a newer one of the same part (the shopper clicks faster than the API answers). */
function stale(part, seq) {
  return state.seq[part] !== seq
}

async function renderShipping() {
  const seq = (state.seq.shipping = (state.seq.shipping ?? 0) + 1)
  // Medusa pre-fills the country of a single-country region, so only a street address means "entered".
  const entered = !!state.cart.shipping_address?.address_1
  $("shipping-step").hidden = !entered
  if (!entered) return
  const { shipping_options: options } = await api(`/store/shipping-options?cart_id=${state.cart.id}`)
  if (stale("shipping", seq)) return
  const cart = state.cart
  const chosen = cart.shipping_methods?.[0]?.shipping_option_id
  $("shipping-options").replaceChildren(
    ...(options.length
      ? options.map((o, i) =>
          el(
            "label",
            { class: "choice" },
            el("input", {
              type: "radio",
              name: "shipping",
              value: o.id,
              testid: `shipping-option-${i}`,
              checked: o.id === chosen,
              onchange: () => chooseShipping(o.id),
            }),
            ` ${o.name} — ${money(o.amount ?? o.calculated_price?.calculated_amount, cart.currency_code)}`
          )
        )
      : [el("p", { class: "error" }, "No shipping option for this address.")])
  )
  await renderPayment()
}

async function chooseShipping(optionId) {
  showError("")
  try {
    await api(`/store/carts/${state.cart.id}/shipping-methods`, { method: "POST", body: { option_id: optionId } })
    await refreshCart()
    renderCart()
    await renderPayment()
  } catch (e) {
    showError(`Could not choose shipping: ${e.message}`)
  }
}

async function renderPayment() {
  const seq = (state.seq.payment = (state.seq.payment ?? 0) + 1)
  const ready = !!state.cart.shipping_methods?.length
  $("payment-step").hidden = !ready
  $("checkout-total").textContent = money(state.cart.total, state.cart.currency_code)
  if (!ready) return
  const { payment_providers: providers } = await api(`/store/payment-providers?region_id=${state.cart.region_id}`)
  if (stale("payment", seq)) return
  // Keep what the shopper picked while the list reloads.
  const current = selectedProvider() || currentSession()?.provider_id
  $("payment-providers").replaceChildren(
    ...providers.map((p) => {
      const [name, hint] = PROVIDER_NAMES[p.id] || [p.id, ""]
      return el(
        "label",
        { class: "choice" },
        el("input", { type: "radio", name: "provider", value: p.id, testid: `payment-provider-${p.id}`, checked: p.id === current, onchange: onProviderChange }),
        ` ${name} `,
        el("span", { class: "muted" }, hint)
      )
    })
  )
  onProviderChange()
}

function selectedProvider() {
  return document.querySelector('input[name="provider"]:checked')?.value
}

function onProviderChange() {
  const provider = selectedProvider()
  $("pay-type-row").hidden = provider !== "pp_qfpay_qfpay-direct"
  $("qfpay-pay-type").value = localStorage.getItem(KEYS.payType) || "800201"
  $("pay-button").disabled = !provider
}

function currentSession(cart = state.cart, sessionId) {
  const sessions = cart?.payment_collection?.payment_sessions ?? []
  return sessionId ? sessions.find((s) => s.id === sessionId) : sessions[sessions.length - 1]
}

/**
 * Creates a payment session for the provider (Medusa replaces any earlier one) and does what its
 * next_action says.
 */
async function pay(providerId) {
  showError("")
  stopPolling()
  resetPaymentAction()
  $("payment-action").hidden = false
  $("payment-status").textContent = "Starting the payment…"
  try {
    let collectionId = state.cart.payment_collection?.id
    if (!collectionId) {
      const { payment_collection } = await api("/store/payment-collections", { method: "POST", body: { cart_id: state.cart.id } })
      collectionId = payment_collection.id
    }
    const body = { provider_id: providerId }
    if (providerId === "pp_qfpay_qfpay-direct") {
      const payType = $("qfpay-pay-type").value
      localStorage.setItem(KEYS.payType, payType)
      body.data = { pay_type: payType }
    }
    const { payment_collection } = await api(`/store/payment-collections/${collectionId}/payment-sessions`, { method: "POST", body })
    const session = payment_collection.payment_sessions.find((s) => s.provider_id === providerId)
    await refreshCart()
    if (session.data?.order_first) {
      // The order comes first: complete the cart now (the order awaits its payment), then pay.
      const placed = await completeCart(state.cart.id)
      if (placed.type !== "order") throw new Error(placed.error?.message || "the order could not be placed")
      forgetCart(state.cart.id)
    }
    actOn(session)
  } catch (e) {
    $("payment-status").textContent = ""
    showPaymentError(`Could not start the payment: ${e.message}`)
  }
}

function actOn(session) {
  const action = session.data?.next_action || { type: "none" }
  if (action.type === "redirect") {
    $("payment-status").textContent = "Taking you to the payment page…"
    window.location.assign(action.url)
    return
  }
  if (action.type === "qr_code") {
    $("qr-box").hidden = false
    $("qr-image").src = `/qr.svg?text=${encodeURIComponent(action.content)}`
    $("simulate-scan").href = action.content
    $("qr-expires").textContent = new Date(action.expires_at).toLocaleTimeString()
    $("payment-status").textContent = "Waiting for the payment…"
    startPolling(session.id)
    return
  }
  $("payment-status").textContent = ""
  showPaymentError(session.data?.last_error || "This payment cannot continue.")
}

function resetPaymentAction() {
  $("qr-box").hidden = true
  $("payment-error").hidden = true
  $("try-again").hidden = true
}

function showPaymentError(message) {
  $("payment-error").textContent = sentence(message)
  $("payment-error").hidden = false
  $("try-again").hidden = false
}

/**
 * While a QR code is shown. The gateway's notification reaches Medusa, which marks the session paid a few
 * seconds later; every third tick the page also tries to complete the cart, which makes the provider ask
 * the gateway directly (faster, and the only way to learn of a failed wallet payment, which QFPay does
 * not notify).
 */
function startPolling(sessionId) {
  stopPolling()
  const cartId = state.cart.id
  const done = () => window.location.assign(`/checkout/return?session_id=${encodeURIComponent(sessionId)}&cart_id=${encodeURIComponent(cartId)}`)
  let ticks = 0
  const tick = async () => {
    try {
      if (++ticks % 3 === 0) {
        const result = await completeCart(cartId)
        if (result.type === "order") return done()
      }
      const { cart } = await api(`/store/carts/${cartId}?${CART_FIELDS}`)
      const session = currentSession(cart, sessionId)
      if (cart.completed_at || ["authorized", "captured"].includes(session?.status)) {
        stopPolling()
        return done()
      }
      if (!session || DEAD_SESSION.includes(session.status) || DEAD_DATA.includes(session.data?.status)) {
        stopPolling()
        $("qr-box").hidden = true
        $("payment-status").textContent = ""
        showPaymentError(session?.data?.last_error || "The payment did not go through.")
        return
      }
    } catch {
      // A failed poll is retried on the next tick.
    }
    state.pollTimer = setTimeout(tick, 2000)
  }
  state.pollTimer = setTimeout(tick, 2000)
}

function stopPolling() {
  clearTimeout(state.pollTimer)
  state.pollTimer = null
}

// ------------------------------------------------------------------ return from the gateway

async function completeCart(cartId) {
  try {
    return await api(`/store/carts/${cartId}/complete`, { method: "POST" })
  } catch (e) {
    return { type: "error", error: { message: e.message, status: e.status } }
  }
}

async function showReturn() {
  showView("return")
  const params = new URLSearchParams(location.search)
  const sessionId = params.get("session_id")
  const cartId = params.get("cart_id") || localStorage.getItem(KEYS.cart) || localStorage.getItem(KEYS.lastCart)
  $("order-confirmation").hidden = true
  $("return-failure").hidden = true
  if (!cartId) {
    $("return-status").textContent = "There is no open cart in this browser. If you just paid, your order is already complete."
    return
  }
  $("return-status").textContent = "Completing your order…"
  // The gateway's notification may be a moment behind the shopper: completing asks the gateway itself,
  // and a few retries cover a payment that is still settling. A failed redirect needs fewer.
  const attempts = params.has("failed") ? 2 : 6
  let last
  for (let i = 0; i < attempts; i++) {
    last = await completeCart(cartId)
    if (last.type === "order") return showOrder(last.order, cartId)
    await sleep(1500)
  }
  // Why it failed: the session's own account first, then Medusa's.
  let reason = last?.error?.message
  let providerId
  try {
    const { cart } = await api(`/store/carts/${cartId}?${CART_FIELDS}`)
    if (cart.completed_at) {
      // Completed meanwhile (e.g. by the webhook): one more call returns the order.
      const done = await completeCart(cartId)
      if (done.type === "order") return showOrder(done.order, cartId)
    }
    state.cart = cart
    renderCart()
    const session = currentSession(cart, sessionId) || currentSession(cart)
    providerId = session?.provider_id
    if (params.has("failed")) {
      reason = session?.data?.last_error || "The payment was cancelled or failed."
    } else if (session?.data?.status === "pending") {
      reason = `The payment has not been confirmed yet${session.data.last_error ? ` (${session.data.last_error})` : ""}. If you paid, check again in a moment.`
    } else if (session?.data?.last_error) {
      reason = session.data.last_error
    }
  } catch {
    // Keep Medusa's message.
  }
  $("return-status").textContent = ""
  $("return-error").textContent = sentence(reason || "The payment was not completed.")
  $("return-failure").hidden = false
  $("return-try-again").onclick = () => retryPayment(providerId)
  $("check-again").onclick = () => showReturn()
}

/** "Try again": a new payment session with the same provider, then its next action. */
async function retryPayment(providerId) {
  history.pushState({}, "", "/#checkout")
  await renderRoute()
  if (!providerId || !state.cart) return
  const radio = document.querySelector(`input[name="provider"][value="${providerId}"]`)
  if (radio) {
    radio.checked = true
    onProviderChange()
  }
  await pay(providerId)
}

async function showOrder(order, cartId) {
  // The cart is an order now: the next item starts a new cart; a reload of this page still finds this one.
  if (localStorage.getItem(KEYS.cart) === cartId) forgetCart(cartId)
  else localStorage.setItem(KEYS.lastCart, cartId)
  state.cart = null
  renderCart()
  let full = order
  try {
    full = (await api(`/store/orders/${order.id}?fields=%2Bpayment_status,%2Bfulfillment_status`)).order
  } catch {
    // The completion answer has the essentials.
  }
  $("return-status").textContent = "Your order is confirmed."
  $("order-display-id").textContent = String(full.display_id)
  $("order-total").textContent = money(full.total, full.currency_code)
  showPaymentStatus(full.payment_status)
  $("order-confirmation").hidden = false
  document.body.dataset.orderId = full.id
  if (!PAID.includes(full.payment_status)) watchOrder(full.id)
}

const PAID = ["captured", "partially_refunded", "refunded"]

function showPaymentStatus(status) {
  $("order-payment-status").textContent = PAID.includes(status) ? (status || "").replace(/_/g, " ") : `awaiting payment (${(status || "").replace(/_/g, " ")})`
  $("order-awaiting").hidden = PAID.includes(status)
}

/** An order placed before its payment: follow it until the payment lands. */
function watchOrder(orderId) {
  stopPolling()
  const tick = async () => {
    try {
      const { order } = await api(`/store/orders/${orderId}?fields=%2Bpayment_status`)
      showPaymentStatus(order.payment_status)
      if (PAID.includes(order.payment_status)) return
    } catch {
      // Retried on the next tick.
    }
    state.pollTimer = setTimeout(tick, 2000)
  }
  state.pollTimer = setTimeout(tick, 2000)
}

// ------------------------------------------------------------------ routing

async function renderRoute() {
  stopPolling()
  if (location.pathname.startsWith("/checkout/return")) return showReturn()
  await loadCart()
  renderCart()
  if (location.hash === "#checkout" && state.cart?.items?.length) {
    showView("checkout")
    $("address-saved").hidden = true
    resetPaymentAction()
    $("payment-action").hidden = true
    fillAddressForm()
    await renderShipping()
    return
  }
  showView("shop")
  await renderProducts()
}

async function main() {
  document.title = CONFIG.storeName
  $("store-name").textContent = CONFIG.storeName
  $("region-select").addEventListener("change", (e) => changeRegion(e.target.value))
  $("checkout-button").addEventListener("click", () => {
    history.pushState({}, "", "/#checkout")
    renderRoute()
  })
  $("address-form").addEventListener("submit", saveAddress)
  $("pay-button").addEventListener("click", () => pay(selectedProvider()))
  $("try-again").addEventListener("click", () => pay(selectedProvider() || currentSession()?.provider_id))
  window.addEventListener("popstate", () => renderRoute())
  window.addEventListener("hashchange", () => renderRoute())
  try {
    await loadCart()
    await loadRegions()
    await renderRoute()
    document.body.dataset.ready = "true"
  } catch (e) {
    showError(`The store is not reachable at ${CONFIG.backendUrl}: ${e.message}`)
  }
}

main()
