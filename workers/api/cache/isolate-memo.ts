// A per-isolate memo in front of a KV entry that many requests read: the value
// parsed once and reused while it is fresh, then revalidated against KV's text.
//
// Why two steps: within `freshMs` a request skips KV entirely (no read, no
// parse); after that it reads KV's text again and, if the text is unchanged,
// keeps the parsed value (no parse). So an edit is seen by every isolate at
// most `freshMs` after KV has it, and at once by the isolate that made it
// (the edit paths call `forget`). KV itself propagates across locations in up
// to 60 s, so the window adds little to the staleness KV already has
// (docs/decisions/0047-per-isolate-caches-on-placement.md).

export const MEMO_FRESH_MS = 2_000;

interface Entry<T> {
  raw: string;
  value: T;
  checkedAt: number;
}

export class IsolateMemo<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly freshMs = MEMO_FRESH_MS,
    private readonly maxEntries = 2_000,
  ) {}

  /** The value if it was read from KV less than `freshMs` ago. */
  fresh(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (!entry || now - entry.checkedAt >= this.freshMs) return undefined;
    return entry.value;
  }

  /**
   * The value for KV's current text: the memoised one when the text is the same
   * (marked fresh again), otherwise `parse(raw)`, memoised.
   */
  resolve(key: string, raw: string, now: number, parse: (raw: string) => T): T {
    const entry = this.entries.get(key);
    if (entry && entry.raw === raw) {
      entry.checkedAt = now;
      return entry.value;
    }
    const value = parse(raw);
    this.set(key, raw, value, now);
    return value;
  }

  set(key: string, raw: string, value: T, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { raw, value, checkedAt: now });
    // Map keeps insertion order: the least recently written go first.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
