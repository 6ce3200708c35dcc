/**
 * Qbit Pay request specifics: body parsing (JSON or form) and credentials. Generic reading and writing is
 * in sandbox/shared/http.ts.
 */
import type { IncomingHttpHeaders } from "node:http"
import { ApiError, type ParsedBody } from "./validation"

/**
 * The fields of a JSON object body or an `application/x-www-form-urlencoded` body (both are accepted:
 * reference §2). An empty body counts as no fields. Anything else is a 400.
 */
export function parseBody(headers: IncomingHttpHeaders, text: string): ParsedBody {
  const mediaType = (headers["content-type"] ?? "").split(";")[0].trim().toLowerCase()
  if (text.trim() === "") return { kind: mediaType === "application/json" ? "json" : "form", fields: {} }
  if (mediaType === "application/json") {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new ApiError(400, "invalid_request_error", "request body is not valid JSON")
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ApiError(400, "invalid_request_error", "request body must be a JSON object")
    }
    return { kind: "json", fields: value as Record<string, unknown> }
  }
  if (mediaType === "application/x-www-form-urlencoded") {
    const fields: Record<string, unknown> = {}
    for (const [name, value] of new URLSearchParams(text)) {
      if (name in fields) throw new ApiError(400, "invalid_request_error", `parameter ${name} is given more than once`)
      fields[name] = value
    }
    return { kind: "form", fields }
  }
  throw new ApiError(400, "invalid_request_error", "Content-Type must be application/json or application/x-www-form-urlencoded")
}

/** The API key of `Authorization: Basic base64(key:)`; undefined unless the password part is empty. */
export function basicAuthKey(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? "")
  if (!match) return undefined
  const decoded = Buffer.from(match[1], "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon <= 0 || colon !== decoded.length - 1) return undefined
  return decoded.slice(0, colon)
}

export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")?.[1]
}
