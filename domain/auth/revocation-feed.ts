// The isolate's view of the revocation feed (decision 0062). Every revocation
// written to a user's SessionsDO is also announced, before the revoking call
// returns, to one feed object that numbers announcements in order. An isolate
// reads the feed at most once per fresh window (`REVOCATION_FRESH_MS`) and
// then knows every revocation announced before that read was sent. So a live
// answer it memoised for a session stays usable past the fresh window, until
// the token expires, as long as the isolate has read the feed within the
// window and the feed named no revocation of that user after the answer was
// fetched: a revoked session is still refused within the fresh window
// everywhere, but an isolate asks one object per window instead of one per
// user and window.
import { REVOCATION_FRESH_MS } from "./revocation.ts";

/** One read of the feed: its head, and which owners (SessionsDO ids) announced since the cursor sent. */
export interface FeedPage {
  head: number;
  /** null: the cursor is unknown to the feed (first read, too old, or the feed was reset); trust nothing older. */
  owners: string[] | null;
}

export interface FetchStart {
  head: number | null;
  generation: number;
}

export type FeedApplied = { reset: true } | { reset: false; owners: string[] };

export class RevocationFeedView {
  /** The feed's head as of the last read applied; null before the first. */
  private head: number | null = null;
  /** When (this isolate's clock) the last applied read was sent: everything announced before it is known. */
  private sentAt = Number.NEGATIVE_INFINITY;
  /** Counts the reads that started over: an answer fetched before one cannot be held. */
  private generation = 0;
  /** Owners named by recent reads, with the head that named them; bounded, oldest dropped first. */
  private readonly namedAt = new Map<string, number>();

  constructor(
    private readonly freshMs = REVOCATION_FRESH_MS,
    private readonly maxNamed = 10_000,
  ) {}

  /** The cursor to send with the next read. */
  get cursor(): number | null {
    return this.head;
  }

  /** Taken when a fetch of a user's record begins; turned into the answer's stamp when it ends. */
  start(): FetchStart {
    return { head: this.head, generation: this.generation };
  }

  /** Whether a read is needed before a memoised answer past its fresh window may be used. */
  due(nowMs: number): boolean {
    return nowMs - this.sentAt >= this.freshMs;
  }

  apply(page: FeedPage, sentAtMs: number): FeedApplied {
    if (page.owners === null || (this.head !== null && page.head < this.head)) {
      this.namedAt.clear();
      this.generation++;
      this.head = page.head;
      this.sentAt = sentAtMs;
      return { reset: true };
    }
    for (const owner of page.owners) {
      this.namedAt.delete(owner);
      this.namedAt.set(owner, page.head);
    }
    while (this.namedAt.size > this.maxNamed) {
      const oldest = this.namedAt.keys().next().value;
      if (oldest === undefined) break;
      this.namedAt.delete(oldest);
    }
    this.head = page.head;
    this.sentAt = Math.max(this.sentAt, sentAtMs);
    return { reset: false, owners: page.owners };
  }

  /**
   * The cursor to stamp on an answer whose fetch began at `start`: null (never held past its fresh
   * window) when a read applied during the fetch named its owner or started over, since the fetch
   * may have read the record before that revocation was written.
   */
  stamp(owner: string, start: FetchStart): number | null {
    if (start.head === null || start.generation !== this.generation) return null;
    const named = this.namedAt.get(owner);
    return named !== undefined && named > start.head ? null : start.head;
  }

  /** May a live answer for `owner`, fetched at feed cursor `stamp`, be used at `nowMs`? */
  vouches(owner: string, stamp: number | null, nowMs: number): boolean {
    if (stamp === null || this.head === null || this.due(nowMs)) return false;
    const named = this.namedAt.get(owner);
    return named === undefined || named <= stamp;
  }
}
