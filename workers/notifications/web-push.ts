// Web push encryption (RFC 8291, aes128gcm from RFC 8188) and VAPID (RFC 8292)
// with WebCrypto, as workerd provides it. Written here rather than taken from
// @pushforge/builder, which refuses any endpoint that is not https and so
// cannot reach the local push service stand-in (docs/decisions/0034).
import { importJWK, SignJWT } from "jose";

const encoder = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function fromBase64Url(s: string): Uint8Array {
  const b64 = s.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

export function toBase64Url(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, bits: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bits));
}

/**
 * ECDH's derive parameters. The Workers types spell the peer key `$public`
 * (their generator escapes the word); WebCrypto, and workerd, read `public`.
 */
interface EcdhDeriveParams extends SubtleCryptoDeriveKeyAlgorithm {
  public: CryptoKey;
}

function ecdhWith(peer: CryptoKey): EcdhDeriveParams {
  return { name: "ECDH", public: peer };
}

/** One record, as RFC 8291 section 4 has it: salt, record size, the sender's key, then the ciphertext. */
export async function encryptPayload(
  plaintext: Uint8Array,
  subscriber: { p256dh: string; auth: string },
): Promise<Uint8Array> {
  const uaPublic = fromBase64Url(subscriber.p256dh);
  const authSecret = fromBase64Url(subscriber.auth);
  const ua = await crypto.subtle.importKey("raw", uaPublic, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const local = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
    "deriveBits",
  ])) as CryptoKeyPair;
  const asPublic = new Uint8Array((await crypto.subtle.exportKey("raw", local.publicKey)) as ArrayBuffer);
  const ecdhSecret = new Uint8Array(await crypto.subtle.deriveBits(ecdhWith(ua), local.privateKey, 256));
  const keyInfo = concat(encoder.encode("WebPush: info\0"), uaPublic, asPublic);
  const ikm = await hkdf(authSecret, ecdhSecret, keyInfo, 256);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const cek = await hkdf(salt, ikm, encoder.encode("Content-Encoding: aes128gcm\0"), 128);
  const nonce = await hkdf(salt, ikm, encoder.encode("Content-Encoding: nonce\0"), 96);
  const aes = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
  // A single, last record: the payload, then the 0x02 delimiter.
  const padded = concat(plaintext, Uint8Array.of(2));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, aes, padded));
  const header = new Uint8Array(21);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, 4096);
  header[20] = asPublic.length;
  return concat(header, asPublic, ciphertext);
}

/** The VAPID public key: 0x04 || x || y of the private JWK, base64url. */
export function vapidPublicKeyOf(jwk: { x?: string; y?: string }): string | null {
  if (!jwk.x || !jwk.y) return null;
  return toBase64Url(concat(Uint8Array.of(4), fromBase64Url(jwk.x), fromBase64Url(jwk.y)));
}

export async function vapidAuthorization(endpoint: string, privateJwk: string, subject: string, now = Date.now()) {
  const jwk = JSON.parse(privateJwk) as JsonWebKey & { x?: string; y?: string };
  const publicKey = vapidPublicKeyOf(jwk);
  if (!publicKey) throw new Error("VAPID_PRIVATE_JWK is not a P-256 key");
  const token = await new SignJWT({ sub: subject })
    .setProtectedHeader({ typ: "JWT", alg: "ES256" })
    .setAudience(new URL(endpoint).origin)
    .setExpirationTime(Math.floor(now / 1000) + 12 * 3600)
    .sign(await importJWK(jwk, "ES256"));
  return `vapid t=${token}, k=${publicKey}`;
}
