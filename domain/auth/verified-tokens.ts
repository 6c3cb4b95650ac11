// Access tokens this isolate has already verified. An ES256 signature check
// costs more CPU than the rest of authentication together, and a client sends
// the same token with every request for its whole lifetime; the signature of a
// given token string cannot become valid or invalid later, only its expiry
// can, so the claims are reused until `exp`. Revocation is not decided here:
// the session check (revocation.ts) still runs on every request.
import type { AccessClaims } from "./tokens.ts";

export class VerifiedTokens {
  private readonly entries = new Map<string, AccessClaims>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The claims of a token verified before, if it has not expired by `nowMs`. */
  get(token: string, nowMs: number): AccessClaims | undefined {
    const claims = this.entries.get(token);
    if (!claims) return undefined;
    // The same rule as the verifier (jose): expired once the current second reaches `exp`.
    if (Math.floor(nowMs / 1000) >= claims.expiresAt) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: AccessClaims): void {
    this.entries.delete(token);
    this.entries.set(token, claims);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
