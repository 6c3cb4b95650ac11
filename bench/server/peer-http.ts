// Peer for order placement: bare node:http. Reads the same request body the
// API receives, parses the JSON, checks the headers a real endpoint would
// need, and answers 201 with a small JSON body. No validation library, no
// auth check, no storage: the floor of "an HTTP endpoint in Node".
import { createServer } from "node:http";
import { announceReady, onStop } from "../lib/processes.ts";

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    if (req.method !== "POST" || req.url !== "/v1/orders") {
      res.writeHead(404).end();
      return;
    }
    let body: { restaurantId?: unknown; items?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const key = req.headers["idempotency-key"];
    if (typeof key !== "string" || !req.headers.authorization || !Array.isArray(body.items)) {
      res.writeHead(400).end();
      return;
    }
    const payload = JSON.stringify({ id: key, status: "placed", restaurantId: body.restaurantId });
    res.writeHead(201, { "content-type": "application/json", "content-length": Buffer.byteLength(payload) });
    res.end(payload);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
onStop(() => new Promise<void>((resolve) => server.close(() => resolve())));
announceReady({ url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
