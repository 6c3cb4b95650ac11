// Which events queue carries an order's events when the pipeline is sharded
// (docs/sizing.md, decision 0036): one queue carries about 5,000 messages/s,
// Year 1 needs ~13,000 and Year 5 ~48,000. Keyed by the order id, so every
// event of one order goes through the same queue, in the order the Order DO
// sends them. Shard 0 is the `EVENTS` binding, shard n the `EVENTS_<n>` one;
// every shard has the same consumer.

/** The most shards a deployment may configure (Cloudflare allows far more queues; this bounds a typo). */
export const MAX_EVENT_SHARDS = 64;

/** `EVENTS_SHARDS` as configured: a whole number from 1 to MAX_EVENT_SHARDS, else 1 (unsharded). */
export function eventShardCount(configured: string | number | undefined): number {
  const n = typeof configured === "number" ? configured : Number(configured ?? "");
  return Number.isInteger(n) && n >= 1 && n <= MAX_EVENT_SHARDS ? n : 1;
}

/** FNV-1a over the id's UTF-16 code units: stable across runtimes and deploys. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function eventShard(orderId: string, shards: number): number {
  return shards <= 1 ? 0 : fnv1a(orderId) % shards;
}

/** The binding name of the queue for this order's events. */
export function eventQueueBinding(orderId: string, shards: number): string {
  const shard = eventShard(orderId, shards);
  return shard === 0 ? "EVENTS" : `EVENTS_${shard}`;
}
