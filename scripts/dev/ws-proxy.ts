// A WebSocket-to-TCP proxy that speaks the protocol of Neon's wsproxy, so the
// `@neondatabase/serverless` driver (the production driver) can reach a plain
// Postgres (or the embedded PGlite) locally. Each WebSocket carries one TCP
// connection: the target is `?address=host:port` on the upgrade URL.
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { WebSocketServer } from "ws";

export interface WsProxy {
  port: number;
  close(): Promise<void>;
}

export async function startWsProxy(options: { port?: number; allowedHosts?: string[] } = {}): Promise<WsProxy> {
  const allowed = new Set(options.allowedHosts ?? ["127.0.0.1", "localhost", "::1"]);
  const server: Server = createServer((_req, res) => {
    res.writeHead(426).end("upgrade required");
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false });

  wss.on("connection", (ws, req) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const address = url.searchParams.get("address") ?? "";
    const sep = address.lastIndexOf(":");
    const host = address.slice(0, sep);
    const port = Number(address.slice(sep + 1));
    // Only loopback targets: this proxy must never become an open relay.
    if (!allowed.has(host) || !Number.isInteger(port) || port <= 0) {
      ws.close(1008, "address not allowed");
      return;
    }
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    const pending: Buffer[] = [];
    let connected = false;
    socket.on("connect", () => {
      connected = true;
      for (const chunk of pending) socket.write(chunk);
      pending.length = 0;
    });
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (connected) socket.write(chunk);
      else pending.push(chunk);
    });
    socket.on("data", (chunk) => ws.send(chunk));
    socket.on("close", () => ws.close());
    socket.on("error", () => ws.close(1011, "upstream error"));
    ws.on("close", () => socket.destroy());
    ws.on("error", () => socket.destroy());
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}
