// The courier's WebSocket to the Zone DO of their cell. It uploads the fix
// buffer in order, up to `framesInFlight` batches ahead of the zone's acks,
// and trims the buffer only when an ack names a seq, so a fix is never lost
// (the socket died before the ack: everything unacknowledged is sent again on
// the next one) and never counted twice (the zone refuses a seq it already
// has). It asks the zone for cumulative acks (one for several batches,
// decision 59), which is why it does not wait for each batch's own. It
// reconnects with backoff, and at once when the zone hands the courier over
// to the next cell. Batches go as JSON, or as packed binary frames
// (domain/dispatch/fix-frame.ts, decision 63) once the socket's zone has said
// in its `status` that it speaks protocol 2.
//
// It always connects to the cell the zone last named (in `status` or
// `handover`), not to where the phone is now: after a dead zone the courier's
// state still lives in the old cell, which takes the buffered fixes in order
// and hands the courier over when they reach the new one.
//
// Browsers keep a WebSocket "open" while the network is gone (Chromium's
// offline mode included), so the link closes itself when the browser reports
// it is offline, and when the zone has been silent through two heartbeats.

import type { Fix } from "../../../../domain/dispatch/fix.ts";
import { encodePackedFixes, PACKED_FIXES_PROTOCOL } from "../../../../domain/dispatch/fix-frame.ts";
import type { LatLng } from "../../../../domain/geo/distance.ts";
import { decodeGeohashBounds } from "../../../../domain/geo/geohash.ts";
import type { CourierClientMessage, CourierServerMessage } from "../../../shared/api/index.ts";

/** What the courier chose, and what the zone confirms. */
export type CourierStatus = Extract<CourierServerMessage, { type: "status" }>["status"];

import type { FixBuffer } from "./fix-buffer.ts";

/** The part of the fix buffer the link uses. */
export type FixStore = Pick<FixBuffer, "oldest" | "after" | "acknowledge" | "count" | "meta" | "setMeta">;

export type LinkState = "idle" | "connecting" | "live" | "reconnecting" | "no_network" | "replaced";

export interface ZoneLinkOptions {
  buffer: FixStore;
  /** The socket URL for a position (the API picks that position's cell), with a fresh token. */
  url(at: LatLng): Promise<string>;
  /** Where to connect before any zone has named a cell: the latest reading. */
  fallbackPosition(): LatLng | null;
  status(): CourierStatus;
  onState(state: LinkState): void;
  onMessage(message: CourierServerMessage): void;
  onAck(ack: { accepted: number; dropped: number; remaining: number }): void;
  /** Fixes per message; well under the zone's cap and small enough for any frame limit. */
  batchSize?: number;
  /** Least time between two batches: a long backlog stays under the zone's message rate (5 a second). */
  batchGapMs?: number;
  /**
   * Batches sent and not yet acknowledged, at most. Above 1 the link asks the
   * zone for cumulative acks; 1 is the old one-batch-at-a-time upload.
   */
  framesInFlight?: number;
  ackTimeoutMs?: number;
  heartbeatMs?: number;
  isOnline?: () => boolean;
}

const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];

function cellCentre(cell: string): LatLng {
  const b = decodeGeohashBounds(cell);
  return { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 };
}

/** A JSON frame: only messages of the shared protocol (the zone's own schema, through the API contract). */
function text(message: CourierClientMessage): string {
  return JSON.stringify(message);
}

/** Only the fields the zone's strict schema knows. */
function wireFix(fix: Fix): Fix {
  const out: Fix = { lat: fix.lat, lng: fix.lng, accuracyM: fix.accuracyM, at: fix.at, seq: fix.seq };
  if (fix.headingDeg !== undefined) out.headingDeg = fix.headingDeg;
  if (fix.speedMps !== undefined) out.speedMps = fix.speedMps;
  return out;
}

export class ZoneLink {
  private ws: WebSocket | null = null;
  private running = false;
  private state: LinkState = "idle";
  /** The last seq of each batch sent on this socket and not yet acknowledged, oldest first. */
  private unacked: number[] = [];
  /** The highest seq sent on this socket: the next batch starts after it. */
  private sentUpTo: number | null = null;
  /**
   * This socket's zone announced protocol 2 (in its `status`): fixes go as
   * packed binary frames, which cost the zone less to read than JSON. Until
   * then, and with an older zone, they go as JSON.
   */
  private packed = false;
  private attempt = 0;
  private handingOver = false;
  private lastHeard = 0;
  private lastBatchAt = 0;
  private paced: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  /** Socket messages, acks and connects run one at a time, in arrival order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly batchGapMs: number;
  private readonly framesInFlight: number;
  private readonly ackTimeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly isOnline: () => boolean;

  constructor(private readonly options: ZoneLinkOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.batchGapMs = options.batchGapMs ?? 250;
    // Above the zone's ACK_EVERY_FRAMES (8), so a backlog never waits for the zone's ack timer.
    this.framesInFlight = options.framesInFlight ?? 16;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.isOnline = options.isOnline ?? (() => navigator.onLine);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    window.addEventListener("offline", this.wentOffline);
    window.addEventListener("online", this.cameOnline);
    this.heartbeatTimer = setInterval(this.heartbeat, this.heartbeatMs);
    this.run(() => this.connect());
  }

  stop(): void {
    this.running = false;
    window.removeEventListener("offline", this.wentOffline);
    window.removeEventListener("online", this.cameOnline);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.drop(1000, "signing off");
    this.setState("idle");
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Sends now if connected; false otherwise (the caller tells the courier, or waits for the next connect). */
  send(message: CourierClientMessage): boolean {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(text(message));
    return true;
  }

  /** A new fix was buffered. */
  nudge(): void {
    this.run(() => this.flush());
  }

  /** Resolves once the buffer is empty or `timeoutMs` passed, e.g. before signing off. */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.options.buffer.count()) === 0) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  private run(task: () => Promise<void>): void {
    this.chain = this.chain.then(task).catch((error: unknown) => {
      console.warn("zone link:", error);
    });
  }

  private setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState(state);
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    if (this.paced) clearTimeout(this.paced);
    this.reconnectTimer = null;
    this.ackTimer = null;
    this.paced = null;
  }

  /** Forgets the current socket first, so its close event is not mistaken for the next one's. */
  private drop(code: number, reason: string): void {
    const ws = this.ws;
    this.ws = null;
    this.forgetSent();
    this.clearTimers();
    try {
      ws?.close(code, reason);
    } catch {
      // already closed
    }
  }

  private async target(): Promise<LatLng | null> {
    const cell = await this.options.buffer.meta("cell");
    if (typeof cell === "string" && cell !== "") return cellCentre(cell);
    const [oldest] = await this.options.buffer.oldest(1);
    return oldest ?? this.options.fallbackPosition();
  }

  private async connect(): Promise<void> {
    if (!this.running || this.ws) return;
    if (!this.isOnline()) {
      this.setState("no_network");
      return;
    }
    const target = await this.target();
    if (!target) {
      // No position yet: try again shortly, a reading is on its way.
      this.setState("connecting");
      this.scheduleReconnect(1_000);
      return;
    }
    this.setState(this.attempt === 0 ? "connecting" : "reconnecting");
    let url: string;
    try {
      url = await this.options.url(target);
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (!this.running || this.ws) return;
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.lastHeard = Date.now();
      this.setState("live");
      ws.send(text({ type: "status", status: this.options.status() }));
      if (this.framesInFlight > 1) ws.send(text({ type: "ack_mode", mode: "cumulative" }));
      this.run(() => this.flush());
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws !== ws) return;
      this.lastHeard = Date.now();
      if (event.data === "pong" || typeof event.data !== "string") return;
      let message: CourierServerMessage;
      try {
        message = JSON.parse(event.data) as CourierServerMessage;
      } catch {
        return;
      }
      if (message.type === "handover") this.handingOver = true;
      if (message.type === "status") this.packed = (message.protocol ?? 1) >= PACKED_FIXES_PROTOCOL;
      this.run(() => this.handle(message));
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.forgetSent();
      this.clearTimers();
      if (!this.running) return;
      if (event.code === 4009) {
        // Another tab or device of this courier took the connection: do not fight over it.
        this.setState("replaced");
        return;
      }
      if (this.handingOver) {
        this.handingOver = false;
        this.run(() => this.connect());
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(delayMs?: number): void {
    if (!this.running) return;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const delay = delayMs ?? BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 15_000;
    this.attempt++;
    if (this.state === "live") this.setState("reconnecting");
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.run(() => this.connect());
    }, delay);
  }

  private async handle(message: CourierServerMessage): Promise<void> {
    switch (message.type) {
      case "ack": {
        if (this.ackTimer) clearTimeout(this.ackTimer);
        this.ackTimer = null;
        await this.options.buffer.acknowledge(message.seq);
        // One ack may answer several batches: everything up to its seq.
        this.unacked = this.unacked.filter((seq) => seq > message.seq);
        if (this.unacked.length > 0 && this.ws) this.awaitAck(this.ws);
        this.options.onAck({
          accepted: message.accepted,
          dropped: message.dropped,
          remaining: await this.options.buffer.count(),
        });
        await this.flush();
        return;
      }
      case "status":
        await this.options.buffer.setMeta("cell", message.cell);
        break;
      case "handover":
        await this.options.buffer.setMeta("cell", message.cell);
        break;
    }
    this.options.onMessage(message);
  }

  private async flush(): Promise<void> {
    if (!this.connected || this.unacked.length >= this.framesInFlight || this.paced) return;
    const wait = this.lastBatchAt + this.batchGapMs - Date.now();
    if (wait > 0) {
      this.paced = setTimeout(() => {
        this.paced = null;
        this.nudge();
      }, wait);
      return;
    }
    const from = this.sentUpTo;
    const batch =
      from === null
        ? await this.options.buffer.oldest(this.batchSize)
        : await this.options.buffer.after(from, this.batchSize);
    const ws = this.ws;
    if (batch.length === 0 || !ws || ws.readyState !== WebSocket.OPEN) return;
    if (this.unacked.length >= this.framesInFlight || this.sentUpTo !== from) return;
    const last = batch[batch.length - 1] as Fix;
    this.unacked.push(last.seq);
    this.sentUpTo = last.seq;
    this.lastBatchAt = Date.now();
    if (this.packed) ws.send(encodePackedFixes(batch));
    else
      ws.send(
        text(
          batch.length === 1
            ? { type: "fix", fix: wireFix(batch[0] as Fix) }
            : { type: "fixes", fixes: batch.map(wireFix) },
        ),
      );
    if (!this.ackTimer) this.awaitAck(ws);
    // A full batch: more may be buffered, and there is room before the next ack.
    if (batch.length === this.batchSize) this.nudge();
  }

  /** No ack for the oldest batch in flight within the timeout: the socket is dead; its batches go again on the next. */
  private awaitAck(ws: WebSocket): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    const oldest = this.unacked[0];
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      if (this.ws === ws && this.unacked[0] === oldest) {
        this.drop(4000, "no ack");
        this.scheduleReconnect();
      }
    }, this.ackTimeoutMs);
  }

  private forgetSent(): void {
    this.unacked = [];
    this.sentUpTo = null;
    // The next socket may reach another zone (or an older one): it says again what it speaks.
    this.packed = false;
  }

  private readonly wentOffline = (): void => {
    this.drop(4000, "offline");
    if (this.running) this.setState("no_network");
  };

  private readonly cameOnline = (): void => {
    if (!this.running) return;
    this.attempt = 0;
    this.run(() => this.connect());
  };

  private readonly heartbeat = (): void => {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > this.heartbeatMs * 2.5) {
      this.drop(4000, "silent");
      this.scheduleReconnect();
      return;
    }
    ws.send("ping");
  };
}
