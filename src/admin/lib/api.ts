/**
 * The payment ledger's admin API, as the widget and page call it: the dashboard's own session cookie,
 * against the backend the dashboard talks to. `__BACKEND_URL__` is what Medusa's admin bundler defines for
 * the dashboard (admin `backendUrl` in medusa-config; "/" when the admin is served by Medusa itself).
 */
declare const __BACKEND_URL__: string | undefined
const BACKEND = (typeof __BACKEND_URL__ === "string" ? __BACKEND_URL__ : "").replace(/\/+$/, "")

export class LedgerApiError extends Error {}

export async function ledgerApi<T>(path: string, init: { method?: "GET" | "POST"; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${BACKEND}/admin/payment-ledger${path}`, {
    method: init.method ?? "GET",
    credentials: "include",
    headers: { accept: "application/json", ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  })
  const text = await res.text()
  const json = text ? JSON.parse(text) : {}
  if (!res.ok) throw new LedgerApiError(typeof json.message === "string" ? json.message : `HTTP ${res.status}`)
  return json as T
}

// The shapes the admin routes answer with, from the server code itself (types only: nothing of it is bundled).
export type { AttemptView as Attempt, RefundView as Refund } from "../../ledger/merchant"
export type { AttentionItem } from "../../ledger/attention"
export type { ReconcileReport } from "../../sync/reconcile"
import type { AttentionItem } from "../../ledger/attention"

export type AttentionList = { items: AttentionItem[]; count: number; kinds: Record<string, string>; providers: string[] }

export const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "never")
