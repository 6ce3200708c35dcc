import { toast } from "@medusajs/ui"
import { useState } from "react"

/** A button's action against the ledger API: busy while it runs, its error shown as a toast. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const run = async <T,>(action: () => Promise<T>, done: (value: T) => void) => {
    setBusy(true)
    try {
      done(await action())
    } catch (error) {
      toast.error((error as Error).message)
    } finally {
      setBusy(false)
    }
  }
  return [busy, run] as const
}
