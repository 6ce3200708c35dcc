/**
 * Access tokens for the hosted H5 page (reference §3): HS256 JWTs `{_id, isAdmin, authCode, iat, exp}`
 * signed with a per-instance random secret, so merchants can only treat them as opaque. Lifetime 30 days
 * × timeScale on the simulator clock.
 */
import { createHmac, randomBytes, randomInt } from "node:crypto"
import { secretsMatch } from "../shared/signatures"
import type { SimClock } from "../shared/clock"

export const TOKEN_LIFETIME_MS = 30 * 24 * 3_600_000

const b64url = (data: string | Buffer): string => Buffer.from(data).toString("base64url")

interface TokenClaims {
  _id: string
  isAdmin: boolean
  authCode: string
  iat: number
  /** Expiry in epoch ms on the simulator clock (`exp` is whole seconds, so it is kept exact here). */
  expMs: number
  exp: number
}

export class TokenIssuer {
  private secret = randomBytes(32)

  constructor(
    private readonly clock: SimClock,
    private readonly lifetimeMs: number
  ) {}

  /** The signing secret as a state file keeps it (hex), so tokens issued before a restart stay valid. */
  exportSecret(): string {
    return this.secret.toString("hex")
  }

  restoreSecret(hex: string): void {
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error("the token secret is not 32 bytes of hex")
    this.secret = Buffer.from(hex, "hex")
  }

  issue(merchantId: string): string {
    const now = this.clock.now()
    const expMs = now + this.lifetimeMs
    const claims: TokenClaims = {
      _id: merchantId,
      isAdmin: false,
      authCode: String(randomInt(0, 1_000_000)).padStart(6, "0"),
      iat: Math.floor(now / 1000),
      expMs,
      exp: Math.ceil(expMs / 1000),
    }
    const unsigned = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`
    return `${unsigned}.${this.mac(unsigned)}`
  }

  /** The merchant id of a well-formed, correctly signed, unexpired token; otherwise undefined. */
  verify(token: string | undefined): string | undefined {
    const parts = token?.split(".") ?? []
    if (parts.length !== 3) return undefined
    const [header, payload, signature] = parts
    if (!secretsMatch(this.mac(`${header}.${payload}`), signature)) return undefined
    let claims: Partial<TokenClaims>
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<TokenClaims>
    } catch {
      return undefined
    }
    if (typeof claims._id !== "string" || typeof claims.expMs !== "number") return undefined
    return this.clock.now() < claims.expMs ? claims._id : undefined
  }

  private mac(text: string): string {
    return createHmac("sha256", this.secret).update(text).digest("base64url")
  }
}
