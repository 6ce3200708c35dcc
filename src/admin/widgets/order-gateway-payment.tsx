import { defineWidgetConfig } from "@medusajs/admin-sdk"
import { Badge, Button, Container, Heading, Table, Text, toast } from "@medusajs/ui"
import { useCallback, useEffect, useState } from "react"
import { PaidBackForm } from "../components/paid-back-form"
import { Attempt, ledgerApi, Refund, when } from "../lib/api"
import { useAction } from "../lib/use-action"

type Props = { data: { id: string } }
type Color = "green" | "orange" | "red" | "grey" | "blue"

const STATUS_COLOR: Record<string, Color> = { paid: "green", open: "blue", starting: "grey", refunded: "grey", mismatch: "red", failed: "red", expired: "grey", canceled: "grey" }
const REFUND_COLOR: Record<string, Color> = { succeeded: "green", paid_back: "green", processing: "orange", manual_pending: "orange", unknown: "red", unrecorded: "red" }

/** The attempt that is the order's payment: the paid one, else the current one, else the newest. */
function mainAttempt(attempts: Attempt[]): Attempt {
  return attempts.find((a) => a.status === "paid" && a.current) ?? attempts.find((a) => a.status === "paid") ?? attempts.find((a) => a.current) ?? attempts[0]
}

function Row({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="text-ui-fg-subtle grid grid-cols-2 items-start px-6 py-3">
      <Text size="small" leading="compact" weight="plus">
        {label}
      </Text>
      <Text size="small" leading="compact" className="break-all" data-testid={testId}>
        {children}
      </Text>
    </div>
  )
}

function RefundRows({ refunds, reload }: { refunds: Refund[]; reload: () => void }) {
  return (
    <Table data-testid="gp-refunds">
      <Table.Header>
        <Table.Row>
          <Table.HeaderCell>Refund</Table.HeaderCell>
          <Table.HeaderCell>Amount</Table.HeaderCell>
          <Table.HeaderCell>What happened</Table.HeaderCell>
        </Table.Row>
      </Table.Header>
      <Table.Body>
        {refunds.map((r) => (
          <Table.Row key={r.id} data-testid={`gp-refund-${r.status}`}>
            <Table.Cell>
              <div className="flex flex-col">
                <span>{r.origin === "gateway" ? "made at the gateway" : r.origin === "orphan" ? "orphaned payment" : "from Medusa"}</span>
                {/* A refund owed by the merchant has no gateway reference of its own (the payment's is shown above). */}
                <span className="text-ui-fg-muted">{r.status === "manual_pending" || r.status === "paid_back" ? r.refund_id : r.gateway_reference ?? r.refund_id}</span>
              </div>
            </Table.Cell>
            <Table.Cell>
              {r.amount} {r.currency}
            </Table.Cell>
            <Table.Cell>
              <div className="flex flex-col gap-y-2 py-2">
                <Badge size="2xsmall" color={REFUND_COLOR[r.status] ?? "grey"} data-testid="gp-refund-state">
                  {r.state}
                </Badge>
                {r.status === "paid_back" && (
                  <span className="text-ui-fg-muted" data-testid="gp-refund-paid-back">
                    by {r.paid_back_by} on {when(r.paid_back_at)}, reference {r.paid_back_reference}
                  </span>
                )}
                {r.note && r.status !== "paid_back" && <span className="text-ui-fg-muted">{r.note}</span>}
                {r.status === "manual_pending" && <PaidBackForm path={`/refunds/${r.id}/paid-back`} testId="gp-paid-back" done={reload} />}
              </div>
            </Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  )
}

/**
 * The order's payment at QFPay, QuantaPay or Qbit Pay, from the payment ledger: references, how it was paid,
 * what arrived, refunds with what really happened to the money, disputes; "Check with gateway" and "Mark as
 * paid back". Orders paid another way show nothing.
 */
const OrderGatewayPaymentWidget = ({ data: order }: Props) => {
  const [attempts, setAttempts] = useState<Attempt[] | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [checking, run] = useAction()
  const [lastCheck, setLastCheck] = useState<string | undefined>()

  const load = useCallback(() => {
    ledgerApi<{ attempts: Attempt[] }>(`/orders/${order.id}`)
      .then((r) => setAttempts(r.attempts))
      .catch((e: Error) => setError(e.message))
  }, [order.id])
  useEffect(load, [load])

  if (error) {
    return (
      <Container className="px-6 py-4">
        <Text size="small" className="text-ui-fg-error">
          Gateway payment: {error}
        </Text>
      </Container>
    )
  }
  if (!attempts?.length) return null
  const main = mainAttempt(attempts)
  const others = attempts.filter((a) => a.id !== main.id && a.status !== "starting")

  const check = () =>
    run(
      () => ledgerApi<{ check: { outcome: string } }>(`/attempts/${main.id}/check`, { method: "POST" }),
      ({ check }) => {
        setLastCheck(check.outcome)
        toast.info(`${main.gateway_name}: ${check.outcome}`)
        load()
      }
    )

  return (
    <Container className="divide-y p-0" data-testid="gateway-payment-widget">
      <div className="flex items-center justify-between px-6 py-4">
        <div className="flex flex-col">
          <Heading level="h2">{main.gateway_name} payment</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            {main.provider_id}
          </Text>
        </div>
        <div className="flex items-center gap-x-2">
          <Badge color={STATUS_COLOR[main.status] ?? "grey"} data-testid="gp-status">
            {main.status}
          </Badge>
          <Button size="small" variant="secondary" isLoading={checking} onClick={check} data-testid="gp-check">
            Check with gateway
          </Button>
        </div>
      </div>
      {lastCheck && <Row label="Last check" testId="gp-check-outcome">{lastCheck}</Row>}
      <Row label="Our order id" testId="gp-merchant-order-id">{main.merchant_order_id}</Row>
      <Row label={`${main.gateway_name} reference`} testId="gp-reference">
        {main.gateway_reference ?? "none yet"}
        {main.portal_url && (
          <>
            {" "}
            <a href={main.portal_url} target="_blank" rel="noreferrer" className="text-ui-fg-interactive" data-testid="gp-portal">
              open portal
            </a>
          </>
        )}
      </Row>
      {main.method && <Row label="Paid with" testId="gp-method">{main.method}</Row>}
      <Row label="Charged" testId="gp-charged">{`${main.amount} ${main.currency}`}</Row>
      <Row label="Received" testId="gp-received">{main.paid_amount ? `${main.paid_amount} ${main.currency}` : "nothing yet"}</Row>
      <Row label="In Medusa" testId="gp-medusa-status">{main.medusa_status}</Row>
      <Row label="Last asked the gateway" testId="gp-last-checked">{`${when(main.last_checked_at)} (${main.checks} checks)`}</Row>
      {main.attention && <Row label="Needs attention" testId="gp-attention">{main.attention.replace(/_/g, " ")}{main.note ? `: ${main.note}` : ""}</Row>}
      {main.dispute && (
        <Row label="Dispute" testId="gp-dispute">
          {main.dispute.status === "open" ? `open since ${when(main.dispute.opened_at)}` : `${main.dispute.status} on ${when(main.dispute.closed_at)}`}
        </Row>
      )}
      {main.refunds.length > 0 && <RefundRows refunds={main.refunds} reload={load} />}
      {others.length > 0 && (
        <div className="px-6 py-3">
          <Text size="small" weight="plus">
            Other attempts
          </Text>
          {others.map((a) => (
            <Text key={a.id} size="small" className="text-ui-fg-subtle" data-testid="gp-other-attempt">
              {a.merchant_order_id}: {a.status}
              {a.attention ? ` (${a.attention.replace(/_/g, " ")})` : ""} {a.gateway_reference ? `, ${a.gateway_reference}` : ""}
            </Text>
          ))}
        </div>
      )}
    </Container>
  )
}

export const config = defineWidgetConfig({ zone: "order.details.after", id: "medusa-payments-hk-crypto:order-gateway-payment" })

export default OrderGatewayPaymentWidget
