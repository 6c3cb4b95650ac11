// Password hashing with PBKDF2-SHA256 through WebCrypto, which both workerd
// and Node provide. Workers cap PBKDF2 at 100,000 iterations; we use the cap.
// Stored form: `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`, so the
// iteration count can rise later without invalidating old hashes.

export const PBKDF2_ITERATIONS = 100_000;
const HASH_BYTES = 32;

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    HASH_BYTES * 8,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, salt, iterations);
  return `pbkdf2-sha256$${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** Constant-time comparison so the check does not leak how many bytes matched. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterationsText, saltText, hashText] = stored.split("$");
  if (scheme !== "pbkdf2-sha256" || !iterationsText || !saltText || !hashText) return false;
  const iterations = Number(iterationsText);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PBKDF2_ITERATIONS) return false;
  const expected = fromBase64Url(hashText);
  const actual = await derive(password, fromBase64Url(saltText), iterations);
  return equalBytes(actual, expected);
}

/**
 * A hash of a random password that was thrown away. Sign-in checks a password
 * against it when the e-mail has no account (or no password), so that answer
 * costs the same PBKDF2 work as a wrong password and timing cannot tell which
 * e-mails exist. Same iteration count as new hashes (a test keeps them equal).
 */
export const DUMMY_PASSWORD_HASH =
  "pbkdf2-sha256$100000$zxd_J8_Z_dZDal7brRCW3w$B1DzppXFchQ3OD-1j88OCRxq8E-XukWZznUCtYaDaOc";
