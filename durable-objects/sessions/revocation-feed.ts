// The revocation feed's storage (decision 0062): one SessionsDO, named
// REVOCATION_FEED_NAME, numbers every revocation announced by the users'
// SessionsDOs. Isolates read it at most once per fresh window with the
// cursor they last saw and forget their memoised answers for the owners it
// names (domain/auth/revocation-feed.ts). Entries are kept RETAIN_MS; an
// isolate whose cursor is older than that, or unknown, is told to start over.
import type { FeedPage } from "../../domain/auth/revocation-feed.ts";

/** The feed object's name in the SESSIONS namespace (a user's object is `user:<id>`, so no clash). */
export const REVOCATION_FEED_NAME = "revocation-feed";
/** Longer than any access token lives, so a cursor this old has nothing left to learn anyway. */
const RETAIN_MS = 30 * 60_000;

export class RevocationFeedLog {
  private ready = false;

  constructor(private readonly sql: SqlStorage) {}

  private ensure(): void {
    if (this.ready) return;
    this.sql.exec(`create table if not exists revocation_feed (
      seq integer primary key autoincrement, owner text not null, at integer not null)`);
    this.ready = true;
  }

  private prunedThrough(): number {
    return (
      this.sql.exec<{ value: number }>("select value from meta where key = 'feed_pruned_through'").toArray()[0]
        ?.value ?? 0
    );
  }

  private head(): number {
    const row = this.sql.exec<{ seq: number | null }>("select max(seq) as seq from revocation_feed").toArray()[0];
    return Math.max(row?.seq ?? 0, this.prunedThrough());
  }

  /** Numbers one announcement; returns its sequence number. */
  append(owner: string, nowMs: number): number {
    this.ensure();
    const seq = this.sql
      .exec<{ seq: number }>("insert into revocation_feed (owner, at) values (?, ?) returning seq", owner, nowMs)
      .toArray()[0]?.seq as number;
    const old = this.sql
      .exec<{ seq: number | null }>("select max(seq) as seq from revocation_feed where at < ?", nowMs - RETAIN_MS)
      .toArray()[0]?.seq;
    if (old !== null && old !== undefined) {
      this.sql.exec("delete from revocation_feed where seq <= ?", old);
      this.sql.exec(
        "insert into meta (key, value) values ('feed_pruned_through', ?) on conflict (key) do update set value = excluded.value",
        old,
      );
    }
    return seq;
  }

  /** What was announced after `cursor`; owners null when the cursor cannot be answered. */
  since(cursor: number | null): FeedPage {
    this.ensure();
    const head = this.head();
    if (cursor === null || cursor < this.prunedThrough() || cursor > head) return { head, owners: null };
    const owners = this.sql
      .exec<{ owner: string }>("select distinct owner from revocation_feed where seq > ?", cursor)
      .toArray()
      .map((r) => r.owner);
    return { head, owners };
  }
}
