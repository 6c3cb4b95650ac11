// Which requests get their own log line, and the per-isolate summary that stands in for the rest
// (decision 58). A failed, state-changing or slow request is always logged on its own, with its
// request and trace ids. A successful read (GET/HEAD answering 2xx/3xx quickly) is counted
// instead, by route and status, and the counts go out as one `requests.summary` line per isolate
// at most once a second (or every MAX_COUNTED reads): a cached menu's 304 is the API's most
// frequent answer, and a line per 304 was about as much work for the runtime as the answer itself.

/** A successful read slower than this still gets its own line: it is worth finding by request id. */
export const SLOW_READ_MS = 250;
/** The summary goes out once this much time has passed since its first count... */
export const SUMMARY_INTERVAL_MS = 1000;
/** ...or once this many reads are counted, whichever comes first. */
export const MAX_COUNTED = 1000;

export interface RequestOutcome {
  method: string;
  status: number;
  ms: number;
}

/** "every": a line per request, as before decision 58 (for debugging a deployment); anything else: summarised reads. */
export function ownLine(outcome: RequestOutcome, mode: string | undefined): boolean {
  if (mode === "every") return true;
  const read = outcome.method === "GET" || outcome.method === "HEAD";
  return !read || outcome.status >= 400 || outcome.status < 200 || outcome.ms >= SLOW_READ_MS;
}

export interface SummaryRow {
  method: string;
  route: string;
  status: number;
  count: number;
  maxMs: number;
}

export interface Summary {
  /** Milliseconds from the first counted read to this flush. */
  windowMs: number;
  requests: number;
  routes: SummaryRow[];
}

/** Counts successful reads per (method, route, status); `count` returns a summary when it is due. */
export class ReadSummary {
  private rows = new Map<string, SummaryRow>();
  private total = 0;
  private openedAt = 0;

  count(method: string, route: string, outcome: RequestOutcome, now: number): Summary | null {
    if (this.total === 0) this.openedAt = now;
    const key = `${method} ${route} ${outcome.status}`;
    const row = this.rows.get(key);
    if (row) {
      row.count++;
      if (outcome.ms > row.maxMs) row.maxMs = outcome.ms;
    } else this.rows.set(key, { method, route, status: outcome.status, count: 1, maxMs: outcome.ms });
    this.total++;
    if (this.total >= MAX_COUNTED || now - this.openedAt >= SUMMARY_INTERVAL_MS) return this.flush(now);
    return null;
  }

  private flush(now: number): Summary {
    const summary = { windowMs: now - this.openedAt, requests: this.total, routes: [...this.rows.values()] };
    this.rows = new Map();
    this.total = 0;
    return summary;
  }
}
