// A web push service stand-in (RFC 8030) that, unlike a real one, holds the
// subscriber's keys: it makes subscriptions (as a browser's PushManager
// would), checks each push's VAPID authorization (RFC 8292) and decrypts its
// aes128gcm payload (RFC 8291) with http_ece, an implementation independent
// of the Worker's, so a push that reaches the mailbox page is a push a
// browser would have shown.
import { createECDH, randomBytes, randomUUID } from "node:crypto";
// @ts-expect-error: http_ece ships no types
import ece from "http_ece";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";

export interface StandinSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

interface Held {
  ecdh: ReturnType<typeof createECDH>;
  auth: string;
  gone: boolean;
}

const b64url = (b: Buffer) => b.toString("base64url");

export class PushService {
  private readonly held = new Map<string, Held>();

  constructor(private readonly base: () => string) {}

  subscribe(): StandinSubscription {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const auth = b64url(randomBytes(16));
    const id = randomUUID();
    this.held.set(id, { ecdh, auth, gone: false });
    return {
      id,
      endpoint: `${this.base()}/push/send/${id}`,
      keys: { p256dh: b64url(ecdh.getPublicKey()), auth },
    };
  }

  /** As a browser that unsubscribed: later pushes answer 410 Gone. */
  expire(id: string): boolean {
    const h = this.held.get(id);
    if (h) h.gone = true;
    return !!h;
  }

  async receive(
    id: string,
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): Promise<{ status: number; error?: string; payload?: unknown; urgency?: string; ttl?: string }> {
    const h = this.held.get(id);
    if (!h) return { status: 404, error: "no such subscription" };
    if (h.gone) return { status: 410, error: "subscription expired" };
    const auth = String(headers.authorization ?? "");
    const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(auth);
    if (!match) return { status: 401, error: "missing VAPID authorization" };
    const [, token = "", key = ""] = match;
    try {
      const point = Buffer.from(key, "base64url");
      const jwk = {
        kty: "EC",
        crv: "P-256",
        x: b64url(point.subarray(1, 33)),
        y: b64url(point.subarray(33, 65)),
      };
      if (decodeProtectedHeader(token).alg !== "ES256") throw new Error("alg must be ES256");
      const { payload } = await jwtVerify(token, await importJWK(jwk, "ES256"), {
        audience: new URL(this.base()).origin,
      });
      if (!payload.exp || payload.exp > Date.now() / 1000 + 24 * 3600) throw new Error("exp beyond 24 h");
      if (typeof payload.sub !== "string" || !/^(mailto:|https:)/.test(payload.sub)) throw new Error("bad sub");
    } catch (err) {
      return { status: 403, error: `VAPID: ${String(err)}` };
    }
    if (headers["content-encoding"] !== "aes128gcm")
      return { status: 415, error: "content-encoding must be aes128gcm" };
    try {
      const plain: Buffer = ece.decrypt(body, { version: "aes128gcm", privateKey: h.ecdh, authSecret: h.auth });
      return {
        status: 201,
        payload: JSON.parse(plain.toString("utf8")),
        urgency: String(headers.urgency ?? ""),
        ttl: String(headers.ttl ?? ""),
      };
    } catch (err) {
      return { status: 400, error: `decryption failed: ${String(err)}` };
    }
  }
}
