// The courier's WebSocket to the Zone DO of their cell. It uploads the fix
// buffer in order, one batch in flight at a time, and trims the buffer only
// when the zone acknowledges a batch, so a fix is never lost (the socket died
// before the ack: the batch is sent again) and never counted twice (the zone
// refuses a seq it already has). It reconnects with backoff, and at once when
// the zone hands the courier over to the next cell.
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
import type { LatLng } from "../../../../domain/geo/distance.ts";
import { decodeGeohashBounds } from "../../../../domain/geo/geohash.ts";
import type { CourierServerMessage } from "../../../shared/api/index.ts";

/** What the courier chose, and what the zone confirms. */
export type CourierStatus = Extract<CourierServerMessage, { type: "status" }>["status"];

import type { FixBuffer } from "./fix-buffer.ts";

/** The part of the fix buffer the link uses. */
export type FixStore = Pick<FixBuffer, "oldest" | "acknowledge" | "count" | "meta" | "setMeta">;

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
  ackTimeoutMs?: number;
  heartbeatMs?: number;
  isOnline?: () => boolean;
}

const BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000, 15_000];

function cellCentre(cell: string): LatLng {
  const b = decodeGeohashBounds(cell);
  return { lat: (b.minLat + b.maxLat) / 2, lng: (b.minLng + b.maxLng) / 2 };
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
  private inFlight: number | null = null;
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
  private readonly ackTimeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly isOnline: () => boolean;

  constructor(private readonly options: ZoneLinkOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.batchGapMs = options.batchGapMs ?? 250;
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
  send(message: unknown): boolean {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
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
    this.inFlight = null;
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
      ws.send(JSON.stringify({ type: "status", status: this.options.status() }));
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
      this.run(() => this.handle(message));
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.inFlight = null;
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
        this.inFlight = null;
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
    if (!this.connected || this.inFlight !== null || this.paced) return;
    const wait = this.lastBatchAt + this.batchGapMs - Date.now();
    if (wait > 0) {
      this.paced = setTimeout(() => {
        this.paced = null;
        this.nudge();
      }, wait);
      return;
    }
    const batch = await this.options.buffer.oldest(this.batchSize);
    const ws = this.ws;
    if (batch.length === 0 || !ws || ws.readyState !== WebSocket.OPEN || this.inFlight !== null) return;
    const last = batch[batch.length - 1] as Fix;
    this.inFlight = last.seq;
    this.lastBatchAt = Date.now();
    ws.send(
      JSON.stringify(
        batch.length === 1
          ? { type: "fix", fix: wireFix(batch[0] as Fix) }
          : { type: "fixes", fixes: batch.map(wireFix) },
      ),
    );
    this.ackTimer = setTimeout(() => {
      // No answer: treat the socket as dead; the batch goes again on the next one.
      if (this.ws === ws && this.inFlight === last.seq) {
        this.drop(4000, "no ack");
        this.scheduleReconnect();
      }
    }, this.ackTimeoutMs);
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
