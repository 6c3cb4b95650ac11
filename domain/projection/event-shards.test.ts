import { describe, expect, it } from "vitest";
import { eventQueueBinding, eventShard, eventShardCount, MAX_EVENT_SHARDS } from "./event-shards.ts";

const ids = Array.from(
  { length: 4000 },
  (_, i) => `0000${i.toString(16)}-8e3c-4ce6-9048-ec60051a${(i % 97).toString(16)}`,
);

describe("event queue shards", () => {
  it("reads the configured count, falling back to one queue on anything else", () => {
    expect(eventShardCount(undefined)).toBe(1);
    expect(eventShardCount("")).toBe(1);
    expect(eventShardCount("4")).toBe(4);
    expect(eventShardCount(16)).toBe(16);
    expect(eventShardCount("0")).toBe(1);
    expect(eventShardCount("2.5")).toBe(1);
    expect(eventShardCount("sixteen")).toBe(1);
    expect(eventShardCount(String(MAX_EVENT_SHARDS + 1))).toBe(1);
  });

  it("keeps every event of one order on one queue, and one queue means EVENTS", () => {
    for (const id of ids.slice(0, 50)) {
      expect(eventQueueBinding(id, 1)).toBe("EVENTS");
      expect(eventQueueBinding(id, 16)).toBe(eventQueueBinding(id, 16));
    }
  });

  it("spreads orders evenly over the shards", () => {
    for (const shards of [4, 16]) {
      const counts = new Array<number>(shards).fill(0);
      for (const id of ids) counts[eventShard(id, shards)] = (counts[eventShard(id, shards)] ?? 0) + 1;
      const expected = ids.length / shards;
      for (const count of counts) expect(Math.abs(count - expected) / expected).toBeLessThan(0.2);
    }
    expect(eventQueueBinding(ids[0] as string, 4)).toMatch(/^EVENTS(_[1-3])?$/);
  });
});
