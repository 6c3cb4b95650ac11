// Postgres adapter for the per-account sign-in back-off
// (domain/auth/sign-in-throttle.ts). The row is keyed by a hash of the
// normalised e-mail, exists for unknown e-mails too, and is written with a
// version check so that concurrent guesses are counted one by one.
import { and, eq, lt, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { signInThrottle } from "../../../db/schema.ts";
import { beginAttempt, SIGN_IN_THROTTLE, type ThrottleState } from "../../../domain/auth/sign-in-throttle.ts";

export type SignInGate = { allowed: true; accountKey: string } | { allowed: false; retryAfterMs: number };

export async function accountKey(email: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`sign-in:${email}`));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const MAX_RACES = 5;

/** Counts this attempt against the account before the password is checked, or refuses it while it must wait. */
export async function beginSignIn(db: Database, email: string, now = Date.now()): Promise<SignInGate> {
  const key = await accountKey(email);
  for (let race = 0; race < MAX_RACES; race++) {
    const [row] = await db.select().from(signInThrottle).where(eq(signInThrottle.accountKey, key)).limit(1);
    const state: ThrottleState | null = row
      ? {
          failures: row.failures,
          blockedUntil: row.blockedUntil?.getTime() ?? null,
          lastFailureAt: row.lastFailureAt.getTime(),
        }
      : null;
    const decision = beginAttempt(state, now, SIGN_IN_THROTTLE);
    if (!decision.allowed) return decision;
    const values = {
      failures: decision.next.failures,
      blockedUntil: decision.next.blockedUntil === null ? null : new Date(decision.next.blockedUntil),
      lastFailureAt: new Date(decision.next.lastFailureAt),
    };
    const written = row
      ? await db
          .update(signInThrottle)
          .set({ ...values, version: row.version + 1 })
          .where(and(eq(signInThrottle.accountKey, key), eq(signInThrottle.version, row.version)))
          .returning({ key: signInThrottle.accountKey })
      : await db
          .insert(signInThrottle)
          .values({ accountKey: key, ...values })
          .onConflictDoNothing()
          .returning({ key: signInThrottle.accountKey });
    if (written.length > 0) return { allowed: true, accountKey: key };
    // Someone else's guess at the same account was counted first: read again.
  }
  // Losing this many races means a burst of parallel guesses at one account.
  return { allowed: false, retryAfterMs: 1_000 };
}

/** The right password clears the count. */
export async function signInSucceeded(db: Database, key: string): Promise<void> {
  await db.delete(signInThrottle).where(eq(signInThrottle.accountKey, key));
}

/** Rows for e-mails nobody tried for a day: dropped a batch at a time, now and then, off the request path. */
export async function pruneSignInThrottle(db: Database, now = Date.now()): Promise<void> {
  const cutoff = new Date(now - 24 * 3600_000);
  await db
    .delete(signInThrottle)
    .where(
      sql`${signInThrottle.accountKey} in (select ${signInThrottle.accountKey} from ${signInThrottle} where ${lt(signInThrottle.lastFailureAt, cutoff)} limit 500)`,
    );
}
