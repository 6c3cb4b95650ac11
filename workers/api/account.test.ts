// A customer's own account: name and phone, saved addresses, the data export
// and deleting the account (orders kept, personal data erased), with the refusals.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { orders, users } from "../../db/schema.ts";
import { problemPhotoPrefix } from "../../domain/media/problem-photos.ts";
import { api, createWorld, eventually, PASSWORD, signIn, testEnv, type World } from "../../test/world.ts";
import { MAX_SAVED_ADDRESSES } from "./routes/account-addresses.ts";

let world: World;
let customer: string;
let otherCustomer: string;
let staff: string;

beforeAll(async () => {
  world = await createWorld();
  [customer, otherCustomer, staff] = await Promise.all([
    signIn(world.emails.customer),
    signIn(world.emails.otherCustomer),
    signIn(world.emails.staff),
  ]);
});

async function errorCode(res: Response): Promise<[number, string | undefined]> {
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
  return [res.status, body.error?.code];
}

const home = { label: "Home", line1: "Rua Augusta 10", city: "Lisboa", postcode: "1100-053", lat: 38.71, lng: -9.137 };

async function signUp(): Promise<{ token: string; email: string; id: string }> {
  const email = `acct-${crypto.randomUUID().slice(0, 8)}@test.local`;
  const res = await api("/v1/auth/sign-up", { method: "POST", json: { email, password: PASSWORD, name: "Ana Sousa" } });
  expect(res.status).toBe(201);
  const session = (await res.json()) as { accessToken: string; user: { id: string } };
  return { token: session.accessToken, email, id: session.user.id };
}

describe("profile", () => {
  it("changes name and phone, and clears the phone with null", async () => {
    let res = await api("/v1/me", {
      method: "PATCH",
      token: customer,
      json: { name: "Maria", phone: "+351 912 000 111" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "Maria", phone: "+351 912 000 111", role: "customer" });
    res = await api("/v1/me", { method: "PATCH", token: customer, json: { phone: null } });
    expect(((await res.json()) as { phone: unknown }).phone).toBeNull();
  });

  it("refuses an empty change, a bad phone, unknown fields and no token", async () => {
    expect(await errorCode(await api("/v1/me", { method: "PATCH", token: customer, json: {} }))).toEqual([
      400,
      "validation_failed",
    ]);
    expect(
      await errorCode(await api("/v1/me", { method: "PATCH", token: customer, json: { phone: "call me maybe" } })),
    ).toEqual([400, "validation_failed"]);
    expect(await errorCode(await api("/v1/me", { method: "PATCH", token: customer, json: { role: "admin" } }))).toEqual(
      [400, "validation_failed"],
    );
    expect(await errorCode(await api("/v1/me", { method: "PATCH", json: { name: "x" } }))).toEqual([
      401,
      "token_missing",
    ]);
  });
});

describe("saved addresses", () => {
  it("creates, lists, changes and deletes a customer's own addresses", async () => {
    const created = await api("/v1/me/addresses", { method: "POST", token: customer, json: home });
    expect(created.status).toBe(201);
    const address = (await created.json()) as { id: string; label: string; line2: string | null };
    expect(address).toMatchObject({ label: "Home", line2: null });

    const list = (await (await api("/v1/me/addresses", { token: customer })).json()) as { addresses: { id: string }[] };
    expect(list.addresses.map((a) => a.id)).toContain(address.id);

    const changed = await api(`/v1/me/addresses/${address.id}`, {
      method: "PATCH",
      token: customer,
      json: { label: "Casa", instructions: "Ring twice" },
    });
    expect(await changed.json()).toMatchObject({ label: "Casa", instructions: "Ring twice" });

    expect((await api(`/v1/me/addresses/${address.id}`, { method: "DELETE", token: customer })).status).toBe(204);
    expect(await errorCode(await api(`/v1/me/addresses/${address.id}`, { method: "DELETE", token: customer }))).toEqual(
      [404, "address_not_found"],
    );
  });

  it("hides one customer's address from another, and refuses other roles", async () => {
    const { id } = (await (await api("/v1/me/addresses", { method: "POST", token: customer, json: home })).json()) as {
      id: string;
    };
    expect(
      await errorCode(
        await api(`/v1/me/addresses/${id}`, { method: "PATCH", token: otherCustomer, json: { label: "Mine" } }),
      ),
    ).toEqual([404, "address_not_found"]);
    expect(await errorCode(await api(`/v1/me/addresses/${id}`, { method: "DELETE", token: otherCustomer }))).toEqual([
      404,
      "address_not_found",
    ]);
    const theirs = (await (await api("/v1/me/addresses", { token: otherCustomer })).json()) as {
      addresses: { id: string }[];
    };
    expect(theirs.addresses.map((a) => a.id)).not.toContain(id);
    expect(await errorCode(await api("/v1/me/addresses", { token: staff }))).toEqual([403, "role_not_allowed"]);
  });

  it("refuses an address off the map and one too many", async () => {
    const { token } = await signUp();
    expect(
      await errorCode(await api("/v1/me/addresses", { method: "POST", token, json: { ...home, lat: 91 } })),
    ).toEqual([400, "validation_failed"]);
    for (let i = 0; i < MAX_SAVED_ADDRESSES; i++) {
      expect((await api("/v1/me/addresses", { method: "POST", token, json: { ...home, label: `A${i}` } })).status).toBe(
        201,
      );
    }
    expect(await errorCode(await api("/v1/me/addresses", { method: "POST", token, json: home }))).toEqual([
      409,
      "too_many_addresses",
    ]);
  });
});

describe("export and deletion", () => {
  it("exports the profile, addresses and orders as JSON; staff cannot", async () => {
    await api("/v1/me/addresses", { method: "POST", token: customer, json: { ...home, label: "Export" } });
    const res = await api("/v1/me/export", { token: customer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("attachment");
    const data = (await res.json()) as { profile: { email: string }; addresses: { label: string }[] };
    expect(data.profile.email).toBe(world.emails.customer);
    expect(data.addresses.map((a) => a.label)).toContain("Export");
    expect(await errorCode(await api("/v1/me/export", { token: staff }))).toEqual([403, "role_not_allowed"]);
  });

  it("refuses deletion with a wrong password, by staff, and while an order is open", async () => {
    expect(
      await errorCode(await api("/v1/me", { method: "DELETE", token: customer, json: { password: "wrong one" } })),
    ).toEqual([422, "password_wrong"]);
    expect(
      await errorCode(await api("/v1/me", { method: "DELETE", token: staff, json: { password: PASSWORD } })),
    ).toEqual([403, "role_not_allowed"]);

    const shopper = await signUp();
    const placed = await api("/v1/orders", {
      method: "POST",
      token: shopper.token,
      headers: { "idempotency-key": `acct-${crypto.randomUUID()}` },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
        deliveryAddress: world.address,
      },
    });
    expect(placed.status).toBe(201);
    const order = (await placed.json()) as { id: string };
    await eventually(async () => {
      const { db, close } = openDb(testEnv);
      try {
        return (await db.select().from(orders).where(eq(orders.id, order.id))).length > 0;
      } finally {
        await close();
      }
    });
    expect(
      await errorCode(await api("/v1/me", { method: "DELETE", token: shopper.token, json: { password: PASSWORD } })),
    ).toEqual([409, "orders_in_progress"]);
  });

  it("deletes: sessions end, the person is erased, the order stays with its address blurred", async () => {
    const shopper = await signUp();
    await api("/v1/me/addresses", { method: "POST", token: shopper.token, json: home });
    const placed = await api("/v1/orders", {
      method: "POST",
      token: shopper.token,
      headers: { "idempotency-key": `acct-${crypto.randomUUID()}` },
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
        deliveryAddress: { ...world.address, instructions: "Green door, 3rd floor" },
      },
    });
    const order = (await placed.json()) as { id: string };
    const cancel = await api(`/v1/orders/${order.id}/cancel`, {
      method: "POST",
      token: shopper.token,
      json: { reason: "changed my mind" },
    });
    expect(cancel.status).toBe(200);
    const { db, close } = openDb(testEnv);
    try {
      await eventually(async () => {
        const [row] = await db.select().from(orders).where(eq(orders.id, order.id));
        return row?.status === "cancelled";
      });

      // A photo the customer attached to a problem report on this order (stored as the upload route stores it).
      const photoKey = `${problemPhotoPrefix(order.id)}${"a".repeat(64)}.png`;
      await testEnv.DELIVERY_EVIDENCE.put(photoKey, new Uint8Array([137, 80, 78, 71]));

      const res = await api("/v1/me", { method: "DELETE", token: shopper.token, json: { password: PASSWORD } });
      expect(res.status).toBe(204);
      expect(await testEnv.DELIVERY_EVIDENCE.head(photoKey)).toBeNull();

      const [user] = await db.select().from(users).where(eq(users.id, shopper.id));
      expect(user).toMatchObject({ name: "Deleted customer", phone: null, passwordHash: null });
      expect(user?.email).not.toContain(shopper.email.split("@")[0]);
      expect(user?.erasedAt).not.toBeNull();
      const [kept] = await db.select().from(orders).where(eq(orders.id, order.id));
      expect(kept?.deliveryAddress).toEqual({
        line1: "erased",
        postcode: "erased",
        city: "Lisboa",
        lat: Math.round(world.address.lat * 100) / 100,
        lng: Math.round(world.address.lng * 100) / 100,
      });
      expect(kept?.totalMinor).toBeGreaterThan(0);
    } finally {
      await close();
    }

    // The old token is void within seconds, and the e-mail no longer signs in.
    await eventually(async () => (await api("/v1/me", { token: shopper.token })).status === 401);
    const again = await api("/v1/auth/sign-in", { method: "POST", json: { email: shopper.email, password: PASSWORD } });
    expect(await errorCode(again)).toEqual([401, "invalid_credentials"]);
  });
});
