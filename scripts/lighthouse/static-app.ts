// The built customer app served as Pages serves it, for Lighthouse: vite
// build (optionally against a given API origin), then static files with gzip,
// `/` as index.html and nothing outside the build.
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".webmanifest": "application/manifest+json",
  ".json": "application/json",
};

export function build(outDir: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      join(ROOT, "node_modules", ".bin", "vite"),
      ["build", "--config", "web/customer/vite.config.ts", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
      { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env, NODE_ENV: "production" } },
    );
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`vite build exited ${code}`))));
  });
}

/** Static files as Pages serves them: compressed, index.html for `/`, nothing outside the build. */
export async function serve(dir: string, port = 0): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://app").pathname);
    const file = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
    if (!file.startsWith(`${root}${sep}`)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
      const hashed = path.startsWith("/assets/");
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
        ...(gzip ? { "content-encoding": "gzip" } : {}),
      });
      res.end(gzip ? gzipSync(body) : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready));
  const address = server.address();
  const bound = typeof address === "object" && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${bound}/` };
}
