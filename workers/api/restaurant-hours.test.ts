// Hours as staff manage them: weekly slots (several a day, past midnight),
// special days and a temporary pause. Discovery and placement must follow
// each change at once, and bad input must change nothing.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { restaurants } from "../../db/schema.ts";
import { localParts } from "../../domain/restaurant/local-time.ts";
import { api, createWorld, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";

let world: World;
let tokens: WorldTokens;

interface ErrorBody {
  error: { code: string; message: string; opensAt?: string | null; details?: Array<{ path: string; code: string }> };
}
interface Listed {
  id: string;
  openNow: boolean;
  opensAt: string | null;
  pausedUntil: string | null;
}

const ALWAYS = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
});

function putHours(json: unknown, token = tokens.staff, restaurantId = world.restaurantId) {
  return api(`/v1/restaurants/${restaurantId}/hours`, { method: "PUT", token, json });
}

async function listed(restaurantId = world.restaurantId): Promise<Listed | undefined> {
  const res = await api(`/v1/restaurants?lat=${world.address.lat}&lng=${world.address.lng}`);
  expect(res.status).toBe(200);
  expect(res.headers.get("x-discovery-source")).toBe("d1");
  return ((await res.json()) as { restaurants: Listed[] }).restaurants.find((r) => r.id === restaurantId);
}

function place(idempotencyKey = `hours-${crypto.randomUUID()}`) {
  return api("/v1/orders", {
    method: "POST",
    token: tokens.customer,
    headers: { "idempotency-key": idempotencyKey },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
}

async function dbRow() {
  const { db, close } = openDb(testEnv);
  try {
    const [row] = await db.select().from(restaurants).where(eq(restaurants.id, world.restaurantId));
    return row;
  } finally {
    await close();
  }
}

describe("weekly hours and special days", () => {
  it("saves several slots a day and one past midnight, and serves them with today's availability", async () => {
    const weekly = [
      ...[1, 2, 3, 4].flatMap((day) => [
        { day, open: "12:00", close: "15:00" },
        { day, open: "19:00", close: "23:00" },
      ]),
      { day: 5, open: "19:00", close: "02:00" },
      { day: 6, open: "11:00", close: "23:30" },
      { day: 0, open: "00:00", close: "00:00" },
    ];
    const res = await putHours({ weekly, specialDays: [{ date: "2099-12-25", slots: [], note: "Christmas" }] });
    expect(res.status, await res.clone().text()).toBe(200);
    const hours = await api(`/v1/restaurants/${world.restaurantId}/hours`);
    expect(hours.status).toBe(200);
    const body = (await hours.json()) as { weekly: unknown; specialDays: unknown; availability: { open: boolean } };
    expect(body.weekly).toEqual(weekly);
    expect(body.specialDays).toEqual([{ date: "2099-12-25", slots: [], note: "Christmas" }]);
    expect(typeof body.availability.open).toBe("boolean");
  });

  it("closes today at once with a special day: discovery says closed, placement refuses with when it reopens", async () => {
    const today = localParts(Date.now(), "Europe/Lisbon").date;
    expect((await putHours({ weekly: ALWAYS, specialDays: [] })).status).toBe(200);
    expect((await listed())?.openNow).toBe(true);

    const res = await putHours({ weekly: ALWAYS, specialDays: [{ date: today, slots: [], note: "Inventory" }] });
    expect(res.status).toBe(200);
    const shown = await listed();
    expect(shown?.openNow).toBe(false);
    expect(shown?.opensAt).not.toBeNull();
    const refused = await place();
    expect(refused.status).toBe(422);
    const error = ((await refused.json()) as ErrorBody).error;
    expect(error.code).toBe("restaurant_closed");
    expect(error.opensAt).toBe(shown?.opensAt);

    expect((await putHours({ weekly: ALWAYS, specialDays: [] })).status).toBe(200);
    expect((await listed())?.openNow).toBe(true);
    expect((await place()).status).toBe(201);
  });

  it("refuses overlapping slots, bad dates and repeated dates with 400, changing nothing", async () => {
    const before = await dbRow();
    const cases: Array<[unknown, string]> = [
      [
        {
          weekly: [
            { day: 1, open: "12:00", close: "15:00" },
            { day: 1, open: "14:30", close: "16:00" },
          ],
        },
        "weekly.1",
      ],
      [
        {
          weekly: [
            { day: 5, open: "20:00", close: "03:00" },
            { day: 6, open: "01:00", close: "04:00" },
          ],
        },
        "weekly.1",
      ],
      [{ weekly: [], specialDays: [{ date: "2026-02-30", slots: [] }] }, "specialDays.0.date"],
      [{ weekly: [], specialDays: [{ date: "30/12/2026", slots: [] }] }, "specialDays.0.date"],
      [
        {
          weekly: [],
          specialDays: [
            { date: "2099-01-01", slots: [] },
            { date: "2099-01-01", slots: [] },
          ],
        },
        "specialDays.1.date",
      ],
      [{ weekly: [{ day: 1, open: "25:00", close: "03:00" }] }, "weekly.0.open"],
      [{ specialDays: [] }, "weekly"],
      [{ weekly: [], extra: true }, ""],
    ];
    for (const [json, path] of cases) {
      const res = await putHours(json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.code).toBe("validation_failed");
      if (path) expect(error.details?.map((d) => d.path)).toContain(path);
    }
    const after = await dbRow();
    expect(after?.openingHours).toEqual(before?.openingHours);
    expect(after?.specialDays).toEqual(before?.specialDays);
  });

  it("lets only the restaurant's staff or an admin change hours", async () => {
    for (const [token, status, code] of [
      [tokens.otherStaff, 403, "not_restaurant_staff"],
      [tokens.customer, 403, "role_not_allowed"],
      [tokens.courier, 403, "role_not_allowed"],
      ["", 401, "token_missing"],
    ] as const) {
      const res = await putHours({ weekly: [] }, token);
      expect(res.status).toBe(status);
      expect(((await res.json()) as ErrorBody).error.code).toBe(code);
    }
    expect((await putHours({ weekly: ALWAYS }, tokens.admin)).status).toBe(200);
  });
});

describe("temporary pause", () => {
  it("pauses orders for 30 minutes at once, in discovery and at placement, and resumes on demand", async () => {
    expect((await putHours({ weekly: ALWAYS })).status).toBe(200);
    const res = await api(`/v1/restaurants/${world.restaurantId}/pause`, {
      method: "PUT",
      token: tokens.staff,
      json: { minutes: 30, reason: "Oven repair" },
    });
    expect(res.status).toBe(200);
    const profile = (await res.json()) as { pausedUntil: string; pauseReason: string };
    expect(profile.pauseReason).toBe("Oven repair");
    const until = Date.parse(profile.pausedUntil);
    expect(until - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(until - Date.now()).toBeLessThanOrEqual(30 * 60_000);

    const shown = await listed();
    expect(shown).toMatchObject({ openNow: false, pausedUntil: profile.pausedUntil, opensAt: profile.pausedUntil });
    const refused = await place();
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({
      code: "restaurant_paused",
      opensAt: profile.pausedUntil,
    });
    const hours = (await (await api(`/v1/restaurants/${world.restaurantId}/hours`)).json()) as {
      availability: unknown;
    };
    expect(hours.availability).toEqual({ open: false, reason: "paused", opensAt: profile.pausedUntil, closesAt: null });

    const resumed = await api(`/v1/restaurants/${world.restaurantId}/pause`, { method: "DELETE", token: tokens.staff });
    expect(resumed.status).toBe(200);
    expect(((await resumed.json()) as { pausedUntil: string | null }).pausedUntil).toBeNull();
    expect((await listed())?.openNow).toBe(true);
    expect((await place()).status).toBe(201);
    // Resuming twice is not an error.
    expect(
      (await api(`/v1/restaurants/${world.restaurantId}/pause`, { method: "DELETE", token: tokens.staff })).status,
    ).toBe(200);
  });

  it("refuses pauses that are too short, too long or unauthorised, changing nothing", async () => {
    const path = `/v1/restaurants/${world.restaurantId}/pause`;
    for (const json of [
      { minutes: 0 },
      { minutes: 4 },
      { minutes: 24 * 60 + 1 },
      { minutes: 10.5 },
      {},
      { minutes: 30, until: "x" },
    ]) {
      const res = await api(path, { method: "PUT", token: tokens.staff, json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
    const other = await api(path, { method: "PUT", token: tokens.otherStaff, json: { minutes: 30 } });
    expect(other.status).toBe(403);
    expect((await dbRow())?.pausedUntil).toBeNull();
  });
});
