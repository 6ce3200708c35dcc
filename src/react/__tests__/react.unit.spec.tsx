import type { ReactElement } from "react"
import { create } from "qrcode"
import { GatewayPaymentButton, PaymentMethodIcon, PaymentReturn, QrCode } from "../index"
import type { CheckoutClient } from "../../storefront"

/** Server rendering of the components (what a Next.js page sends first). Their behaviour in a browser is tested in the storefront suites. */
// react-dom ships no types of its own (and @types/react-dom is not needed elsewhere).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderToStaticMarkup } = require("react-dom/server") as { renderToStaticMarkup: (element: ReactElement) => string }

const idle: CheckoutClient = {
  initiatePaymentSession: async () => ({}),
  retrieveCart: async (id) => ({ id }),
  completeCart: async () => ({ type: "cart" }),
}

describe("React components", () => {
  it("draws the QR code locally: one dark square per dark module, inside the quiet zone", () => {
    const content = "https://openapi-test.qfpay.example/qr/ABC123?x=1"
    const html = renderToStaticMarkup(<QrCode content={content} size={200} />)
    const modules = create(content, { errorCorrectionLevel: "M" }).modules
    const squares = html.match(/M(\d+) (\d+)h1v1h-1z/g)!
    const dark = Array.from(modules.data).filter(Boolean).length
    expect(squares).toHaveLength(dark)
    expect(html).toContain(`viewBox="0 0 ${modules.size + 8} ${modules.size + 8}"`)
    // The top-left finder pattern's corner module is dark and sits at the quiet zone's edge.
    expect(html).toContain("M4 4h1v1h-1z")
    expect(html).not.toContain("M3 ")
    expect(html).toContain('aria-label="Payment QR code"')
  })

  it("shows our icon for our providers only", () => {
    expect(renderToStaticMarkup(<PaymentMethodIcon providerId="pp_qfpay_qfpay" />)).toMatch(/^<img src="data:image\/svg\+xml;charset=utf-8,[^"]+" width="24" height="24" alt=""/)
    expect(renderToStaticMarkup(<PaymentMethodIcon providerId="pp_system_default" />)).toBe("")
  })

  it("renders the pay button idle, and the return page checking", () => {
    const button = renderToStaticMarkup(<GatewayPaymentButton client={idle} cart={{ id: "c" }} providerId="pp_qbitpay_qbitpay" onOrder={() => undefined} label="Pay with Qbit Pay" />)
    expect(button).toContain('data-testid="gp-pay-button"')
    expect(button).toContain("Pay with Qbit Pay")
    const back = renderToStaticMarkup(<PaymentReturn client={idle} cartId="c" url="/checkout/return?session_id=s&failed=1" onOrder={() => undefined} />)
    expect(back).toContain('data-outcome="checking"')
    expect(back).toContain("Checking the payment")
  })
})
