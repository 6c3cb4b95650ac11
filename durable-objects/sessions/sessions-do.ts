// One Durable Object per user: the revocation record of their access tokens.
// Strongly consistent (one object, one thread), so the moment sign-out,
// a refresh-token replay or deactivation has written here, every later check
// sees it; the Worker memoises answers for a few seconds per isolate
// (domain/auth/revocation.ts), which bounds how late a revocation bites.
// Why a Durable Object and not KV, D1 or Postgres:
// docs/decisions/0017-hardening-session-revocation.md. Every revocation is
// also announced to the revocation feed (one object of this class, named
// REVOCATION_FEED_NAME) before the call returns, which lets isolates keep a
// live answer past the fresh window (decision 0062).
import { DurableObject } from "cloudflare:workers";
import type { RevocationRecord } from "../../domain/auth/revocation.ts";
import type { FeedPage } from "../../domain/auth/revocation-feed.ts";
import type { Env } from "../../platform/env.ts";
import { logLine } from "../../platform/log.ts";
import { REVOCATION_FEED_NAME, RevocationFeedLog } from "./revocation-feed.ts";

/** A failed announcement is tried again this soon (the alarm), until the feed has it. */
const ANNOUNCE_RETRY_MS = 1_000;

export class SessionsDO extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private revokedBefore: number | null;
  private feedLog: RevocationFeedLog | null = null;

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
      this.markUnannounced();
    });
    await this.announce();
  }

  /** Voids every token issued up to `atSeconds` (the account was deactivated). Never moves back. */
  async revokeAllBefore(atSeconds: number): Promise<void> {
    const next = Math.max(this.revokedBefore ?? 0, atSeconds);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        "insert into meta (key, value) values ('revoked_before', ?) on conflict (key) do update set value = excluded.value",
        next,
      );
      this.markUnannounced();
    });
    this.revokedBefore = next;
    await this.announce();
  }

  async record(sessionId: string): Promise<RevocationRecord> {
    const revoked = this.sql.exec("select 1 from revoked_sessions where session_id = ?", sessionId).toArray();
    return { revokedBefore: this.revokedBefore, sessionRevoked: revoked.length > 0 };
  }

  /** The feed object only: numbers an announcement from a user's object (its id). */
  async feedAppend(owner: string): Promise<number> {
    return this.feed().append(owner, Date.now());
  }

  /** The feed object only: what was announced after `cursor` (an isolate's read, once per fresh window). */
  async feedSince(cursor: number | null): Promise<FeedPage> {
    return this.feed().since(cursor);
  }

  /** Retries an announcement that failed (the revocation itself is already written). */
  override async alarm(): Promise<void> {
    if (this.unannounced()) await this.announce();
  }

  private feed(): RevocationFeedLog {
    this.feedLog ??= new RevocationFeedLog(this.sql);
    return this.feedLog;
  }

  /** In the revocation's own transaction: until the feed has it, the alarm keeps trying. */
  private markUnannounced(): void {
    this.sql.exec(
      "insert into meta (key, value) values ('unannounced', 1) on conflict (key) do update set value = excluded.value",
    );
  }

  private unannounced(): boolean {
    return this.sql.exec("select 1 from meta where key = 'unannounced'").toArray().length > 0;
  }

  /**
   * Tells the feed before the revoking call returns, so "written" means "every isolate refuses the
   * session within the fresh window". A failure is retried by the alarm and thrown to the caller.
   */
  private async announce(): Promise<void> {
    try {
      const feed = this.env.SESSIONS.get(this.env.SESSIONS.idFromName(REVOCATION_FEED_NAME));
      await feed.feedAppend(this.ctx.id.toString());
      this.sql.exec("delete from meta where key = 'unannounced'");
    } catch (err) {
      logLine("warn", "sessions.announce_failed", { error: String(err) });
      // Another call's announcement may have cleared the mark meanwhile: this revocation still needs one.
      this.markUnannounced();
      await this.ctx.storage.setAlarm(Date.now() + ANNOUNCE_RETRY_MS);
      throw err;
    }
  }
}
