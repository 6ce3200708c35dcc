import { defineRouteConfig } from "@medusajs/admin-sdk"
import { CreditCardRefresh } from "@medusajs/icons"
import { Badge, Button, Container, Heading, Input, Switch, Table, Text, toast } from "@medusajs/ui"
import { useCallback, useEffect, useState } from "react"
import { PaidBackForm } from "../../components/paid-back-form"
import { AttentionItem, AttentionList, ledgerApi, ReconcileReport, when } from "../../lib/api"
import { useAction } from "../../lib/use-action"

const PAGE_SIZE = 50

function reportLine(r: ReconcileReport): string {
  if (r.skippedRun) return "Another reconciliation run is going on; try again in a minute."
  return [
    `asked the gateways about ${r.checked} payment(s)`,
    `${r.completed.length} completed`,
    `${r.updated.length} updated`,
    `${r.orphaned.length} orphaned`,
    `${r.refunded.length} orphan(s) refunded`,
    `${r.deliveries} webhook(s) reprocessed`,
    `${r.watched} paid payment(s) checked for portal refunds (${r.gatewayRefunds.length} found)`,
    `${r.failed} failed`,
  ].join(", ")
}

/** Who may act on an item from here: refunds owed, and orphaned payments to pay back by hand. */
function PaidBack({ item, reload }: { item: AttentionItem; reload: () => void }) {
  if (item.kind === "refund_owed" && item.ledger_refund_id) return <PaidBackForm path={`/refunds/${item.ledger_refund_id}/paid-back`} testId="pp-paid-back" done={reload} />
  if (item.kind === "orphaned" && item.needs_action) return <PaidBackForm path={`/attempts/${item.attempt_id}/paid-back`} testId="pp-orphan-paid-back" done={reload} />
  return null
}

/**
 * Payments needing attention at QFPay, QuantaPay and Qbit Pay, from the payment ledger: refunds owed, orphaned
 * payments, duplicates, mismatches, under- and overpayments, disputes, unknown refund outcomes, payments
 * stuck past expiry; filters; "Run reconciliation now" with its report.
 */
const GatewayPaymentsPage = () => {
  const [kind, setKind] = useState("")
  const [provider, setProvider] = useState("")
  const [q, setQ] = useState("")
  const [openOnly, setOpenOnly] = useState(true)
  const [offset, setOffset] = useState(0)
  const [list, setList] = useState<AttentionList | undefined>()
  const [error, setError] = useState<string | undefined>()
  const [running, run] = useAction()
  const [report, setReport] = useState<string | undefined>()

  const load = useCallback(() => {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset), state: openOnly ? "open" : "all" })
    if (kind) params.set("kind", kind)
    if (provider) params.set("provider_id", provider)
    if (q.trim()) params.set("q", q.trim())
    ledgerApi<AttentionList>(`/attention?${params}`)
      .then((l) => {
        setList(l)
        setError(undefined)
      })
      .catch((e: Error) => setError(e.message))
  }, [kind, provider, q, openOnly, offset])
  useEffect(load, [load])

  const reconcile = () =>
    run(
      () => ledgerApi<{ report: ReconcileReport }>("/reconcile", { method: "POST" }),
      ({ report }) => {
        setReport(reportLine(report))
        toast.success("Reconciliation finished")
        load()
      }
    )

  return (
    <Container className="divide-y p-0" data-testid="gateway-payments-page">
      <div className="flex items-center justify-between px-6 py-4">
        <div>
          <Heading level="h1">Gateway payments</Heading>
          <Text size="small" className="text-ui-fg-subtle">
            What needs you at QFPay, QuantaPay and Qbit Pay, from the payment ledger.
          </Text>
        </div>
        <Button size="small" variant="secondary" isLoading={running} onClick={reconcile} data-testid="pp-reconcile">
          Run reconciliation now
        </Button>
      </div>
      {report && (
        <div className="px-6 py-3">
          <Text size="small" data-testid="pp-report">
            {report}
          </Text>
        </div>
      )}
      <div className="flex flex-wrap items-center gap-3 px-6 py-3">
        <select className="bg-ui-bg-field rounded-md border px-2 py-1 text-sm" value={kind} onChange={(e) => { setKind(e.target.value); setOffset(0) }} data-testid="pp-kind">
          <option value="">Every kind</option>
          {Object.entries(list?.kinds ?? {}).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <select className="bg-ui-bg-field rounded-md border px-2 py-1 text-sm" value={provider} onChange={(e) => { setProvider(e.target.value); setOffset(0) }} data-testid="pp-provider">
          <option value="">Every provider</option>
          {(list?.providers ?? []).map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <Input size="small" type="search" placeholder="Order id, reference or email" value={q} onChange={(e) => { setQ(e.target.value); setOffset(0) }} data-testid="pp-search" />
        <div className="flex items-center gap-x-2">
          <Switch id="pp-open-only" checked={openOnly} onCheckedChange={(v) => { setOpenOnly(v); setOffset(0) }} data-testid="pp-open-only" />
          <label htmlFor="pp-open-only" className="text-sm">
            Only what needs action
          </label>
        </div>
      </div>
      {error && (
        <Text size="small" className="text-ui-fg-error px-6 py-3">
          {error}
        </Text>
      )}
      <Table data-testid="pp-table">
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>When</Table.HeaderCell>
            <Table.HeaderCell>What</Table.HeaderCell>
            <Table.HeaderCell>Payment</Table.HeaderCell>
            <Table.HeaderCell>Amount</Table.HeaderCell>
            <Table.HeaderCell>Order / customer</Table.HeaderCell>
            <Table.HeaderCell>Details</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {(list?.items ?? []).map((item) => (
            <Table.Row key={`${item.kind}-${item.attempt_id}-${item.ledger_refund_id ?? ""}`} data-testid={`pp-item-${item.kind}`}>
              <Table.Cell>{when(item.at)}</Table.Cell>
              <Table.Cell>
                <div className="flex flex-col gap-y-1 py-2">
                  <span>{item.label}</span>
                  <Badge size="2xsmall" color={item.needs_action ? "orange" : "grey"}>
                    {item.needs_action ? "needs action" : item.resolution ?? "no action needed"}
                  </Badge>
                </div>
              </Table.Cell>
              <Table.Cell>
                <div className="flex flex-col">
                  <span>{item.provider_id}</span>
                  <span className="text-ui-fg-muted" data-testid="pp-merchant-order-id">{item.merchant_order_id}</span>
                  <span className="text-ui-fg-muted">{item.gateway_reference ?? ""}</span>
                </div>
              </Table.Cell>
              <Table.Cell>
                {item.amount} {item.currency}
                {!item.ledger_refund_id && item.paid_amount && item.paid_amount !== item.amount ? ` (received ${item.paid_amount})` : ""}
              </Table.Cell>
              <Table.Cell>
                <div className="flex flex-col">
                  {item.order_id ? (
                    <a className="text-ui-fg-interactive" href={`/app/orders/${item.order_id}`}>
                      Order #{item.order_display_id}
                    </a>
                  ) : (
                    <span className="text-ui-fg-muted">no order</span>
                  )}
                  <span className="text-ui-fg-muted">{item.customer_email ?? ""}</span>
                </div>
              </Table.Cell>
              <Table.Cell>
                <div className="flex max-w-md flex-col gap-y-2 py-2">
                  {item.note && <span className="text-ui-fg-subtle whitespace-normal">{item.note}</span>}
                  <PaidBack item={item} reload={load} />
                </div>
              </Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
      <div className="flex items-center justify-between px-6 py-3">
        <Text size="small" className="text-ui-fg-subtle" data-testid="pp-count">
          {list ? `${list.count} payment(s)` : "Loading…"}
        </Text>
        <div className="flex gap-x-2">
          <Button size="small" variant="transparent" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
            Previous
          </Button>
          <Button size="small" variant="transparent" disabled={!list || offset + PAGE_SIZE >= list.count} onClick={() => setOffset(offset + PAGE_SIZE)}>
            Next
          </Button>
        </div>
      </div>
    </Container>
  )
}

export const config = defineRouteConfig({ label: "Gateway payments", icon: CreditCardRefresh })

export default GatewayPaymentsPage
