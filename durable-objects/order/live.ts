// The order's live feed over a hibernating WebSocket: the upgrade (already
// authenticated by the API Worker) and the watcher's messages. Lent the Order
// DO's state through LiveHost, as dispatch.ts is, so it never imports the object.
import type { Principal } from "../../domain/auth/principal.ts";
import type { OrderEvent } from "../../domain/order/order-event.ts";
import type { Refusal } from "./order-results.ts";
import type { Watchers } from "./watchers.ts";

export interface LiveHost {
  watchers: Watchers;
  /** Why this principal may not watch the order (no such order, or not theirs); null when they may. */
  refusal(principal: Principal): Refusal | null;
  /** Whether the order exists at all. */
  exists(): boolean;
  notFound: Refusal;
  eventsAfter(seq: number): OrderEvent[];
}

/** WebSocket upgrade, the principal in `x-principal`; replays the log from `since` before going live. */
export function openLive(host: LiveHost, request: Request): Response {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket")
    return new Response("expected websocket", { status: 426 });
  if (!host.exists()) return Response.json({ error: host.notFound }, { status: 404 });
  const principal = JSON.parse(request.headers.get("x-principal") ?? "null") as Principal | null;
  if (!principal) return new Response("unauthenticated", { status: 401 });
  const denied = host.refusal(principal);
  if (denied)
    return Response.json({ error: { code: denied.code, message: denied.message } }, { status: denied.status });
  const since = Math.max(0, Number(new URL(request.url).searchParams.get("since") ?? "0") || 0);
  const pair = new WebSocketPair();
  const [client, server] = [pair[0], pair[1]];
  host.watchers.accept(server, principal, since);
  // Same turn as accept: nothing can be appended in between, so no gap between replay and live.
  host.watchers.sendEvents(server, host.eventsAfter(since));
  return new Response(null, { status: 101, webSocket: client });
}

/** A watcher's message: `resume` from a sequence, anything else is told what to send. */
export function liveMessage(host: LiveHost, ws: WebSocket, message: string | ArrayBuffer): void {
  if (typeof message !== "string") return;
  let parsed: { type?: string; since?: number };
  try {
    parsed = JSON.parse(message) as { type?: string; since?: number };
  } catch {
    host.watchers.send(ws, { type: "error", code: "malformed_json", message: "Messages are JSON." });
    return;
  }
  if (parsed.type === "resume" && typeof parsed.since === "number" && parsed.since >= 0) {
    const attachment = host.watchers.attachment(ws);
    if (attachment) ws.serializeAttachment({ ...attachment, lastSeq: Math.min(parsed.since, attachment.lastSeq) });
    host.watchers.sendEvents(ws, host.eventsAfter(parsed.since));
    return;
  }
  host.watchers.send(ws, {
    type: "error",
    code: "unknown_message",
    message: 'Send {"type":"resume","since":N} or "ping".',
  });
}
