// Peer for menu reads: bare node:http holding every menu's body and ETag in a Map (loaded once by the
// bench with PUT /menus), answering GET /v1/restaurants/{id}/menu with a 304 when If-None-Match matches
// and the body otherwise. No framework, no KV, no log line: the floor of "a cached read in Node" on the
// same CPU as the Worker, so the machine's own stalls (other tenants, the scheduler) show in its p99 too.
import { createServer } from "node:http";
import { announceReady, onStop } from "../lib/processes.ts";

const menus = new Map<string, { etag: string; body: string }>();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    if (req.method === "PUT" && req.url === "/menus") {
      const loaded = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<
        string,
        { etag: string; body: string }
      >;
      for (const [id, menu] of Object.entries(loaded)) menus.set(id, menu);
      res.writeHead(204).end();
      return;
    }
    const m = /^\/v1\/restaurants\/([^/]+)\/menu$/.exec(req.url ?? "");
    const menu = m ? menus.get(m[1] as string) : undefined;
    if (req.method !== "GET" || !menu) {
      res.writeHead(404).end();
      return;
    }
    const headers = { etag: menu.etag, "cache-control": "public, max-age=0, must-revalidate" };
    if (req.headers["if-none-match"] === menu.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(menu.body),
    });
    res.end(menu.body);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
onStop(() => new Promise<void>((resolve) => server.close(() => resolve())));
announceReady({ url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
