// The route of a delivery: every accepted position of the courier while the
// order is theirs, kept in the Order DO's own SQLite so support can replay it
// in a dispute ("the courier never came"). Kept for TRAIL_RETENTION_MS after
// the order ends, then deleted by the order's alarm (see
// docs/decisions/0014-courier-app-trail-retention.md).
import type { Fix } from "../../domain/dispatch/fix.ts";

/** Long enough for the customer, the restaurant and support to raise and settle a delivery dispute. */
export const TRAIL_RETENTION_MS = 30 * 24 * 60 * 60_000;
/** Five and a half hours at one fix a second: more than any delivery, and a bound on what one order stores. */
export const MAX_TRAIL_POINTS = 20_000;

export interface TrailPoint {
  courierId: string;
  seq: number;
  lat: number;
  lng: number;
  accuracyM: number;
  /** Device time of the fix. */
  at: number;
  /** Server time the order heard of it: a fix buffered offline arrives late, in a burst. */
  receivedAt: number;
}

export interface TrailStats {
  points: number;
  /** Fixes the zone forwarded twice (same courier and seq); stored once. */
  duplicates: number;
  /** Fixes refused because the trail was full. */
  overflow: number;
}

type Row = {
  courier_id: string;
  seq: number;
  lat: number;
  lng: number;
  accuracy_m: number;
  at: number;
  received_at: number;
};

export const COURIER_TRAIL_TABLE = `create table courier_trail (
  courier_id text not null, seq integer not null, lat real not null, lng real not null,
  accuracy_m real not null, at integer not null, received_at integer not null,
  primary key (courier_id, seq))`;

export class CourierTrail {
  /** Rows in courier_trail, counted once then kept in step (undefined: not counted yet): record() checks it per position. */
  private rows: number | undefined;

  /**
   * `tables`: which of the trail's tables the object has (OrderStorage creates `courier_trail` with
   * the others); the counts of duplicates and overflow, rare, get their table on the first one.
   */
  constructor(
    private readonly sql: SqlStorage,
    private hasCounts: boolean,
  ) {}

  private count(key: "duplicates" | "overflow"): number {
    if (!this.hasCounts) return 0;
    return this.sql.exec<{ n: number }>("select n from courier_trail_counts where key = ?", key).toArray()[0]?.n ?? 0;
  }

  private bump(key: "duplicates" | "overflow", by: number): void {
    if (by <= 0) return;
    if (!this.hasCounts) {
      this.sql.exec("create table if not exists courier_trail_counts (key text primary key, n integer not null)");
      this.hasCounts = true;
    }
    this.sql.exec(
      "insert into courier_trail_counts (key, n) values (?, ?) on conflict (key) do update set n = n + excluded.n",
      key,
      by,
    );
  }

  points(): number {
    if (this.rows === undefined) {
      this.rows = this.sql.exec<{ n: number }>("select count(*) as n from courier_trail").toArray()[0]?.n ?? 0;
    }
    return this.rows;
  }

  /** Idempotent by (courier, seq): a fix forwarded twice is stored once and counted as a duplicate. */
  record(courierId: string, fixes: readonly Fix[], receivedAt: number): { added: number; duplicates: number } {
    let room = MAX_TRAIL_POINTS - this.points();
    let added = 0;
    let duplicates = 0;
    let overflow = 0;
    for (const fix of fixes) {
      if (room <= 0) {
        overflow++;
        continue;
      }
      const written = this.sql.exec(
        `insert into courier_trail (courier_id, seq, lat, lng, accuracy_m, at, received_at)
         values (?, ?, ?, ?, ?, ?, ?) on conflict (courier_id, seq) do nothing`,
        courierId,
        fix.seq,
        fix.lat,
        fix.lng,
        fix.accuracyM,
        fix.at,
        receivedAt,
      ).rowsWritten;
      if (written > 0) {
        added++;
        room--;
        this.rows = (this.rows ?? 0) + 1;
      } else {
        duplicates++;
      }
    }
    this.bump("duplicates", duplicates);
    this.bump("overflow", overflow);
    return { added, duplicates };
  }

  /** When the order last heard from this courier (server clock), or null. */
  lastSeenAt(courierId: string): number | null {
    const row = this.sql
      .exec<{ at: number | null }>("select max(received_at) as at from courier_trail where courier_id = ?", courierId)
      .toArray()[0];
    return row?.at ?? null;
  }

  /** The newest position of this courier, to find the zone cell they are in. */
  lastPosition(courierId: string): { lat: number; lng: number } | null {
    const row = this.sql
      .exec<{ lat: number; lng: number }>(
        "select lat, lng from courier_trail where courier_id = ? order by seq desc limit 1",
        courierId,
      )
      .toArray()[0];
    return row ? { lat: row.lat, lng: row.lng } : null;
  }

  /** In the order the positions reached the order (rowid), which for each courier is also seq order. */
  list(limit: number, offset: number): TrailPoint[] {
    return this.sql
      .exec<Row>(
        "select courier_id, seq, lat, lng, accuracy_m, at, received_at from courier_trail order by rowid limit ? offset ?",
        limit,
        offset,
      )
      .toArray()
      .map((r) => ({
        courierId: r.courier_id,
        seq: r.seq,
        lat: r.lat,
        lng: r.lng,
        accuracyM: r.accuracy_m,
        at: r.at,
        receivedAt: r.received_at,
      }));
  }

  stats(): TrailStats {
    return { points: this.points(), duplicates: this.count("duplicates"), overflow: this.count("overflow") };
  }

  purge(): void {
    this.sql.exec("delete from courier_trail");
    this.rows = 0;
  }
}
