// Local secrets for `npm start` and the tests: generated once per checkout and
// kept in `.data/` (gitignored), so tokens issued before a restart still
// verify after it. Never used outside local development.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exportJWK, generateKeyPair, type JWK } from "jose";

export interface DevKeys {
  /** JSON array of private ES256 JWKs, each with a `kid`; the first signs. */
  jwtPrivateKeys: string;
  stripeWebhookSecret: string;
  stripeSecretKey: string;
  /** The VAPID key web pushes are signed with (a private ES256 JWK as JSON). */
  vapidPrivateJwk: string;
}

interface StoredDevKeys {
  version: 1;
  jwtPrivateKeys: JWK[];
  stripeWebhookSecret: string;
  stripeSecretKey: string;
  /** Added with notifications; older key files get one on their next load. */
  vapidPrivateJwk?: JWK;
}

const FILE_NAME = "dev-keys.json";

function isStored(value: unknown): value is StoredDevKeys {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<StoredDevKeys>;
  return (
    v.version === 1 &&
    Array.isArray(v.jwtPrivateKeys) &&
    v.jwtPrivateKeys.length > 0 &&
    v.jwtPrivateKeys.every((k) => typeof k.kid === "string" && typeof k.d === "string") &&
    typeof v.stripeWebhookSecret === "string" &&
    v.stripeWebhookSecret.startsWith("whsec_") &&
    typeof v.stripeSecretKey === "string" &&
    v.stripeSecretKey.startsWith("sk_test_")
  );
}

async function vapidKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return exportJWK(privateKey);
}

async function generate(): Promise<StoredDevKeys> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = `dev-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString("hex")}`;
  return {
    version: 1,
    jwtPrivateKeys: [{ ...jwk, kid, alg: "ES256", use: "sig" }],
    // Same shapes as Stripe's, so code that checks prefixes behaves as in production.
    stripeWebhookSecret: `whsec_${randomBytes(24).toString("base64url")}`,
    stripeSecretKey: `sk_test_${randomBytes(24).toString("base64url")}`,
    vapidPrivateJwk: await vapidKey(),
  };
}

function toDevKeys(stored: StoredDevKeys): DevKeys {
  return {
    jwtPrivateKeys: JSON.stringify(stored.jwtPrivateKeys),
    stripeWebhookSecret: stored.stripeWebhookSecret,
    stripeSecretKey: stored.stripeSecretKey,
    vapidPrivateJwk: JSON.stringify(stored.vapidPrivateJwk),
  };
}

/** Throwaway keys for one run (tests, benchmarks): nothing is written. */
export async function generateDevKeys(): Promise<DevKeys> {
  return toDevKeys(await generate());
}

export async function loadOrCreateDevKeys(dir = ".data"): Promise<DevKeys> {
  const path = join(dir, FILE_NAME);
  let stored: StoredDevKeys | undefined;
  try {
    const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
    if (isStored(parsed)) stored = parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" && !(error instanceof SyntaxError)) throw error;
  }
  if (stored?.vapidPrivateJwk) return toDevKeys(stored);
  // A new file, or one written before web push: kept as it was, with a VAPID key added.
  stored = stored ? { ...stored, vapidPrivateJwk: await vapidKey() } : await generate();
  await mkdir(dir, { recursive: true });
  // Write then rename, so a crash mid-write never leaves a truncated key file behind.
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
  return toDevKeys(stored);
}
