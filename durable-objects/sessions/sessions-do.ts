// One Durable Object per user: the revocation record of their access tokens.
// Strongly consistent (one object, one thread), so the moment sign-out,
// a refresh-token replay or deactivation has written here, every later check
// sees it; the Worker memoises answers for a few seconds per isolate
// (domain/auth/revocation.ts), which bounds how late a revocation bites.
// Why a Durable Object and not KV, D1 or Postgres:
// docs/decisions/0017-hardening-session-revocation.md.
import { DurableObject } from "cloudflare:workers";
import type { RevocationRecord } from "../../domain/auth/revocation.ts";
import type { Env } from "../../platform/env.ts";

export class SessionsDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private revokedBefore: number | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`create table if not exists revoked_sessions (
      session_id text primary key,
      -- After this second no access token of the session can be alive: the row may go.
      until integer not null
    )`);
    this.sql.exec("create table if not exists meta (key text primary key, value integer not null)");
    const row = this.sql.exec<{ value: number }>("select value from meta where key = 'revoked_before'").toArray()[0];
    this.revokedBefore = row?.value ?? null;
  }

  /** Signs one session out. `untilSeconds`: when its last access token expires at the latest. */
  async revokeSession(sessionId: string, untilSeconds: number): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("delete from revoked_sessions where until < ?", now);
      this.sql.exec(
        `insert into revoked_sessions (session_id, until) values (?, ?)
         on conflict (session_id) do update set until = max(until, excluded.until)`,
        sessionId,
        untilSeconds,
      );
    });
  }

  /** Voids every token issued up to `atSeconds` (the account was deactivated). Never moves back. */
  async revokeAllBefore(atSeconds: number): Promise<void> {
    const next = Math.max(this.revokedBefore ?? 0, atSeconds);
    this.sql.exec(
      "insert into meta (key, value) values ('revoked_before', ?) on conflict (key) do update set value = excluded.value",
      next,
    );
    this.revokedBefore = next;
  }

  async record(sessionId: string): Promise<RevocationRecord> {
    const revoked = this.sql.exec("select 1 from revoked_sessions where session_id = ?", sessionId).toArray();
    return { revokedBefore: this.revokedBefore, sessionRevoked: revoked.length > 0 };
  }
}
