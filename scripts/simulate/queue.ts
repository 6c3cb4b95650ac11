// The scenario's clock: callbacks due at simulated instants, run in time
// order (ties in the order they were scheduled), on a binary heap.
export class EventQueue {
  now = 0;
  private heap: Array<{ at: number; n: number; run: () => void }> = [];
  private counter = 0;

  at(at: number, run: () => void): void {
    const item = { at: Math.max(at, this.now), n: this.counter++, run };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i] as typeof item, h[parent] as typeof item)) break;
      [h[i], h[parent]] = [h[parent] as typeof item, h[i] as typeof item];
      i = parent;
    }
  }

  /** Runs everything due up to `until`; returns how many callbacks ran. */
  run(until: number): number {
    let ran = 0;
    while (this.heap.length > 0 && (this.heap[0]?.at ?? Number.POSITIVE_INFINITY) <= until) {
      const item = this.pop();
      this.now = item.at;
      item.run();
      ran++;
    }
    return ran;
  }

  private less(a: { at: number; n: number }, b: { at: number; n: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.n < b.n);
  }

  private pop() {
    const h = this.heap;
    const top = h[0] as (typeof h)[number];
    const last = h.pop() as (typeof h)[number];
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l] as typeof last, h[m] as typeof last)) m = l;
        if (r < h.length && this.less(h[r] as typeof last, h[m] as typeof last)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as typeof last, h[i] as typeof last];
        i = m;
      }
    }
    return top;
  }
}
