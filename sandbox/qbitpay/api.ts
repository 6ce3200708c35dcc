/** The merchant API under /api/v1 (reference §3, §5, §7, §8.6): one handler per route. */
import type { Merchant, QbitCore } from "./core"
import type { FaultTarget } from "./types"
import {
  ApiError,
  invalidParams,
  isHttpUrl,
  parseCreateCharge,
  parseListQuery,
  parseUpdateCharge,
  type ParsedBody,
} from "./validation"

export interface ApiCall {
  merchant: Merchant
  /** The `:id` path segment, decoded. */
  id: string
  query: URLSearchParams
  body: ParsedBody
}

export interface ApiRoute {
  method: "GET" | "POST" | "PUT"
  pattern: RegExp
  /** Fault target consumed by this route, if any. */
  faultTarget?: FaultTarget
  handle(core: QbitCore, call: ApiCall): unknown
}

const ID = "([^/]+)"

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: "GET",
    pattern: /^\/api\/v1\/accessToken$/,
    faultTarget: "/api/v1/accessToken",
    handle: (core, { merchant }) => ({ accessToken: core.tokens.issue(merchant.id) }),
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/charges$/,
    faultTarget: "/api/v1/charges",
    handle: (core, { merchant, body }) => core.createCharge(merchant, parseCreateCharge(body)),
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/charges$/,
    handle: (core, { merchant, query }) => ({
      object: "list",
      url: "/api/v1/charges",
      data: core.listCharges(merchant, parseListQuery(query)),
    }),
  },
  {
    method: "GET",
    pattern: new RegExp(`^/api/v1/charges/${ID}$`),
    faultTarget: "/api/v1/charges/:id",
    handle: (core, { merchant, id }) => core.view(core.ownCharge(merchant, id)),
  },
  {
    method: "PUT",
    pattern: new RegExp(`^/api/v1/charges/${ID}$`),
    handle: (core, { merchant, id, body }) => {
      core.ownCharge(merchant, id)
      parseUpdateCharge(body)
      return core.merchantMarksBuyerPaid(merchant, id)
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/events\/test$/,
    handle: (core, { merchant, query }) => core.sendTestEvent(merchant, testEventUrl(merchant, query)),
  },
]

/** `?cbUrl=` when given (an http(s) URL), else the account's webhook URL; 400 when there is neither. */
function testEventUrl(merchant: Merchant, query: URLSearchParams): string {
  const given = query.getAll("cbUrl")
  if (given.length > 1) throw invalidParams([{ field: "cbUrl", code: "invalid", message: "cbUrl is invalid: must be given once" }])
  if (given.length === 1) {
    if (!isHttpUrl(given[0])) {
      throw invalidParams([{ field: "cbUrl", code: "invalid", message: "cbUrl is invalid: must be an absolute http(s) URL" }])
    }
    return given[0]
  }
  if (merchant.webhookUrl) return merchant.webhookUrl
  throw invalidParams([{ field: "cbUrl", code: "missing_field", message: "cbUrl is required: no webhook URL is configured for this account" }])
}

/** The route for a method and path, with its decoded `:id`; a path known under another method is a 404 too. */
export function findApiRoute(method: string, path: string): { route: ApiRoute; id: string } {
  for (const route of API_ROUTES) {
    const match = route.method === method ? route.pattern.exec(path) : null
    if (match) {
      let id = match[1] ?? ""
      try {
        id = decodeURIComponent(id)
      } catch {
        // A malformed escape stays as it is: no charge has such an id, so it ends in 404.
      }
      return { route, id }
    }
  }
  throw new ApiError(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path})`)
}
