import { Button, Input, toast } from "@medusajs/ui"
import { useState } from "react"
import { ledgerApi } from "../lib/api"
import { useAction } from "../lib/use-action"

/**
 * "Mark as paid back": the merchant paid a refund (or an orphaned payment) back by hand and records where
 * the money went (a transaction hash, a transfer reference). Posts to `path` and calls `done` afterwards.
 */
export function PaidBackForm({ path, testId, done }: { path: string; testId: string; done: () => void }) {
  const [reference, setReference] = useState("")
  const [note, setNote] = useState("")
  const [busy, run] = useAction()
  const submit = () =>
    run(
      () => ledgerApi(path, { method: "POST", body: { reference, ...(note.trim() ? { note } : {}) } }),
      () => {
        toast.success("Recorded as paid back")
        done()
      }
    )
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid={testId}>
      <Input size="small" placeholder="Transaction hash or transfer reference" value={reference} onChange={(e) => setReference(e.target.value)} data-testid={`${testId}-reference`} />
      <Input size="small" placeholder="Note (optional)" value={note} onChange={(e) => setNote(e.target.value)} data-testid={`${testId}-note`} />
      <Button size="small" variant="secondary" isLoading={busy} disabled={!reference.trim()} onClick={submit} data-testid={`${testId}-submit`}>
        Mark as paid back
      </Button>
    </div>
  )
}
