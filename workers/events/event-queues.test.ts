// The outbox's choice of events queue: one queue unless EVENTS_SHARDS says
// otherwise, the order's shard when it does, and EVENTS when a shard's
// binding is missing (a configuration slip must not lose or delay events).
import { describe, expect, it } from "vitest";
import { eventQueueBinding } from "../../domain/projection/event-shards.ts";
import { eventsQueue } from "./event-queues.ts";

const metrics = { backlogCount: 0, backlogBytes: 0 };

/** A queue that only answers to its name: the choice is under test, not the sending. */
class NamedQueue implements Queue<unknown> {
  constructor(readonly name: string) {}
  async metrics() {
    return metrics;
  }
  async send() {
    return { metadata: { metrics } };
  }
  async sendBatch() {
    return { metadata: { metrics } };
  }
}
const queue = (name: string) => new NamedQueue(name);
const nameOf = (chosen: Queue<unknown>) => (chosen instanceof NamedQueue ? chosen.name : "not a test queue");
const orderIds = Array.from({ length: 64 }, () => crypto.randomUUID());

describe("eventsQueue", () => {
  it("is EVENTS when unsharded, whatever the order", () => {
    const env = { EVENTS: queue("EVENTS") };
    for (const id of orderIds) expect(eventsQueue(env, id)).toBe(env.EVENTS);
    expect(eventsQueue({ ...env, EVENTS_SHARDS: "1" }, orderIds[0])).toBe(env.EVENTS);
  });

  it("is the order's shard when sharded, and EVENTS for a shard with no binding", () => {
    const full = {
      EVENTS: queue("EVENTS"),
      EVENTS_1: queue("EVENTS_1"),
      EVENTS_2: queue("EVENTS_2"),
      EVENTS_3: queue("EVENTS_3"),
    };
    const used = new Set<string>();
    for (const id of orderIds) {
      const chosen = nameOf(eventsQueue({ ...full, EVENTS_SHARDS: "4" }, id));
      expect(chosen).toBe(eventQueueBinding(id, 4));
      used.add(chosen);
    }
    expect(used.size).toBe(4);
    const missing = { EVENTS: full.EVENTS, EVENTS_SHARDS: "4" };
    for (const id of orderIds) expect(eventsQueue(missing, id)).toBe(full.EVENTS);
    expect(eventsQueue({ ...full, EVENTS_SHARDS: "4" }, undefined)).toBe(full.EVENTS);
  });
});
