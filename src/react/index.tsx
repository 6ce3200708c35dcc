"use client"
/**
 * React components over the storefront kit (`medusa-payments-hk-crypto/react`; React 18 or 19, an optional
 * peer). Unstyled apart from layout: every element has a `data-testid` and a class name (`gp-...`) to style.
 * They talk to Medusa only through the `CheckoutClient` they are given (see `../storefront`).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react"
import { create as createQr } from "qrcode"
import {
  CheckoutError,
  handleReturn,
  paymentMethodInfo,
  readReturnUrl,
  startPayment,
  waitForOrderPayment,
  waitForPayment,
  type CartLike,
  type CheckoutClient,
  type GatewayPayment,
  type OrderLike,
  type ReturnOutcome,
} from "../storefront"

/** The icon of one of our providers (nothing for another provider's id). */
export function PaymentMethodIcon({ providerId, size = 24, className }: { providerId: string; size?: number; className?: string }) {
  const info = paymentMethodInfo(providerId)
  if (!info) return null
  return <img src={info.iconDataUri} width={size} height={size} alt="" className={className ?? "gp-method-icon"} data-testid="gp-method-icon" />
}

/**
 * A QR code drawn here, from the content only (no image service sees the payment link): one SVG path of the
 * dark modules, with the quiet zone the standard asks for.
 */
export function QrCode({ content, size = 220, label = "Payment QR code", className }: { content: string; size?: number; label?: string; className?: string }) {
  const { path, extent } = useMemo(() => {
    const modules = createQr(content, { errorCorrectionLevel: "M" }).modules
    const quiet = 4
    let d = ""
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (modules.get(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`
      }
    }
    return { path: d, extent: modules.size + quiet * 2 }
  }, [content])
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${extent} ${extent}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
      className={className ?? "gp-qr"}
      data-testid="gp-qr"
      data-content={content}
    >
      <rect width={extent} height={extent} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  )
}

type ButtonPhase =
  | { kind: "idle" }
  | { kind: "starting" }
  | { kind: "redirecting"; url: string }
  | { kind: "qr"; payment: GatewayPayment; content: string; expiresAt: string; order?: OrderLike }
  | { kind: "failed"; reason: string }

export type GatewayPaymentButtonProps = {
  client: CheckoutClient
  cart: CartLike
  providerId: string
  /** What the provider accepts from a storefront (QFPay direct: `{ pay_type }`). */
  data?: Record<string, string>
  /** The order exists and is paid (or, when it came first, placed and then paid while a QR code was shown). */
  onOrder: (order: OrderLike) => void
  /** The order came first and the shopper is being sent to the gateway: e.g. forget the cart. */
  onOrderPlaced?: (order: OrderLike) => void
  /** Leaves for the gateway's page (default `window.location.assign`); `placedOrder` when the order came first. */
  navigate?: (url: string, placedOrder?: OrderLike) => void
  /**
   * Use the cart's pending session with this provider when it can still be paid (default true), instead of
   * starting a new one: a checkout that made the session on an earlier step then costs one gateway checkout,
   * not two. "Try again" always starts a new payment.
   */
  reuseSession?: boolean
  disabled?: boolean
  label?: string
  className?: string
}

/**
 * "Pay": starts the payment, then does what its `next_action` says: sends the shopper to the gateway's page,
 * or shows a QR code and waits for the payment (the order is handed to `onOrder`). A payment that failed shows
 * its reason and a "Try again" that starts a new one.
 */
export function GatewayPaymentButton(props: GatewayPaymentButtonProps) {
  const { client, cart, providerId, data, onOrder, onOrderPlaced, disabled, label = "Place order", className, reuseSession = true } = props
  const [phase, setPhase] = useState<ButtonPhase>({ kind: "idle" })
  const wait = useRef<AbortController | null>(null)
  useEffect(() => () => wait.current?.abort(), [])

  const navigate = props.navigate ?? ((url: string) => window.location.assign(url))

  const pay = useCallback(async (retry: boolean) => {
    wait.current?.abort()
    setPhase({ kind: "starting" })
    try {
      const { payment, order } = await startPayment(client, cart, providerId, { data, reuse: reuseSession && !retry })
      if (order) onOrderPlaced?.(order)
      const action = payment.nextAction
      if (action.type === "redirect") {
        setPhase({ kind: "redirecting", url: action.url })
        navigate(action.url, order)
        return
      }
      if (action.type === "qr_code") {
        setPhase({ kind: "qr", payment, content: action.content, expiresAt: action.expires_at, order })
        const controller = new AbortController()
        wait.current = controller
        if (order) {
          const result = await waitForOrderPayment(client, order.id, { signal: controller.signal })
          if (result.type === "paid") onOrder(result.order)
          else if (result.type === "canceled") setPhase({ kind: "failed", reason: "The payment did not arrive in time and the order was cancelled." })
          else if (result.type === "timeout") setPhase({ kind: "failed", reason: "No payment arrived in time." })
          return
        }
        const result = await waitForPayment(client, cart.id, { sessionId: payment.sessionId, signal: controller.signal })
        if (result.type === "order") onOrder(result.order)
        else if (result.type === "failed") setPhase({ kind: "failed", reason: result.reason })
        else if (result.type === "review") setPhase({ kind: "failed", reason: "Your payment is being reviewed by the store." })
        else if (result.type === "timeout") setPhase({ kind: "failed", reason: "No payment arrived in time." })
        return
      }
      if (order) return onOrder(order)
      setPhase({ kind: "failed", reason: payment.lastError ?? "This payment cannot continue." })
    } catch (error) {
      setPhase({ kind: "failed", reason: error instanceof CheckoutError ? error.message : "The payment could not be started. Please try again." })
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, cart, providerId, JSON.stringify(data ?? {}), onOrder, onOrderPlaced, reuseSession])

  const busy = phase.kind === "starting" || phase.kind === "redirecting" || phase.kind === "qr"
  return (
    <div className={className ?? "gp-payment"} data-testid="gp-payment">
      {phase.kind !== "failed" && phase.kind !== "qr" && (
        <button type="button" className="gp-pay-button" data-testid="gp-pay-button" disabled={disabled || busy} onClick={() => pay(false)}>
          {phase.kind === "starting" ? "Starting the payment…" : phase.kind === "redirecting" ? "Taking you to the payment page…" : label}
        </button>
      )}
      {phase.kind === "qr" && (
        <div className="gp-qr-box" data-testid="gp-qr-box">
          <QrCode content={phase.content} />
          <p className="gp-status" data-testid="gp-payment-status" aria-live="polite">
            Scan with your wallet app. Waiting for the payment…
            {phase.expiresAt ? ` This code works until ${new Date(phase.expiresAt).toLocaleTimeString()}.` : ""}
          </p>
          {!phase.order && (
            <button
              type="button"
              className="gp-cancel"
              data-testid="gp-cancel"
              onClick={() => {
                // Stops waiting here; the next "Pay" starts a new session, which replaces this one in Medusa.
                wait.current?.abort()
                setPhase({ kind: "idle" })
              }}
            >
              Choose another way to pay
            </button>
          )}
        </div>
      )}
      {phase.kind === "failed" && (
        <div className="gp-failure" data-testid="gp-payment-failure">
          <p className="gp-error" role="alert" data-testid="gp-payment-error">
            {phase.reason}
          </p>
          <button type="button" className="gp-try-again" data-testid="gp-try-again" disabled={disabled} onClick={() => pay(true)}>
            Try again
          </button>
        </div>
      )}
    </div>
  )
}

export type PaymentReturnProps = {
  client: CheckoutClient
  cartId: string | null | undefined
  /** The URL the gateway sent the shopper back to (default `window.location.href`). */
  url?: string
  /** The order exists (paid, or placed first and awaiting its payment: see `awaitingPayment`). */
  onOrder: (order: OrderLike, awaitingPayment: boolean) => void
  /** "Try again" after a failure: e.g. back to the checkout's payment step. Without it the button is not shown. */
  onRetry?: (providerId: string | null) => void
  className?: string
}

/**
 * The page a gateway sends the shopper back to: confirms the payment by completing the cart, and hands the
 * order to `onOrder`, or says why it failed (with "Try again") or that it is still pending (with "Check again").
 */
export function PaymentReturn({ client, cartId, url, onOrder, onRetry, className }: PaymentReturnProps) {
  const [outcome, setOutcome] = useState<ReturnOutcome | { type: "checking" } | { type: "no_cart" }>({ type: "checking" })
  const [round, setRound] = useState(0)
  useEffect(() => {
    if (!cartId) return setOutcome({ type: "no_cart" })
    const controller = new AbortController()
    setOutcome({ type: "checking" })
    handleReturn(client, cartId, url ?? window.location.href, { signal: controller.signal }).then((result) => {
      if (controller.signal.aborted) return
      setOutcome(result)
      if (result.type === "order") onOrder(result.order, result.awaitingPayment)
    })
    return () => controller.abort()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, cartId, url, round])

  const failedHint = url ? readReturnUrl(url).failed : false
  return (
    <div className={className ?? "gp-return"} data-testid="gp-return" data-outcome={outcome.type}>
      {outcome.type === "checking" && (
        <p className="gp-status" data-testid="gp-return-status" aria-live="polite">
          {failedHint ? "Checking the payment…" : "Confirming your payment…"}
        </p>
      )}
      {outcome.type === "no_cart" && (
        <p className="gp-status" data-testid="gp-return-status">
          There is no open cart in this browser. If you just paid, your order is already complete.
        </p>
      )}
      {outcome.type === "order" && (
        <p className="gp-status" data-testid="gp-return-status">
          {outcome.awaitingPayment ? "Your order is placed and awaits its payment." : "Your payment is confirmed."}
        </p>
      )}
      {(outcome.type === "failed" || outcome.type === "pending") && (
        <div className="gp-failure" data-testid="gp-return-failure">
          <p className="gp-error" role="alert" data-testid="gp-return-error">
            {outcome.reason}
          </p>
          {outcome.type === "pending" && (
            <button type="button" className="gp-check-again" data-testid="gp-check-again" onClick={() => setRound((r) => r + 1)}>
              Check again
            </button>
          )}
          {onRetry && (
            <button type="button" className="gp-try-again" data-testid="gp-return-try-again" onClick={() => onRetry(outcome.type === "failed" ? outcome.providerId : outcome.payment?.providerId ?? null)}>
              Try again
            </button>
          )}
        </div>
      )}
    </div>
  )
}
