// The API's own description of itself: the document it serves is the one
// committed for the web client (web/shared/api/openapi.json).
import { describe, expect, it } from "vitest";
import { api } from "../../test/world.ts";
import committed from "../../web/shared/api/openapi.json";

describe("GET /v1/openapi.json", () => {
  it("serves exactly the committed contract", async () => {
    const res = await api("/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(committed);
  });
});
