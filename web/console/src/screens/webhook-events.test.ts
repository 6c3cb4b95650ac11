import { describe, expect, it } from "vitest";
import { SUBSCRIBABLE_EVENT_TYPES } from "../../../../domain/webhooks/endpoints.ts";
import { COMMON, SUBSCRIBABLE } from "./webhook-events.ts";

describe("the console's webhook event types", () => {
  it("are exactly the ones the server lets a partner subscribe to", () => {
    expect([...SUBSCRIBABLE].sort()).toEqual([...SUBSCRIBABLE_EVENT_TYPES].sort());
    for (const type of COMMON) expect(SUBSCRIBABLE).toContain(type);
  });
});
