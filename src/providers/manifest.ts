import { dynamicImport, normalizeImportPathWithSource, resolveFromProject } from "@medusajs/framework/utils"
import type { LoggerLike } from "../lib/http"
import { QbitpayProviderService } from "./qbitpay/service"
import { QfpayProviderService } from "./qfpay/service"
import { QuantapayProviderService } from "./quantapay/service"

/**
 * This package's providers: the one list the subscriber, the reconciliation job and the webhook routes
 * derive from. Adding a gateway means adding its service class here.
 */
export const PROVIDER_CLASSES = [QfpayProviderService, QuantapayProviderService, QbitpayProviderService] as const

type OurClass = (typeof PROVIDER_CLASSES)[number]
export type OurIdentifier = OurClass["identifier"]
export type OurProvider = InstanceType<OurClass>

const CLASS_BY_IDENTIFIER = new Map<string, OurClass>(PROVIDER_CLASSES.map((k) => [k.identifier, k]))

export type Registration = {
  /** As Medusa knows it, e.g. `pp_qfpay_qfpay-direct`. */
  providerId: string
  identifier: OurIdentifier
  /** The `id` given in medusa-config, e.g. `qfpay-direct`. */
  id: string
  options: Record<string, unknown>
  /** The webhook route segment: /hooks/payment/<segment>. */
  hookSegment: string
}

type ProviderEntry = { resolve?: unknown; id?: string; options?: Record<string, unknown> }

/** Whether an entry of the payment module's `providers` loads one of our classes, decided by loading it as Medusa does. */
async function identifierOf(entry: ProviderEntry, logger?: LoggerLike): Promise<OurIdentifier | undefined> {
  let loaded: unknown = entry.resolve
  if (typeof entry.resolve === "string") {
    try {
      loaded = await dynamicImport(resolveFromProject(normalizeImportPathWithSource(entry.resolve)))
    } catch (error) {
      logger?.warn(`Could not load payment provider ${entry.resolve} to see whether it is one of medusa-payments-hk-crypto's: ${(error as Error).message}`)
      return undefined
    }
  }
  const module = loaded as { default?: { services?: unknown[] }; services?: unknown[] } | undefined
  const services = module?.services ?? module?.default?.services ?? []
  for (const service of services) {
    const identifier = (service as { identifier?: unknown })?.identifier
    const ours = typeof identifier === "string" ? CLASS_BY_IDENTIFIER.get(identifier) : undefined
    // The class itself, or the same class loaded through another path (a built copy of this package).
    if (ours && (service === ours || (service as { paymentsPackage?: string }).paymentsPackage === ours.paymentsPackage)) {
      return ours.identifier
    }
  }
  return undefined
}

const registrationsByConfig = new WeakMap<object, Promise<Registration[]>>()

/** Our providers as registered in the loaded Medusa config (the payment module's `providers`), read once per config. */
export function ourRegistrations(configModule: unknown, logger?: LoggerLike): Promise<Registration[]> {
  const key = (configModule ?? {}) as object
  let found = registrationsByConfig.get(key)
  if (!found) {
    found = findRegistrations(configModule, logger)
    registrationsByConfig.set(key, found)
  }
  return found
}

async function findRegistrations(configModule: unknown, logger?: LoggerLike): Promise<Registration[]> {
  const modules = (configModule as { modules?: unknown })?.modules
  const entries: unknown[] = Array.isArray(modules) ? modules : Object.values((modules as Record<string, unknown>) ?? {})
  const found: Registration[] = []
  for (const entry of entries) {
    const providers = (entry as { options?: { providers?: ProviderEntry[] } })?.options?.providers
    if (!Array.isArray(providers)) continue
    for (const p of providers) {
      const identifier = await identifierOf(p, logger)
      if (!identifier) continue
      const id = p.id ?? ""
      const providerId = `pp_${identifier}${id ? `_${id}` : ""}`
      found.push({ providerId, identifier, id, options: p.options ?? {}, hookSegment: providerId.slice(3) })
    }
  }
  return found
}

const instances = new Map<string, OurProvider>()

/**
 * The provider instance for a registration, built once per process with the store's options (options
 * parsed once, one keep-alive agent) and reused by the subscriber, the job and the routes. Medusa's
 * payment module keeps its own instance for its own calls; both behave the same.
 */
export function providerFor(registration: Registration, logger: LoggerLike): OurProvider {
  let provider = instances.get(registration.providerId)
  if (!provider) {
    const Klass = CLASS_BY_IDENTIFIER.get(registration.identifier)!
    provider = new Klass({ logger }, registration.options) as unknown as OurProvider
    instances.set(registration.providerId, provider)
  }
  return provider
}

/** Whether a provider id (`pp_...` or a hook segment) names one of our identifiers. */
export function isOurProviderId(provider: unknown): boolean {
  if (typeof provider !== "string") return false
  const name = provider.replace(/^pp_/, "")
  return PROVIDER_CLASSES.some((k) => name === k.identifier || name.startsWith(`${k.identifier}_`))
}

/** The registration a ledger attempt was made through (by its provider id, or its gateway for older rows). */
export function registrationOfAttempt(registrations: Registration[], attempt: { gateway: string; provider_id: string | null }): Registration | undefined {
  return registrations.find((r) => r.identifier === attempt.gateway && (!attempt.provider_id || r.providerId === attempt.provider_id))
}
