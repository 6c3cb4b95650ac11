// Test-only helpers shared by the zone and dispatch tests: a courier app's
// socket with "wait for the next message of this type", and GPS fixes.
import type { Fix } from "../../domain/dispatch/fix.ts";
import { encodePackedFixes } from "../../domain/dispatch/fix-frame.ts";
import type { LatLng } from "../../domain/geo/distance.ts";
import type { ZoneMessage } from "./protocol.ts";

export interface CourierSocket {
  id: string;
  ws: WebSocket;
  messages: ZoneMessage[];
  /** The next message of this type after the last one returned (of any type). */
  next<T extends ZoneMessage["type"]>(type: T, timeoutMs?: number): Promise<Extract<ZoneMessage, { type: T }>>;
  send(message: unknown): void;
  /** Fixes as one packed binary frame (protocol 2), as the courier app sends them to a zone that speaks it. */
  sendPacked(fixes: readonly Fix[]): void;
  close(): void;
}

export function courierSocket(id: string, response: Response): CourierSocket {
  if (response.status !== 101 || !response.webSocket) throw new Error(`expected a WebSocket, got ${response.status}`);
  const ws = response.webSocket;
  ws.accept();
  const messages: ZoneMessage[] = [];
  let cursor = 0;
  const waiters: Array<() => void> = [];
  ws.addEventListener("message", (m) => {
    if (m.data === "pong") return;
    messages.push(JSON.parse(m.data as string) as ZoneMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    id,
    ws,
    messages,
    async next(type, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const index = messages.findIndex((m, i) => i >= cursor && m.type === type);
        if (index >= 0) {
          cursor = index + 1;
          return messages[index] as Extract<ZoneMessage, { type: typeof type }>;
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${type} message for ${id}; got ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, left);
        });
      }
    },
    send: (message) => ws.send(JSON.stringify(message)),
    sendPacked: (fixes) => ws.send(encodePackedFixes(fixes)),
    close: () => {
      try {
        ws.close(1000, "done");
      } catch {
        // already closed
      }
    },
  };
}

let seq = 0;

/** A good fix at a point, now; seq grows across every courier, which is fine since it only has to grow per courier. */
export function fixAt(at: LatLng, overrides: Partial<Fix> = {}): Fix {
  return { lat: at.lat, lng: at.lng, accuracyM: 8, at: Date.now(), seq: ++seq, ...overrides };
}

/** Online at a position, once the zone has acknowledged it. */
export async function goOnline(socket: CourierSocket, at: LatLng, online = true): Promise<void> {
  if (online) socket.send({ type: "status", status: "online" });
  socket.send({ type: "fix", fix: fixAt(at) });
  await socket.next("ack");
}
