// Cloudflare's published list prices (Workers Paid plan, USD), as read from
// developers.cloudflare.com on the date below. The one place the cost table
// (bench/cost.ts) takes prices from: when Cloudflare changes a price, change
// it here with the new date and source, and rerun `npx tsx bench/cost.ts`.
// Monthly included allowances are left out on purpose: at Year-1 volumes
// (1,000 orders/s at peak) they are used up within hours, so the marginal
// price is the one that matters per order.

export const PRICES_READ_ON = "2026-11-29";

export interface Price {
  /** USD per one million units. */
  usdPerMillion: number;
  unit: string;
  source: string;
  note?: string;
}

export const PRICES = {
  workerRequest: {
    usdPerMillion: 0.3,
    unit: "Worker invocation (HTTP request, queue consumer batch, cron)",
    source: "https://developers.cloudflare.com/workers/platform/pricing/ (Standard: 10 M included, +$0.30/M)",
    note: "Subrequests (DO calls, KV, fetch) are not billed as Worker requests.",
  },
  workerCpuMs: {
    usdPerMillion: 0.02,
    unit: "CPU millisecond",
    source: "https://developers.cloudflare.com/workers/platform/pricing/ (30 M CPU-ms included, +$0.02/M CPU-ms)",
  },
  doRequest: {
    usdPerMillion: 0.15,
    unit: "Durable Object request (RPC call, HTTP request, alarm invocation; incoming WebSocket messages at 20:1)",
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/ (1 M included, +$0.15/M)",
  },
  doDurationGbS: {
    usdPerMillion: 12.5,
    unit: "Durable Object GB-second of wall time while active (128 MB per object)",
    source:
      "https://developers.cloudflare.com/durable-objects/platform/pricing/ (400,000 GB-s included, +$12.50/M GB-s)",
    note: "Hibernatable idle objects are not billed; an active object bills 0.125 GB-s per second.",
  },
  doRowsRead: {
    usdPerMillion: 0.001,
    unit: "SQLite-backed Durable Object row read",
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/ (storage billing, same rates as D1)",
  },
  doRowsWritten: {
    usdPerMillion: 1.0,
    unit: "SQLite-backed Durable Object row written",
    source: "https://developers.cloudflare.com/durable-objects/platform/pricing/ (storage billing, same rates as D1)",
  },
  queueOperation: {
    usdPerMillion: 0.4,
    unit: "Queues operation (per 64 KB written, read or deleted; a delivered message is 3)",
    source: "https://developers.cloudflare.com/queues/platform/pricing/ (1 M included, +$0.40/M operations)",
    note: "Each retry is one more read; a dead-lettered message one more write.",
  },
  kvRead: {
    usdPerMillion: 0.5,
    unit: "KV key read",
    source: "https://developers.cloudflare.com/kv/platform/pricing/ (10 M included, +$0.50/M)",
  },
  kvWrite: {
    usdPerMillion: 5.0,
    unit: "KV key write",
    source: "https://developers.cloudflare.com/kv/platform/pricing/ (1 M included, +$5.00/M)",
  },
  d1RowsRead: {
    usdPerMillion: 0.001,
    unit: "D1 row read",
    source: "https://developers.cloudflare.com/d1/platform/pricing/ (25 B included, +$0.001/M)",
  },
  d1RowsWritten: {
    usdPerMillion: 1.0,
    unit: "D1 row written",
    source: "https://developers.cloudflare.com/d1/platform/pricing/ (50 M included, +$1.00/M)",
  },
  analyticsDataPoint: {
    usdPerMillion: 0.25,
    unit: "Workers Analytics Engine data point written",
    source: "https://developers.cloudflare.com/analytics/analytics-engine/pricing/ (10 M included, +$0.25/M)",
  },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;
