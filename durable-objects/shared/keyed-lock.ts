// Serialises async work per key (one order's offer loop, one courier's stream)
// across awaits: a Durable Object's input gate lets other calls in at every
// await, so work that reads, awaits and writes must queue behind its key.
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Whether work under this key is running or queued. */
  held(key: string): boolean {
    return this.tails.has(key);
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release = (): void => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
