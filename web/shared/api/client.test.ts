// The shared client against a scripted API: bearer tokens, one rotation and
// one retry on 401 (shared by concurrent calls), the end of the session when
// the refresh token is refused, and the API's errors as ApiErrors.
import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, memorySessionStore, type StoredSession, type User, unwrap } from "./client.ts";

const BASE = "http://api.test";
const USER: User = { id: "u-1", email: "staff@demo.test", name: "Staff", role: "restaurant_staff", restaurantId: null };

interface Seen {
  method: string;
  path: string;
  authorization: string | null;
  body: string;
}

/** A fake API: records every request and answers with `route`. */
function fakeApi(route: (request: Seen, n: number) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const fetch = async (request: Request): Promise<Response> => {
    const entry = {
      method: request.method,
      path: new URL(request.url).pathname,
      authorization: request.headers.get("authorization"),
      body: await request.text(),
    };
    seen.push(entry);
    return route(entry, seen.length);
  };
  return { seen, fetch };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function session(n: number) {
  return {
    accessToken: `access-${n}`,
    tokenType: "Bearer" as const,
    expiresIn: 900,
    refreshToken: `refresh-token-number-${n}`,
    user: USER,
  };
}

function signedIn(overrides: Partial<StoredSession> = {}) {
  return memorySessionStore({
    accessToken: "access-0",
    refreshToken: "refresh-token-number-0",
    expiresAt: Date.now() + 600_000,
    user: USER,
    ...overrides,
  });
}

const errorBody = (code: string, message: string, extra: Record<string, unknown> = {}) => ({
  error: { code, message, requestId: "req-1", ...extra },
});

describe("ApiClient", () => {
  it("signs in, keeps the session and sends its bearer token on typed calls", async () => {
    const api = fakeApi((r) => (r.path === "/v1/auth/sign-in" ? json(200, session(1)) : json(200, USER)));
    const store = memorySessionStore();
    const client = new ApiClient({ baseUrl: BASE, store, fetch: api.fetch });
    const changes: Array<User | null> = [];
    client.onSessionChange((user) => changes.push(user));

    expect(await client.signIn("staff@demo.test", "pw")).toEqual(USER);
    const me = await unwrap(client.http.GET("/v1/me"));

    expect(me.email).toBe("staff@demo.test");
    expect(api.seen[0]).toMatchObject({ path: "/v1/auth/sign-in", authorization: null });
    expect(JSON.parse(api.seen[0]?.body ?? "")).toEqual({ email: "staff@demo.test", password: "pw" });
    expect(api.seen[1]).toMatchObject({ path: "/v1/me", authorization: "Bearer access-1" });
    expect(store.load()?.refreshToken).toBe("refresh-token-number-1");
    expect(changes).toEqual([USER]);
  });

  it("rotates the refresh token once on a 401 and retries the call with its body", async () => {
    const api = fakeApi((r) => {
      if (r.path === "/v1/auth/refresh") return json(200, session(1));
      if (r.authorization === "Bearer access-0") return json(401, errorBody("token_expired", "Expired."));
      return json(200, { id: "o-1" });
    });
    const store = signedIn();
    const client = new ApiClient({ baseUrl: BASE, store, fetch: api.fetch });

    const result = await unwrap(
      client.http.POST("/v1/orders/{id}/accept", { params: { path: { id: "o-1" } }, body: { prepTimeMinutes: 12 } }),
    );

    expect(result).toEqual({ id: "o-1" });
    expect(api.seen.map((s) => `${s.path} ${s.authorization}`)).toEqual([
      "/v1/orders/o-1/accept Bearer access-0",
      "/v1/auth/refresh null",
      "/v1/orders/o-1/accept Bearer access-1",
    ]);
    expect(JSON.parse(api.seen[1]?.body ?? "")).toEqual({ refreshToken: "refresh-token-number-0" });
    expect(api.seen[2]?.body).toBe(api.seen[0]?.body);
    expect(JSON.parse(api.seen[2]?.body ?? "")).toEqual({ prepTimeMinutes: 12 });
    expect(store.load()?.accessToken).toBe("access-1");
  });

  it("shares one rotation between concurrent calls, since a reused refresh token revokes the family", async () => {
    let refreshes = 0;
    const api = fakeApi(async (r) => {
      if (r.path === "/v1/auth/refresh") {
        refreshes += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return json(200, session(refreshes));
      }
      return r.authorization === "Bearer access-0"
        ? json(401, errorBody("token_expired", "Expired."))
        : json(200, USER);
    });
    const client = new ApiClient({ baseUrl: BASE, store: signedIn(), fetch: api.fetch });

    await Promise.all([unwrap(client.http.GET("/v1/me")), unwrap(client.http.GET("/v1/me"))]);

    expect(refreshes).toBe(1);
    expect(api.seen.filter((s) => s.path === "/v1/me").map((s) => s.authorization)).toEqual([
      "Bearer access-0",
      "Bearer access-0",
      "Bearer access-1",
      "Bearer access-1",
    ]);
  });

  it("refreshes before a call when the access token is about to expire", async () => {
    const api = fakeApi((r) => (r.path === "/v1/auth/refresh" ? json(200, session(1)) : json(200, USER)));
    const client = new ApiClient({
      baseUrl: BASE,
      store: signedIn({ expiresAt: Date.now() + 10_000 }),
      fetch: api.fetch,
    });
    await unwrap(client.http.GET("/v1/me"));
    expect(api.seen.map((s) => `${s.path} ${s.authorization}`)).toEqual([
      "/v1/auth/refresh null",
      "/v1/me Bearer access-1",
    ]);
  });

  it("ends the session when the refresh token is refused, and says why", async () => {
    const api = fakeApi((r) =>
      r.path === "/v1/auth/refresh"
        ? json(401, errorBody("refresh_token_reused", "This refresh token was already used."))
        : json(401, errorBody("token_expired", "Expired.")),
    );
    const store = signedIn();
    const client = new ApiClient({ baseUrl: BASE, store, fetch: api.fetch });
    const changes: Array<User | null> = [];
    client.onSessionChange((user) => changes.push(user));

    const failure = await unwrap(client.http.GET("/v1/me")).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ status: 401, code: "refresh_token_reused" });
    expect(client.user).toBeNull();
    expect(store.load()).toBeNull();
    expect(changes).toEqual([null]);
  });

  it("turns the API's error body into a typed ApiError, details and extra fields included", async () => {
    const api = fakeApi(() =>
      json(422, {
        error: {
          code: "outside_geofence",
          message: "Too far from the restaurant.",
          details: [{ path: "lat", code: "too_far", message: "120 m away" }],
          requestId: "req-42",
          distanceM: 120,
          radiusM: 50,
        },
      }),
    );
    const client = new ApiClient({ baseUrl: BASE, store: signedIn(), fetch: api.fetch });

    const failure = await unwrap(
      client.http.POST("/v1/couriers/me/orders/{id}/picked-up", {
        params: { path: { id: "o-1" } },
        body: { lat: 38.7, lng: -9.1, accuracyM: 5 },
      }),
    ).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(ApiError);
    const error = failure as ApiError;
    expect(error).toMatchObject({ status: 422, code: "outside_geofence", requestId: "req-42" });
    expect(error.extra).toEqual({ distanceM: 120, radiusM: 50 });
    expect(error.describe()).toBe("Too far from the restaurant. (lat: 120 m away)");
  });

  it("reports an unreachable API as a network_error, and a non-JSON failure by its status", async () => {
    const down = new ApiClient({
      baseUrl: BASE,
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
    });
    await expect(
      unwrap(down.http.GET("/v1/restaurants", { params: { query: { lat: 1, lng: 2 } } })),
    ).rejects.toMatchObject({ status: 0, code: "network_error" });

    const broken = new ApiClient({
      baseUrl: BASE,
      fetch: async () => new Response("Bad gateway", { status: 502, statusText: "Bad Gateway" }),
    });
    await expect(
      unwrap(broken.http.GET("/v1/restaurants", { params: { query: { lat: 1, lng: 2 } } })),
    ).rejects.toMatchObject({ status: 502, code: "http_error" });
  });

  it("builds WebSocket URLs with the scheme of the API and a current token", async () => {
    const client = new ApiClient({
      baseUrl: "https://api.example/",
      store: signedIn(),
      fetch: fakeApi(() => json(200, {})).fetch,
    });
    const url = new URL(await client.socketUrl("/v1/orders/o-1/live", { since: 4 }));
    expect(`${url.protocol}//${url.host}${url.pathname}`).toBe("wss://api.example/v1/orders/o-1/live");
    expect(url.searchParams.get("since")).toBe("4");
    expect(url.searchParams.get("access_token")).toBe("access-0");
  });

  it("signs out locally even when the API cannot be reached", async () => {
    const store = signedIn();
    const client = new ApiClient({ baseUrl: BASE, store, fetch: () => Promise.reject(new TypeError("offline")) });
    await client.signOut();
    expect(client.user).toBeNull();
    expect(store.load()).toBeNull();
  });
});
