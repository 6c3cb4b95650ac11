// Standard Webhooks signing (https://www.standardwebhooks.com): the partner
// gets a `whsec_<base64>` secret; each delivery carries `webhook-id`,
// `webhook-timestamp` (seconds) and `webhook-signature`, a space-separated
// list of `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. While a secret is
// being rotated, deliveries are signed with the new and the previous one, so
// a partner may switch at its own pace. WebCrypto only: runs in workerd and Node.

const SECRET_PREFIX = "whsec_";

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/** 24 random bytes, as Standard Webhooks' reference libraries make them. */
export function generateSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(24)));
}

export function isSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  try {
    const bytes = fromBase64(value.slice(SECRET_PREFIX.length));
    return bytes.length >= 24 && bytes.length <= 64;
  } catch {
    return false;
  }
}

async function signOne(secret: string, content: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    fromBase64(secret.slice(SECRET_PREFIX.length)),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return `v1,${toBase64(new Uint8Array(await crypto.subtle.sign("HMAC", key, content)))}`;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export async function signDelivery(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<SignedHeaders> {
  const content = new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`);
  const signatures = await Promise.all(secrets.map((s) => signOne(s, content)));
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signatures.join(" "),
  };
}

/** The message id a partner deduplicates on: one per event, the same on every retry and replay. */
export function messageIdFor(eventId: string): string {
  return `msg_${eventId.replaceAll("-", "")}`;
}
