// Webhook delivery signed the way Stripe signs: `t=<unix>,v1=<hex HMAC-SHA256
// of "<t>.<raw body>" keyed with the endpoint secret>`, so the platform's real
// verifier (stripe.webhooks.constructEventAsync) accepts it unchanged.
import { createHmac } from "node:crypto";
import type { StandinEvent } from "./store.ts";

export function signWebhookPayload(secret: string, payload: string, timestamp: number): string {
  const signature = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

export interface DeliveryOptions {
  secret: string;
  getUrl(): string | undefined;
  maxAttempts: number;
  initialBackoffMs: number;
  timeoutMs: number;
  log(message: string): void;
}

// One queue so events reach the receiver in the order they happened; Stripe
// does not promise order, but a deterministic dev loop is easier to debug, and
// the bounded retries keep one failing event from stalling the queue for long.
export class WebhookDispatcher {
  private tail: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: DeliveryOptions) {}

  enqueue(event: StandinEvent): void {
    if (this.abort.signal.aborted) return;
    // Serialised now, not at send time, so later changes to the stored
    // object cannot leak into an event that describes an earlier moment.
    const body = JSON.stringify(event, null, 2);
    this.tail = this.tail.then(() => this.deliver(event, body)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.abort.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.tail;
  }

  // Resolves once the queue is empty: tests use it to wait for deliveries.
  idle(): Promise<void> {
    return this.tail;
  }

  private async deliver(event: StandinEvent, body: string): Promise<void> {
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      const url = this.options.getUrl();
      if (!url || this.abort.signal.aborted) return;
      const outcome = await this.attempt(url, body);
      if (outcome === "delivered") {
        event.pending_webhooks = Math.max(0, event.pending_webhooks - 1);
        this.options.log(`webhook ${event.type} ${event.id} -> ${url} delivered (attempt ${attempt})`);
        return;
      }
      this.options.log(`webhook ${event.type} ${event.id} -> ${url} failed (attempt ${attempt}): ${outcome}`);
      if (attempt < this.options.maxAttempts) {
        await this.sleep(this.options.initialBackoffMs * 2 ** (attempt - 1));
      }
    }
    this.options.log(`webhook ${event.type} ${event.id} abandoned after ${this.options.maxAttempts} attempts`);
  }

  private async attempt(url: string, body: string): Promise<"delivered" | string> {
    // Stripe signs every attempt afresh, so a retry is not rejected by the
    // receiver's timestamp tolerance.
    const signature = signWebhookPayload(this.options.secret, body, Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json; charset=utf-8",
          "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "Stripe-Signature": signature,
        },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      // Drain so the keep-alive socket is released.
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? "delivered" : `HTTP ${response.status}`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.abort.signal.aborted) return resolve();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
      this.abort.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }
}
