import type { LoggerLike } from "../lib/http"
import { QbitpayProviderService } from "./qbitpay/service"
import { QfpayProviderService } from "./qfpay/service"
import { QuantapayProviderService } from "./quantapay/service"

/** The provider classes this package ships, by their Medusa identifier. */
export const PROVIDER_CLASSES = {
  qfpay: QfpayProviderService,
  quantapay: QuantapayProviderService,
  qbitpay: QbitpayProviderService,
} as const

export type OurIdentifier = keyof typeof PROVIDER_CLASSES

export type Registration = {
  /** As Medusa knows it, e.g. `pp_qfpay_qfpay`. */
  providerId: string
  identifier: OurIdentifier
  /** The `id` given in medusa-config, e.g. `qfpay`. */
  id: string
  options: Record<string, unknown>
}

type ProviderEntry = { resolve?: unknown; id?: string; options?: Record<string, unknown> }

function identifierOf(resolve: unknown): OurIdentifier | undefined {
  if (typeof resolve === "string") {
    const match = /(?:^|\/)providers\/(qfpay|quantapay|qbitpay)(?:\/index(?:\.[jt]s)?)?\/?$/.exec(resolve)
    return match ? (match[1] as OurIdentifier) : undefined
  }
  const services = (resolve as { services?: Array<{ identifier?: string }> } | undefined)?.services
  const identifier = services?.[0]?.identifier
  return identifier && identifier in PROVIDER_CLASSES ? (identifier as OurIdentifier) : undefined
}

/** Our providers as registered in the loaded Medusa config (the payment module's `providers`). */
export function ourRegistrations(configModule: unknown): Registration[] {
  const modules = (configModule as { modules?: unknown })?.modules
  const entries: unknown[] = Array.isArray(modules) ? modules : Object.values((modules as Record<string, unknown>) ?? {})
  const found: Registration[] = []
  for (const entry of entries) {
    const providers = (entry as { options?: { providers?: ProviderEntry[] } })?.options?.providers
    if (!Array.isArray(providers)) continue
    for (const p of providers) {
      const identifier = identifierOf(p?.resolve)
      if (!identifier) continue
      const id = p.id ?? ""
      found.push({ providerId: `pp_${identifier}${id ? `_${id}` : ""}`, identifier, id, options: p.options ?? {} })
    }
  }
  return found
}

/** What the subscriber and the reconciliation job need from a provider: the gateway's view of a session. */
export type StatusReader = {
  getPaymentStatus(input: { data: Record<string, unknown> }): Promise<{ status: string; data?: Record<string, unknown> }>
}

/**
 * A provider instance with the store's options for a registration, to ask the gateway about a session
 * outside Medusa's own calls. Only read methods are used on it.
 */
export function statusReaderFor(registration: Registration, logger: LoggerLike): StatusReader {
  const Klass = PROVIDER_CLASSES[registration.identifier]
  return new Klass({ logger }, registration.options) as unknown as StatusReader
}
