// A stand-in external OIDC issuer for tests: discovery document and JWKS over
// HTTP on loopback. Tests sign tokens with the private key it hands out.
import { createServer } from "node:http";
import { exportJWK, generateKeyPair } from "jose";

export async function startOidcIssuer(): Promise<{ issuer: string; privateJwk: string; close: () => Promise<void> }> {
  const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: "oidc-test-1", alg: "ES256", use: "sig" };
  const privateJwk = JSON.stringify({ ...(await exportJWK(privateKey)), kid: "oidc-test-1", alg: "ES256" });
  let issuer = "";
  const server = createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/.well-known/openid-configuration") {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
    } else if (req.url === "/jwks.json") {
      res.end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      res.statusCode = 404;
      res.end("{}");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return { issuer, privateJwk, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
