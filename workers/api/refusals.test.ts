// Bad input and wrong callers get a clear error in one shape and change nothing.
import { importJWK, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { api, createWorld, signIn, testEnv, type World } from "../../test/world.ts";

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ path: string; code: string }>; requestId?: string };
}

let world: World;
let customer: string;
let staff: string;
let otherStaff: string;

async function placeAndPayless(): Promise<string> {
  const res = await api("/v1/orders", {
    method: "POST",
    token: customer,
    headers: { "idempotency-key": `refusal-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function errorOf(res: Response): Promise<ErrorBody["error"]> {
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(res.headers.get("x-request-id")).toBeTruthy();
  return ((await res.json()) as ErrorBody).error;
}

beforeAll(async () => {
  world = await createWorld();
  [customer, staff, otherStaff] = await Promise.all([
    signIn(world.emails.customer),
    signIn(world.emails.staff),
    signIn(world.emails.otherStaff),
  ]);
});

describe("authentication refusals", () => {
  it("answers 401 token_missing without a bearer token", async () => {
    const res = await api("/v1/me");
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("token_missing");
  });

  it("answers 401 token_invalid for a tampered token", async () => {
    const [header, payload, signature] = customer.split(".");
    const claims = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const forged = btoa(JSON.stringify({ ...claims, role: "admin" }))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    const res = await api("/v1/me", { token: `${header}.${forged}.${signature}` });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("token_invalid");
  });

  it("answers 401 token_invalid for a token signed by a key we do not publish", async () => {
    const { generateKeyPair } = await import("jose");
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "ES256", kid: "test-key-1" })
      .setSubject(world.ids.customer)
      .setIssuer(testEnv.JWT_ISSUER)
      .setAudience(testEnv.JWT_AUDIENCE)
      .setExpirationTime("5m")
      .sign(privateKey);
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("token_invalid");
  });

  it("answers 401 token_expired for an expired token", async () => {
    const [jwk] = JSON.parse(testEnv.JWT_PRIVATE_KEYS) as JWK[];
    const key = await importJWK(jwk as JWK, "ES256");
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ role: "customer", sid: crypto.randomUUID() })
      .setProtectedHeader({ alg: "ES256", kid: jwk?.kid as string, typ: "JWT" })
      .setSubject(world.ids.customer)
      .setIssuer(testEnv.JWT_ISSUER)
      .setAudience(testEnv.JWT_AUDIENCE)
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 60)
      .sign(key);
    const res = await api("/v1/me", { token });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("token_expired");
  });

  it("answers 401 invalid_credentials for a wrong password, the same as for an unknown email", async () => {
    const wrong = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email: world.emails.customer, password: "not the password" },
    });
    const unknown = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email: "nobody@test.local", password: "whatever" },
    });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect((await errorOf(wrong)).code).toBe("invalid_credentials");
    expect((await errorOf(unknown)).code).toBe("invalid_credentials");
  });

  it("publishes the public signing key, without its private part, at /.well-known/jwks.json", async () => {
    const res = await api("/.well-known/jwks.json");
    const { keys } = (await res.json()) as { keys: JWK[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kid: "test-key-1", alg: "ES256", kty: "EC" });
    expect(keys[0]?.d).toBeUndefined();
  });
});

describe("refresh tokens", () => {
  it("rotates on use and revokes the whole family when a rotated token is replayed", async () => {
    const signUp = await api("/v1/auth/sign-up", {
      method: "POST",
      json: {
        email: `rotate-${crypto.randomUUID().slice(0, 8)}@test.local`,
        password: "a long enough password",
        name: "Rota",
      },
    });
    expect(signUp.status).toBe(201);
    const first = ((await signUp.json()) as { refreshToken: string }).refreshToken;
    const rotated = await api("/v1/auth/refresh", { method: "POST", json: { refreshToken: first } });
    expect(rotated.status).toBe(200);
    const second = ((await rotated.json()) as { refreshToken: string }).refreshToken;
    expect(second).not.toBe(first);

    const replay = await api("/v1/auth/refresh", { method: "POST", json: { refreshToken: first } });
    expect(replay.status).toBe(401);
    expect((await errorOf(replay)).code).toBe("refresh_token_reused");
    // The thief's replay also kills the legitimate holder's newer token.
    const afterTheft = await api("/v1/auth/refresh", { method: "POST", json: { refreshToken: second } });
    expect(afterTheft.status).toBe(401);
    expect((await errorOf(afterTheft)).code).toBe("refresh_token_invalid");
  });

  it("refuses a refresh token after sign-out", async () => {
    const session = await api("/v1/auth/sign-in", {
      method: "POST",
      json: { email: world.emails.customer, password: "correct horse battery" },
    });
    const { refreshToken } = (await session.json()) as { refreshToken: string };
    expect((await api("/v1/auth/sign-out", { method: "POST", json: { refreshToken } })).status).toBe(204);
    const res = await api("/v1/auth/refresh", { method: "POST", json: { refreshToken } });
    expect(res.status).toBe(401);
  });

  it("refuses a second sign-up with the same email (any case) with 409 email_taken", async () => {
    const res = await api("/v1/auth/sign-up", {
      method: "POST",
      json: { email: world.emails.customer.toUpperCase(), password: "a long enough password", name: "Dup" },
    });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe("email_taken");
  });
});

describe("role and ownership", () => {
  it("refuses a customer accepting an order with 403 role_not_allowed", async () => {
    const orderId = await placeAndPayless();
    const res = await api(`/v1/orders/${orderId}/accept`, {
      method: "POST",
      token: customer,
      json: { prepTimeMinutes: 10 },
    });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("role_not_allowed");
  });

  it("answers staff of another restaurant 404, as for no such order, and leaves the order unchanged", async () => {
    const orderId = await placeAndPayless();
    const res = await api(`/v1/orders/${orderId}/accept`, {
      method: "POST",
      token: otherStaff,
      json: { prepTimeMinutes: 10 },
    });
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("order_not_found");
    const read = await api(`/v1/orders/${orderId}`, { token: customer });
    expect(((await read.json()) as { order: { status: string; lastSeq: number } }).order).toMatchObject({
      status: "placed",
      lastSeq: 1,
    });
  });

  it("answers 409 invalid_transition when the restaurant accepts an unpaid order", async () => {
    const orderId = await placeAndPayless();
    const res = await api(`/v1/orders/${orderId}/accept`, {
      method: "POST",
      token: staff,
      json: { prepTimeMinutes: 10 },
    });
    expect(res.status).toBe(409);
    expect((await errorOf(res)).code).toBe("invalid_transition");
  });

  it("hides another customer's order behind 404", async () => {
    const orderId = await placeAndPayless();
    const other = await signIn(world.emails.otherCustomer);
    const res = await api(`/v1/orders/${orderId}`, { token: other });
    expect(res.status).toBe(404);
  });
});

describe("bad bodies", () => {
  const place = (body: BodyInit, headers: Record<string, string> = {}) =>
    api("/v1/orders", {
      method: "POST",
      token: customer,
      body,
      headers: { "content-type": "application/json", "idempotency-key": `bad-${crypto.randomUUID()}`, ...headers },
    });

  it("answers 400 malformed_json for a body that is not JSON", async () => {
    const res = await place("{not json");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe("malformed_json");
  });

  it("answers 400 with field details for wrong types", async () => {
    const res = await place(
      JSON.stringify({
        restaurantId: "nope",
        items: [{ itemId: world.itemId, quantity: "two" }],
        deliveryAddress: world.address,
      }),
    );
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.code).toBe("validation_failed");
    expect(error.details?.map((d) => d.path).sort()).toEqual(["items.0.quantity", "restaurantId"]);
  });

  it("refuses unknown fields in a money-bearing body (client prices are not accepted)", async () => {
    const res = await place(
      JSON.stringify({
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId], priceMinor: 1 }],
        deliveryAddress: world.address,
        totalMinor: 1,
      }),
    );
    expect(res.status).toBe(400);
    const error = await errorOf(res);
    expect(error.details?.map((d) => d.code)).toContain("unrecognized_keys");
  });

  it("answers 400 when the Idempotency-Key header is missing", async () => {
    const res = await api("/v1/orders", {
      method: "POST",
      token: customer,
      json: {
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1 }],
        deliveryAddress: world.address,
      },
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).details?.[0]?.path).toBe("idempotency-key");
  });

  it("answers 413 body_too_large for an oversized body", async () => {
    const res = await place(JSON.stringify({ padding: "x".repeat(100_000) }));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("body_too_large");
  });

  it("answers 422 cart_invalid with details when options break the menu's rules", async () => {
    const res = await place(
      JSON.stringify({
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId, world.largeOptionId] }],
        deliveryAddress: world.address,
      }),
    );
    expect(res.status).toBe(422);
    const error = await errorOf(res);
    expect(error.code).toBe("cart_invalid");
    expect(error.details?.[0]?.code).toBe("too_many_choices");
  });

  it("answers 422 outside_delivery_radius for an address too far away", async () => {
    const res = await place(
      JSON.stringify({
        restaurantId: world.restaurantId,
        items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
        deliveryAddress: { ...world.address, lat: 38.76, lng: -9.1 },
      }),
    );
    expect(res.status).toBe(422);
    expect((await errorOf(res)).code).toBe("outside_delivery_radius");
  });

  it("answers 404 route_not_found in the same shape for unknown paths", async () => {
    const res = await api("/v1/nope");
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe("route_not_found");
  });
});

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 and describes the order endpoints", async () => {
    const res = await api("/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/orders", "/v1/orders/{id}", "/v1/orders/{id}/accept", "/v1/auth/sign-in"]),
    );
  });
});

describe("ordering reads its restaurant and zones from the cache, kept fresh by edits", () => {
  it("refuses orders with 422 restaurant_closed as soon as staff change the hours, and takes them again after", async () => {
    const w = await createWorld();
    const [owner, buyer] = await Promise.all([signIn(w.emails.staff), signIn(w.emails.customer)]);
    const order = () =>
      api("/v1/orders", {
        method: "POST",
        token: buyer,
        headers: { "idempotency-key": `hours-${crypto.randomUUID()}` },
        json: {
          restaurantId: w.restaurantId,
          items: [{ itemId: w.itemId, quantity: 1, optionIds: [w.smallOptionId] }],
          deliveryAddress: w.address,
        },
      });
    expect((await order()).status).toBe(201);
    const closed = await api(`/v1/restaurants/${w.restaurantId}`, {
      method: "PATCH",
      token: owner,
      json: { openingHours: [] },
    });
    expect(closed.status).toBe(200);
    const refused = await order();
    expect(refused.status).toBe(422);
    expect((await errorOf(refused)).code).toBe("restaurant_closed");
    const allDay = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" }));
    await api(`/v1/restaurants/${w.restaurantId}`, { method: "PATCH", token: owner, json: { openingHours: allDay } });
    expect((await order()).status).toBe(201);
  });
});
