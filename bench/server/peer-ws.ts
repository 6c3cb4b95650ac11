// Peers for the courier benchmarks: a bare `ws` server.
//  /ingest?c=ID  each message is the same fix message couriers send the Zone DO,
//                `{"type":"fix","fix":{lat,lng,accuracyM,at,seq}}`; the server parses
//                it, stores the fix in a Map under the socket's courier and acks
//                `{"type":"ack","seq":N,"accepted":1,"dropped":0}`.
//  /watch?room=R subscribers of room R (one order); /publish?room=R: every message
//                received is broadcast as-is to every subscriber of R.
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";
import { announceReady, onStop } from "../lib/processes.ts";

interface FixMessage {
  type: "fix";
  fix: { lat: number; lng: number; accuracyM: number; at: number; seq: number };
}

const positions = new Map<string, FixMessage["fix"]>();
const rooms = new Map<string, Set<WebSocket>>();
const server = createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server, perMessageDeflate: false });

wss.on("connection", (ws, req) => {
  const url = new URL(req.url ?? "/", "http://peer");
  const room = url.searchParams.get("room") ?? "";
  if (url.pathname === "/ingest") {
    const courier = url.searchParams.get("c") ?? "";
    ws.on("message", (data) => {
      const message = JSON.parse(data.toString()) as FixMessage;
      positions.set(courier, message.fix);
      ws.send(`{"type":"ack","seq":${message.fix.seq},"accepted":1,"dropped":0}`);
    });
  } else if (url.pathname === "/watch") {
    let members = rooms.get(room);
    if (!members) {
      members = new Set();
      rooms.set(room, members);
    }
    members.add(ws);
    ws.on("close", () => members.delete(ws));
  } else if (url.pathname === "/publish") {
    ws.on("message", (data, isBinary) => {
      for (const watcher of rooms.get(room) ?? [])
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
