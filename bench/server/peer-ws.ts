// Peers for the courier benchmarks: a bare `ws` server.
//  /ingest   each message is a position `{"c":courierId,"lat","lng","seq"}`;
//            the server parses it, stores it in a Map and acks `{"seq"}`.
//  /watch    subscribers; /publish: every message received is broadcast
//            as-is to every subscriber.
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { announceReady, onStop } from "../lib/processes.ts";

interface Position {
  c: string;
  lat: number;
  lng: number;
  seq: number;
}

const positions = new Map<string, Position>();
const watchers = new Set<WebSocket>();
const server = createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });

wss.on("connection", (ws, req) => {
  const path = new URL(req.url ?? "/", "http://peer").pathname;
  if (path === "/ingest") {
    ws.on("message", (data) => {
      const position = JSON.parse(data.toString()) as Position;
      positions.set(position.c, position);
      ws.send(`{"seq":${position.seq}}`);
    });
  } else if (path === "/watch") {
    watchers.add(ws);
    ws.on("close", () => watchers.delete(ws));
  } else if (path === "/publish") {
    ws.on("message", (data, isBinary) => {
      for (const watcher of watchers)
        if (watcher.readyState === WebSocket.OPEN) watcher.send(data, { binary: isBinary });
    });
  } else ws.close(1008, "unknown path");
});

await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
onStop(
  () =>
    new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => resolve());
    }),
);
announceReady({ url: `ws://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
