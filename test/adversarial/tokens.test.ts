// Forged, altered and out-of-date access tokens, each tried against a read,
// a write and a socket upgrade: every one must be a 401 with the right code,
// and a write tried with it must change nothing.
import { exportSPKI, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { api, createWorld, eventually, PASSWORD, testEnv, type World } from "../world.ts";
import { tally } from "./tally.ts";

let world: World;
let good: string;
let goodRefresh: string;
let privateJwk: JWK;
let publicJwk: JWK;

const enc = new TextEncoder();

function b64url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === "string" ? enc.encode(bytes) : bytes;
  let binary = "";
  for (const b of raw) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodePart(part: string): Record<string, unknown> {
  return JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
}

function parts(token: string): [Record<string, unknown>, Record<string, unknown>, string] {
  const [h, p, s] = token.split(".");
  return [decodePart(h ?? ""), decodePart(p ?? ""), s ?? ""];
}

function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ""): string {
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${signature}`;
}

async function hs256(secret: Uint8Array, header: Record<string, unknown>, payload: Record<string, unknown>) {
  const signingInput = `${b64url(JSON.stringify({ ...header, alg: "HS256" }))}.${b64url(JSON.stringify(payload))}`;
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(signingInput)));
  return `${signingInput}.${b64url(sig)}`;
}

/** Signs with the platform's real key, so only the claims decide. */
async function signedByUs(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const key = await importJWK(privateJwk, "ES256");
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid as string, typ: "JWT", ...header })
    .sign(key);
}

const now = () => Math.floor(Date.now() / 1000);

function validClaims(): Record<string, unknown> {
  return {
    sub: world.ids.customer,
    role: "customer",
    sid: crypto.randomUUID(),
    iss: testEnv.JWT_ISSUER,
    aud: testEnv.JWT_AUDIENCE,
    iat: now(),
    exp: now() + 600,
  };
}

function without(claims: Record<string, unknown>, name: string): Record<string, unknown> {
  const { [name]: _dropped, ...rest } = claims;
  return rest;
}

beforeAll(async () => {
  world = await createWorld();
  const res = await api("/v1/auth/sign-in", {
    method: "POST",
    json: { email: world.emails.customer, password: PASSWORD },
  });
  ({ accessToken: good, refreshToken: goodRefresh } = (await res.json()) as {
    accessToken: string;
    refreshToken: string;
  });
  privateJwk = (JSON.parse(testEnv.JWT_PRIVATE_KEYS) as JWK[])[0] as JWK;
  publicJwk = ((await (await api("/.well-known/jwks.json")).json()) as { keys: JWK[] }).keys[0] as JWK;
});

interface Attack {
  name: string;
  token: () => Promise<string>;
  /** Codes a correct refusal may carry. */
  codes: string[];
}

async function attacks(): Promise<Attack[]> {
  const invalid = ["token_invalid"];
  const [h, p, sig] = parts(good);
  const foreign = await generateKeyPair("ES256", { extractable: true });
  const publicKey = await importJWK(publicJwk, "ES256");
  const spkiPem = await exportSPKI(publicKey as CryptoKey);
  const spkiDer = Uint8Array.from(atob(spkiPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "")), (c) =>
    c.charCodeAt(0),
  );
  const confusionKeys: Array<[string, Uint8Array]> = [
    ["PEM text", enc.encode(spkiPem)],
    ["SPKI DER", spkiDer],
    ["JWK JSON", enc.encode(JSON.stringify(publicJwk))],
    ["JWK x", enc.encode(publicJwk.x as string)],
  ];
  const list: Attack[] = [
    { name: "alg none, claims intact", token: async () => unsigned({ ...h, alg: "none" }, p), codes: invalid },
    {
      name: "alg none, role admin",
      token: async () => unsigned({ alg: "none", typ: "JWT" }, { ...p, role: "admin" }),
      codes: invalid,
    },
    { name: "alg NONE (case)", token: async () => unsigned({ ...h, alg: "NONE" }, p), codes: invalid },
    { name: "signature stripped", token: async () => `${good.split(".").slice(0, 2).join(".")}.`, codes: invalid },
    { name: "two segments", token: async () => good.split(".").slice(0, 2).join("."), codes: invalid },
    ...confusionKeys.map(([label, secret]) => ({
      name: `HS256 keyed with the public key (${label})`,
      token: () => hs256(secret, h, { ...p, role: "admin" }),
      codes: invalid,
    })),
    {
      name: "foreign ES256 key under our kid",
      token: () =>
        new SignJWT({ ...validClaims(), role: "admin" })
          .setProtectedHeader({ alg: "ES256", kid: privateJwk.kid as string, typ: "JWT" })
          .sign(foreign.privateKey),
      codes: invalid,
    },
    {
      name: "foreign key embedded as jwk header",
      token: async () => {
        const jwk = await crypto.subtle.exportKey("jwk", foreign.publicKey as CryptoKey);
        return new SignJWT({ ...validClaims(), role: "admin" })
          .setProtectedHeader({ alg: "ES256", typ: "JWT", jwk: jwk as JWK })
          .sign(foreign.privateKey);
      },
      codes: invalid,
    },
    {
      name: "foreign key named by jku",
      token: () =>
        new SignJWT({ ...validClaims(), role: "admin" })
          .setProtectedHeader({ alg: "ES256", typ: "JWT", kid: "attacker", jku: "https://attacker.example/jwks.json" })
          .sign(foreign.privateKey),
      codes: invalid,
    },
    { name: "unknown kid", token: () => signedByUs(validClaims(), { kid: "no-such-key" }), codes: invalid },
    {
      name: "edited role (original signature)",
      token: async () => unsigned(h, { ...p, role: "admin" }, sig),
      codes: invalid,
    },
    {
      name: "edited sub (original signature)",
      token: async () => unsigned(h, { ...p, sub: world.ids.otherCustomer }, sig),
      codes: invalid,
    },
    {
      name: "edited exp (original signature)",
      token: async () => unsigned(h, { ...p, exp: now() + 86_400 * 365 }, sig),
      codes: invalid,
    },
    {
      name: "edited sid (original signature)",
      token: async () => unsigned(h, { ...p, sid: crypto.randomUUID() }, sig),
      codes: invalid,
    },
    {
      name: "header alg ES512 over an ES256 signature",
      token: async () => unsigned({ ...h, alg: "ES512" }, p, sig),
      codes: invalid,
    },
    {
      name: "header alg RS256 over an ES256 signature",
      token: async () => unsigned({ ...h, alg: "RS256" }, p, sig),
      codes: invalid,
    },
    {
      name: "expired",
      token: () => signedByUs({ ...validClaims(), iat: now() - 3600, exp: now() - 60 }),
      codes: ["token_expired"],
    },
    {
      name: "not yet valid (nbf in an hour)",
      token: () => signedByUs({ ...validClaims(), nbf: now() + 3600 }),
      codes: invalid,
    },
    { name: "wrong audience", token: () => signedByUs({ ...validClaims(), aud: "someone-else" }), codes: invalid },
    {
      name: "wrong issuer",
      token: () => signedByUs({ ...validClaims(), iss: "https://evil.example" }),
      codes: invalid,
    },
    { name: "no exp", token: () => signedByUs(without(validClaims(), "exp")), codes: invalid },
    { name: "no sid", token: () => signedByUs(without(validClaims(), "sid")), codes: invalid },
    { name: "no iat", token: () => signedByUs(without(validClaims(), "iat")), codes: invalid },
    { name: "no sub", token: () => signedByUs(without(validClaims(), "sub")), codes: invalid },
    { name: "unknown role", token: () => signedByUs({ ...validClaims(), role: "superuser" }), codes: invalid },
    {
      name: "staff without restaurant",
      token: () => signedByUs({ ...validClaims(), role: "restaurant_staff" }),
      codes: invalid,
    },
    { name: "typ other than JWT", token: () => signedByUs(validClaims(), { typ: "at+jwt" }), codes: invalid },
    { name: "empty", token: async () => "", codes: ["token_missing", "token_invalid"] },
    { name: "garbage", token: async () => "not.a.token", codes: invalid },
    { name: "64 KiB of dots", token: async () => ".".repeat(65_000), codes: invalid },
    {
      name: "signed out session",
      token: async () => {
        const res = await api("/v1/auth/sign-in", {
          method: "POST",
          json: { email: world.emails.customer, password: PASSWORD },
        });
        const s = (await res.json()) as { accessToken: string; refreshToken: string };
        await api("/v1/auth/sign-out", { method: "POST", json: { refreshToken: s.refreshToken } });
        return s.accessToken;
      },
      codes: ["token_revoked"],
    },
  ];
  return list;
}

function order(token: string): Promise<Response> {
  return api("/v1/orders", {
    method: "POST",
    token,
    headers: { "idempotency-key": `forged-${crypto.randomUUID()}` },
    json: {
      restaurantId: world.restaurantId,
      items: [{ itemId: world.itemId, quantity: 1, optionIds: [world.smallOptionId] }],
      deliveryAddress: world.address,
    },
  });
}

let controlOrderId = "";

async function orderIds(token: string): Promise<string[]> {
  const res = await api("/v1/me/orders?limit=100", { token });
  return ((await res.json()) as { orders: Array<{ id: string }> }).orders.map((o) => o.id);
}

describe("token attacks", () => {
  it("the control: the genuine token reads, writes and opens a socket", async () => {
    expect((await api("/v1/me", { token: good })).status).toBe(200);
    const placed = await order(good);
    expect(placed.status).toBe(201);
    controlOrderId = ((await placed.json()) as { id: string }).id;
    const socket = await api(`/v1/orders/${crypto.randomUUID()}/live?access_token=${good}`, {
      headers: { upgrade: "websocket" },
    });
    // Authenticated, then no such order: 404, not 401.
    expect(socket.status).toBe(404);
    expect(goodRefresh.length).toBeGreaterThan(20);
  });

  it("every forged, altered or out-of-date token is refused with 401 on a read, a write and a socket, and writes nothing", async () => {
    const t = tally("token attacks");
    // The control's order reaches Postgres through the queue: counted once it is there.
    const before = (
      await eventually(async () => {
        const ids = await orderIds(good);
        return ids.includes(controlOrderId) ? ids : undefined;
      })
    ).length;
    for (const attack of await attacks()) {
      const token = await attack.token();
      const tries: Array<[string, () => Promise<Response>]> = [
        ["read", () => api("/v1/me", { headers: { authorization: `Bearer ${token}` } })],
        ["write", () => order(token)],
        [
          "socket",
          () =>
            api(`/v1/orders/${crypto.randomUUID()}/live?access_token=${encodeURIComponent(token)}`, {
              headers: { upgrade: "websocket" },
            }),
        ],
      ];
      for (const [where, call] of tries) {
        const res = await call();
        const code = res.status === 101 ? undefined : ((await res.json()) as { error?: { code?: string } }).error?.code;
        t.expect(
          res.status === 401 && code !== undefined && attack.codes.includes(code),
          true,
          () => `${attack.name} (${where}): ${res.status} ${code}`,
        );
      }
    }
    // Given the queue the time it took the control's order, nothing new arrives.
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await orderIds(good)).length).toBe(before);
    t.report();
    expect(t.wrong).toEqual([]);
  }, 60_000);
});
