// Operators onboard restaurants, staff, couriers and admins; every change
// leaves an audit row; every refusal is a clear error that changes nothing.
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { auditLog, deliveryAreas, restaurants } from "../../db/schema.ts";
import { api, createWorld, PASSWORD, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";

let world: World;
let tokens: WorldTokens;
let lisbonAreaId: string;

const tag = () => crypto.randomUUID().slice(0, 8);

interface Restaurant {
  id: string;
  slug: string;
  deliveryAreaId: string | null;
  commissionBps: number;
  active: boolean;
  lat: number;
  lng: number;
  flags: { outsideEveryDeliveryArea: boolean; outsideOwnDeliveryArea: boolean; noDeliveryArea: boolean };
  staff: Array<{ id: string; email: string; invited: boolean }>;
}

function newRestaurant(over: Record<string, unknown> = {}) {
  return {
    name: `Tasca ${tag()}`,
    address: "Rua da Rosa 12, Lisboa",
    lat: 38.7129,
    lng: -9.1445,
    timeZone: "Europe/Lisbon",
    currency: "EUR",
    cuisines: ["Portuguese"],
    ...over,
  };
}

async function auditFor(entityId: string, token = tokens.admin) {
  const res = await api(`/v1/admin/audit?entityId=${entityId}`, { token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { entries: Array<Record<string, unknown>> }).entries;
}

async function accept(token: string, password = "a brand new password") {
  return api("/v1/invitations/accept", { method: "POST", json: { token, password } });
}

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
  const { db, close } = openDb(testEnv);
  try {
    const [area] = await db
      .insert(deliveryAreas)
      .values({
        name: `Onboarding Lisboa ${tag()}`,
        polygon: {
          type: "Polygon",
          coordinates: [
            [
              [-9.2, 38.69],
              [-9.1, 38.69],
              [-9.1, 38.75],
              [-9.2, 38.75],
              [-9.2, 38.69],
            ],
          ],
        },
        currency: "EUR",
        baseDeliveryFeeMinor: 199,
        perKmFeeMinor: 50,
        serviceFeeBps: 500,
        taxBps: 1300,
      })
      .returning({ id: deliveryAreas.id });
    lisbonAreaId = area?.id as string;
  } finally {
    await close();
  }
});

describe("restaurants", () => {
  it("an operator creates a restaurant in a delivery area, finds it, edits it, and each change is audited", async () => {
    const created = await api("/v1/admin/restaurants", {
      method: "POST",
      token: tokens.admin,
      json: newRestaurant({
        deliveryAreaId: lisbonAreaId,
        commissionBps: 1800,
        menuCategories: ["Petiscos", "Pratos"],
      }),
    });
    expect(created.status).toBe(201);
    const restaurant = (await created.json()) as Restaurant;
    expect(restaurant).toMatchObject({ deliveryAreaId: lisbonAreaId, commissionBps: 1800, active: false });
    expect(restaurant.flags.outsideEveryDeliveryArea).toBe(false);

    const listed = await api(`/v1/admin/restaurants?q=${restaurant.slug}`, { token: tokens.admin });
    expect(((await listed.json()) as { restaurants: Restaurant[] }).restaurants.map((r) => r.id)).toEqual([
      restaurant.id,
    ]);

    const moved = await api(`/v1/admin/restaurants/${restaurant.id}`, {
      method: "PATCH",
      token: tokens.admin,
      json: { lat: 38.7, lng: -9.4, commissionBps: 1200, active: true },
    });
    expect(moved.status).toBe(200);
    // Moved outside every delivery area: flagged, and its own area no longer contains it.
    expect(((await moved.json()) as Restaurant).flags).toEqual({
      outsideEveryDeliveryArea: true,
      outsideOwnDeliveryArea: true,
      noDeliveryArea: false,
    });
    const flagged = await api("/v1/admin/restaurants?flagged=true&limit=200", { token: tokens.admin });
    expect(((await flagged.json()) as { restaurants: Restaurant[] }).restaurants.map((r) => r.id)).toContain(
      restaurant.id,
    );

    const entries = await auditFor(restaurant.id);
    expect(entries.map((e) => e.action)).toEqual(["restaurant.update", "restaurant.create"]);
    expect(entries[0]).toMatchObject({
      actorId: world.ids.admin,
      actorRole: "admin",
      actorEmail: world.emails.admin,
      entityType: "restaurant",
      before: { lat: 38.7129, lng: -9.1445, commissionBps: 1800, active: false },
      after: { lat: 38.7, lng: -9.4, commissionBps: 1200, active: true },
    });
    expect(entries[1]?.after).toMatchObject({ menuCategories: ["Petiscos", "Pratos"], currency: "EUR" });
  });

  it("puts a new restaurant in the delivery area around it when none is named", async () => {
    const created = await api("/v1/admin/restaurants", { method: "POST", token: tokens.admin, json: newRestaurant() });
    expect(created.status).toBe(201);
    const restaurant = (await created.json()) as Restaurant;
    expect(restaurant.deliveryAreaId).not.toBeNull();
    expect(restaurant.flags).toMatchObject({ outsideEveryDeliveryArea: false, outsideOwnDeliveryArea: false });
  });

  it("refuses bad input, a clash or a mismatch with a clear error, and changes nothing", async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [newRestaurant({ timeZone: "Mars/Olympus" }), 400, "validation_failed"],
      [newRestaurant({ currency: "eur" }), 400, "validation_failed"],
      [newRestaurant({ lat: 91 }), 400, "validation_failed"],
      [newRestaurant({ commissionBps: 10_001 }), 400, "validation_failed"],
      [{ ...newRestaurant(), price: 1 }, 400, "validation_failed"],
      [newRestaurant({ deliveryAreaId: crypto.randomUUID() }), 404, "delivery_area_not_found"],
      [newRestaurant({ currency: "GBP", deliveryAreaId: lisbonAreaId }), 422, "delivery_area_currency_mismatch"],
    ];
    for (const [json, status, code] of cases) {
      const res = await api("/v1/admin/restaurants", { method: "POST", token: tokens.admin, json });
      expect(res.status, JSON.stringify(json)).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    const { db, close } = openDb(testEnv);
    try {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(restaurants)
        .where(eq(restaurants.timeZone, "Mars/Olympus"));
      expect(row?.n).toBe(0);
    } finally {
      await close();
    }
    const slug = `clash-${tag()}`;
    const first = await api("/v1/admin/restaurants", {
      method: "POST",
      token: tokens.admin,
      json: newRestaurant({ slug }),
    });
    const firstId = ((await first.json()) as Restaurant).id;
    const again = await api("/v1/admin/restaurants", {
      method: "POST",
      token: tokens.admin,
      json: newRestaurant({ slug }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string; restaurantId: string } }).error).toMatchObject({
      code: "slug_taken",
      restaurantId: firstId,
    });
    const empty = await api(`/v1/admin/restaurants/${firstId}`, { method: "PATCH", token: tokens.admin, json: {} });
    expect(empty.status).toBe(400);
    const halfMove = await api(`/v1/admin/restaurants/${firstId}`, {
      method: "PATCH",
      token: tokens.admin,
      json: { lat: 1 },
    });
    expect(halfMove.status).toBe(400);
    const missing = await api(`/v1/admin/restaurants/${crypto.randomUUID()}`, {
      method: "PATCH",
      token: tokens.admin,
      json: { active: true },
    });
    expect(missing.status).toBe(404);
  });

  it("refuses a currency change once the menu is priced", async () => {
    const res = await api(`/v1/admin/restaurants/${world.restaurantId}`, {
      method: "PATCH",
      token: tokens.admin,
      json: { currency: "USD", deliveryAreaId: null },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("currency_locked");
  });

  it("is for operators only", async () => {
    for (const who of ["customer", "staff", "courier"] as const) {
      const list = await api("/v1/admin/restaurants", { token: tokens[who] });
      expect(list.status, who).toBe(403);
      const create = await api("/v1/admin/restaurants", { method: "POST", token: tokens[who], json: newRestaurant() });
      expect(create.status, who).toBe(403);
      const edit = await api(`/v1/admin/restaurants/${world.restaurantId}`, {
        method: "PATCH",
        token: tokens[who],
        json: { commissionBps: 0 },
      });
      expect(edit.status, who).toBe(403);
    }
    expect((await api("/v1/admin/restaurants")).status).toBe(401);
  });
});

describe("staff", () => {
  it("invites a new person, who sets a password with the link once and then works for the restaurant", async () => {
    const email = `new-staff-${tag()}@test.local`;
    const invited = await api(`/v1/admin/restaurants/${world.restaurantId}/staff`, {
      method: "POST",
      token: tokens.admin,
      json: { email, name: "Nina New" },
    });
    expect(invited.status).toBe(201);
    const body = (await invited.json()) as { staff: { id: string; invited: boolean }; invitation: { token: string } };
    expect(body.staff.invited).toBe(true);

    // No password yet: nobody can sign in as them.
    const early = await api("/v1/auth/sign-in", { method: "POST", json: { email, password: "anything at all" } });
    expect(early.status).toBe(401);

    const lookup = await api("/v1/invitations/lookup", { method: "POST", json: { token: body.invitation.token } });
    expect(lookup.status).toBe(200);
    expect(await lookup.json()).toMatchObject({
      email,
      role: "restaurant_staff",
      restaurants: [{ id: world.restaurantId }],
    });
    expect((await accept(body.invitation.token, "short")).status).toBe(400);
    const accepted = await accept(body.invitation.token);
    expect(accepted.status).toBe(200);
    const session = (await accepted.json()) as { accessToken: string; user: { restaurantId: string } };
    expect(session.user.restaurantId).toBe(world.restaurantId);
    const reused = await accept(body.invitation.token, "another password!");
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe("invitation_used");

    // They act for the restaurant like its other staff.
    const edit = await api(`/v1/restaurants/${world.restaurantId}`, {
      method: "PATCH",
      token: session.accessToken,
      json: { description: "Edited by Nina" },
    });
    expect(edit.status).toBe(200);
    const signedIn = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email, password: "a brand new password" },
    });
    expect(signedIn.status).toBe(200);
    expect((await auditFor(body.staff.id)).map((e) => e.action)).toEqual(["user.invitation_accepted", "staff.invite"]);
  });

  it("adds a staff member to a second restaurant; each session acts for one, switched at refresh", async () => {
    const second = await api(`/v1/admin/restaurants/${world.otherRestaurantId}/staff`, {
      method: "POST",
      token: tokens.admin,
      json: { email: world.emails.staff, name: "Sam Staff" },
    });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ added: true, invitation: null });
    // Repeating changes nothing.
    const repeat = await api(`/v1/admin/restaurants/${world.otherRestaurantId}/staff`, {
      method: "POST",
      token: tokens.admin,
      json: { email: world.emails.staff, name: "Sam Staff" },
    });
    expect(await repeat.json()).toMatchObject({ added: false, invitation: null });

    const home = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email: world.emails.staff, password: PASSWORD },
    });
    const homeSession = (await home.json()) as { accessToken: string; refreshToken: string };
    const me = (await (await api("/v1/me", { token: homeSession.accessToken })).json()) as {
      restaurantId: string;
      restaurants: Array<{ id: string }>;
    };
    expect(me.restaurantId).toBe(world.restaurantId);
    expect(me.restaurants.map((r) => r.id)).toEqual([world.restaurantId, world.otherRestaurantId]);

    const switched = await api("/v1/auth/refresh", {
      method: "POST",
      json: { refreshToken: homeSession.refreshToken, restaurantId: world.otherRestaurantId },
    });
    expect(switched.status).toBe(200);
    const other = (await switched.json()) as {
      accessToken: string;
      refreshToken: string;
      user: { restaurantId: string };
    };
    expect(other.user.restaurantId).toBe(world.otherRestaurantId);
    const board = await api(`/v1/restaurants/${world.otherRestaurantId}/board`, { token: other.accessToken });
    expect(board.status).toBe(200);
    // The next plain refresh stays with the restaurant the session chose.
    const kept = await api("/v1/auth/refresh", { method: "POST", json: { refreshToken: other.refreshToken } });
    const keptBody = (await kept.json()) as { refreshToken: string; user: { restaurantId: string } };
    expect(keptBody.user.restaurantId).toBe(world.otherRestaurantId);

    // Not one of theirs: refused, whether at sign-in or refresh.
    const stranger = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email: world.emails.staff, password: PASSWORD, restaurantId: crypto.randomUUID() },
    });
    expect(stranger.status).toBe(403);
    const customerActs = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email: world.emails.customer, password: PASSWORD, restaurantId: world.restaurantId },
    });
    expect(customerActs.status).toBe(403);

    // Taken off the second restaurant: that session can no longer refresh.
    const removed = await api(`/v1/admin/restaurants/${world.otherRestaurantId}/staff/${world.ids.staff}`, {
      method: "DELETE",
      token: tokens.admin,
    });
    expect(removed.status).toBe(204);
    const after = await api("/v1/auth/refresh", { method: "POST", json: { refreshToken: keptBody.refreshToken } });
    expect(after.status).toBe(401);
    // The last restaurant cannot be taken away: deactivate instead.
    const last = await api(`/v1/admin/restaurants/${world.restaurantId}/staff/${world.ids.staff}`, {
      method: "DELETE",
      token: tokens.admin,
    });
    expect(last.status).toBe(409);
  });

  it("refuses staff invitations for another role's e-mail, and from non-operators", async () => {
    const clash = await api(`/v1/admin/restaurants/${world.restaurantId}/staff`, {
      method: "POST",
      token: tokens.admin,
      json: { email: world.emails.courier, name: "Cole" },
    });
    expect(clash.status).toBe(409);
    const byStaff = await api(`/v1/admin/restaurants/${world.restaurantId}/staff`, {
      method: "POST",
      token: tokens.staff,
      json: { email: `x-${tag()}@test.local`, name: "X" },
    });
    expect(byStaff.status).toBe(403);
    const unknown = await api(`/v1/admin/restaurants/${crypto.randomUUID()}/staff`, {
      method: "POST",
      token: tokens.admin,
      json: { email: `x-${tag()}@test.local`, name: "X" },
    });
    expect(unknown.status).toBe(404);
    const bad = await api("/v1/invitations/lookup", { method: "POST", json: { token: "not-a-real-invitation-token" } });
    expect(bad.status).toBe(404);
  });
});

describe("couriers", () => {
  it("registers a courier inactive until their documents are checked; only then can they go online", async () => {
    const email = `courier-${tag()}@test.local`;
    const refused = await api("/v1/admin/couriers", {
      method: "POST",
      token: tokens.admin,
      json: { email, name: "Rui Rider", phone: "+351 912 000 000", vehicle: "scooter", active: true },
    });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("documents_not_checked");

    const created = await api("/v1/admin/couriers", {
      method: "POST",
      token: tokens.admin,
      json: {
        email,
        name: "Rui Rider",
        phone: "+351 912 000 000",
        vehicle: "scooter",
        homeDeliveryAreaId: lisbonAreaId,
      },
    });
    expect(created.status).toBe(201);
    const { courier, invitation } = (await created.json()) as {
      courier: { id: string; active: boolean; documentsChecked: boolean };
      invitation: { token: string };
    };
    expect(courier).toMatchObject({ active: false, documentsChecked: false });
    const session = (await (await accept(invitation.token)).json()) as { accessToken: string; user: { role: string } };
    expect(session.user.role).toBe("courier");
    const live = (token: string) =>
      api("/v1/couriers/live?lat=38.71&lng=-9.14", { token, headers: { upgrade: "websocket" } });
    expect((await live(session.accessToken)).status).toBe(403);

    const activate = await api(`/v1/admin/couriers/${courier.id}`, {
      method: "PATCH",
      token: tokens.admin,
      json: { documentsChecked: true, active: true },
    });
    expect(activate.status).toBe(200);
    const online = await live(session.accessToken);
    expect(online.status).toBe(101);
    online.webSocket?.accept();
    online.webSocket?.close();

    const entries = await auditFor(courier.id);
    expect(entries[0]).toMatchObject({
      action: "courier.update",
      before: { documentsChecked: false, active: false },
      after: { documentsChecked: true, active: true },
    });
    const unchecked = await api(`/v1/admin/couriers/${courier.id}`, {
      method: "PATCH",
      token: tokens.admin,
      json: { documentsChecked: false },
    });
    expect(unchecked.status).toBe(422);
    const dup = await api("/v1/admin/couriers", {
      method: "POST",
      token: tokens.admin,
      json: { email, name: "Again", phone: "+351 912 000 001", vehicle: "car" },
    });
    expect(dup.status).toBe(409);
    const badVehicle = await api("/v1/admin/couriers", {
      method: "POST",
      token: tokens.admin,
      json: { email: `v-${tag()}@test.local`, name: "V", phone: "+351 912 000 002", vehicle: "horse" },
    });
    expect(badVehicle.status).toBe(400);
    const byCourier = await api(`/v1/admin/couriers/${courier.id}`, {
      method: "PATCH",
      token: session.accessToken,
      json: { active: true },
    });
    expect(byCourier.status).toBe(403);
  });
});

describe("admins and deactivation", () => {
  it("creates an admin who signs in through their link", async () => {
    const email = `ops-${tag()}@test.local`;
    const created = await api("/v1/admin/admins", {
      method: "POST",
      token: tokens.admin,
      json: { email, name: "Olga Ops" },
    });
    expect(created.status).toBe(201);
    const { invitation } = (await created.json()) as { invitation: { token: string } };
    const session = (await (await accept(invitation.token)).json()) as { accessToken: string };
    const users = await api(`/v1/admin/users?q=${email}`, { token: session.accessToken });
    expect(((await users.json()) as { users: Array<{ email: string; invited: boolean }> }).users).toMatchObject([
      { email, invited: false },
    ]);
    expect(
      (await api("/v1/admin/admins", { method: "POST", token: tokens.staff, json: { email: "a@b.cd", name: "A" } }))
        .status,
    ).toBe(403);
  });

  it("deactivates anyone but oneself: no sign-in, no refresh, tokens void; reactivation lets them back in", async () => {
    const email = `leaver-${tag()}@test.local`;
    const created = await api("/v1/admin/admins", {
      method: "POST",
      token: tokens.admin,
      json: { email, name: "Lee Leaver" },
    });
    const { user, invitation } = (await created.json()) as { user: { id: string }; invitation: { token: string } };
    const session = (await (await accept(invitation.token)).json()) as { accessToken: string; refreshToken: string };

    const off = await api(`/v1/admin/users/${user.id}/deactivate`, { method: "POST", token: tokens.admin });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { deactivatedAt: string | null }).deactivatedAt).not.toBeNull();
    expect((await api("/v1/admin/users", { token: session.accessToken })).status).toBe(401);
    expect(
      (await api("/v1/auth/refresh", { method: "POST", json: { refreshToken: session.refreshToken } })).status,
    ).toBe(401);
    const signIn403 = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email, password: "a brand new password" },
    });
    expect(signIn403.status).toBe(403);
    // Twice is the same as once.
    expect((await api(`/v1/admin/users/${user.id}/deactivate`, { method: "POST", token: tokens.admin })).status).toBe(
      200,
    );
    const reissue = await api(`/v1/admin/users/${user.id}/invitation`, { method: "POST", token: tokens.admin });
    expect(reissue.status).toBe(409);

    const on = await api(`/v1/admin/users/${user.id}/reactivate`, { method: "POST", token: tokens.admin });
    expect(on.status).toBe(200);
    const back = await api("/v1/auth/sign-in", { method: "POST", json: { email, password: "a brand new password" } });
    expect(back.status).toBe(200);
    expect((await auditFor(user.id)).map((e) => e.action).slice(0, 2)).toEqual(["user.reactivate", "user.deactivate"]);

    const self = await api(`/v1/admin/users/${world.ids.admin}/deactivate`, { method: "POST", token: tokens.admin });
    expect(self.status).toBe(409);
    const byStaff = await api(`/v1/admin/users/${user.id}/deactivate`, { method: "POST", token: tokens.staff });
    expect(byStaff.status).toBe(403);
    const unknown = await api(`/v1/admin/users/${crypto.randomUUID()}/deactivate`, {
      method: "POST",
      token: tokens.admin,
    });
    expect(unknown.status).toBe(404);
  });
});

describe("changes by restaurant staff", () => {
  it("are audited with who, what and the values before and after", async () => {
    const price = await api(`/v1/restaurants/${world.restaurantId}/menu/items/${world.itemId}`, {
      method: "PATCH",
      token: tokens.staff,
      json: { priceMinor: 950 },
    });
    expect(price.status).toBe(200);
    const [priced] = await auditFor(world.itemId);
    expect(priced).toMatchObject({
      action: "menu_item.update",
      actorId: world.ids.staff,
      actorRole: "restaurant_staff",
      before: { priceMinor: 900, restaurantId: world.restaurantId },
      after: { priceMinor: 950, restaurantId: world.restaurantId },
    });

    const weekly = [1, 2, 3, 4, 5].map((day) => ({ day, open: "12:00", close: "15:00" }));
    const hours = await api(`/v1/restaurants/${world.restaurantId}/hours`, {
      method: "PUT",
      token: tokens.staff,
      json: { weekly, specialDays: [] },
    });
    expect(hours.status).toBe(200);
    const [set] = await auditFor(world.restaurantId);
    expect(set).toMatchObject({ action: "restaurant.hours", after: { openingHours: weekly } });
    expect((set?.before as { openingHours?: unknown[] } | undefined)?.openingHours).toHaveLength(7);

    // A change with no hand-written audit row still leaves one: the operation and what was sent.
    const category = await api(`/v1/restaurants/${world.restaurantId}/menu/categories`, {
      method: "POST",
      token: tokens.staff,
      json: { name: `Sobremesas ${tag()}` },
    });
    expect(category.status).toBe(201);
    const [created] = await auditFor(world.restaurantId);
    expect(created).toMatchObject({
      action: "createMenuCategory",
      actorId: world.ids.staff,
      entityType: "restaurant",
      before: null,
      after: { name: expect.stringMatching(/^Sobremesas/) },
    });
    // A refused change leaves nothing.
    const before = (await auditFor(world.restaurantId)).length;
    const refused = await api(`/v1/restaurants/${world.restaurantId}/menu/categories`, {
      method: "POST",
      token: tokens.otherStaff,
      json: { name: "Not mine" },
    });
    expect(refused.status).toBe(403);
    expect(await auditFor(world.restaurantId)).toHaveLength(before);
  });
});

describe("the audit log", () => {
  it("filters by action prefix and actor, pages by id, and is for admins only", async () => {
    const byPrefix = await api(`/v1/admin/audit?action=restaurant.&actorId=${world.ids.admin}&limit=1`, {
      token: tokens.admin,
    });
    expect(byPrefix.status).toBe(200);
    const page = (await byPrefix.json()) as {
      entries: Array<{ id: number; action: string }>;
      nextBefore: number | null;
    };
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]?.action.startsWith("restaurant.")).toBe(true);
    expect(page.nextBefore).toBe(page.entries[0]?.id);
    const next = await api(`/v1/admin/audit?action=restaurant.&actorId=${world.ids.admin}&before=${page.nextBefore}`, {
      token: tokens.admin,
    });
    const rest = (await next.json()) as { entries: Array<{ id: number }> };
    expect(rest.entries.every((e) => e.id < (page.nextBefore ?? 0))).toBe(true);
    expect((await api("/v1/admin/audit", { token: tokens.staff })).status).toBe(403);
    expect((await api("/v1/admin/audit?limit=1000", { token: tokens.admin })).status).toBe(400);
    expect((await api("/v1/admin/audit?action=drop%20table", { token: tokens.admin })).status).toBe(400);
  });

  it("cannot be changed or deleted, even with the database's own credentials", async () => {
    const { db, close } = openDb(testEnv);
    try {
      await expect(db.update(auditLog).set({ note: "rewritten" })).rejects.toThrow();
      await expect(db.delete(auditLog)).rejects.toThrow();
      await expect(db.execute(sql`truncate audit_log`)).rejects.toThrow();
    } finally {
      await close();
    }
  });
});
