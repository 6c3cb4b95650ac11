// A simulated courier (scripts/simulate.ts): wanders the city streaming fixes
// to their zone over the courier socket, takes or declines offers, drives to
// the restaurant and the customer and reports each step. Time is compressed:
// every vehicle drives at DRIVE_MPS.
import { WebSocket } from "ws";
import { bearingDeg, destinationPoint, haversineMeters, type LatLng } from "../domain/geo/distance.ts";
import type { Call, OrderTrack, SimCounters } from "./simulate-client.ts";

export const DRIVE_MPS = 25;
export const FIX_INTERVAL_MS = 1000;

/** What the simulation shares with its couriers. */
export interface CourierWorld {
  wsBase: string;
  city: LatLng;
  random: () => number;
  call: Call;
  orders: Map<string, OrderTrack>;
  counters: SimCounters;
}

export class SimCourier {
  position: LatLng;
  private target: LatLng;
  private ws: WebSocket | null = null;
  // Sequence numbers must keep rising across app restarts (the zone remembers the last one it accepted).
  private seq = Date.now();
  private job: {
    orderId: string;
    stage: "to_pickup" | "waiting" | "to_dropoff";
    dropoff: LatLng;
    restaurant: LatLng;
  } | null = null;
  private busy = false;

  constructor(
    private readonly world: CourierWorld,
    readonly email: string,
    private readonly token: string,
    start: LatLng,
  ) {
    this.position = start;
    this.target = this.wanderTarget();
  }

  private wanderTarget(): LatLng {
    return destinationPoint(this.world.city, this.world.random() * 360, this.world.random() * 2500);
  }

  connect(): void {
    const ws = new WebSocket(
      `${this.world.wsBase}/v1/couriers/live?lat=${this.position.lat}&lng=${this.position.lng}&access_token=${this.token}`,
    );
    this.ws = ws;
    ws.on("open", () => ws.send(JSON.stringify({ type: "status", status: "online" })));
    ws.on("message", (data) => this.onMessage(String(data)));
    ws.on("error", () => {});
    ws.on("close", (code, reason) => {
      if (process.env.SIM_DEBUG) console.log(`courier ${this.email} socket closed ${code} ${String(reason)}`);
    });
  }

  private onMessage(text: string): void {
    if (text === "pong") return;
    const msg = JSON.parse(text) as {
      type: string;
      orderId?: string;
      cell?: string;
      dropped?: number;
      restaurant?: LatLng;
      dropoff?: LatLng;
    };
    if (msg.type === "ack") this.world.counters.fixesDropped += msg.dropped ?? 0;
    if (msg.type === "handover") {
      this.world.counters.handovers += 1;
      this.ws?.removeAllListeners("message");
      this.ws?.close();
      this.connect();
    }
    if (msg.type === "offer" && msg.orderId && msg.restaurant && msg.dropoff) {
      const accept = this.job === null && this.world.random() < 0.9;
      if (!accept) this.world.counters.offersDeclined += 1;
      this.ws?.send(JSON.stringify({ type: "offer_response", orderId: msg.orderId, accept }));
      if (accept)
        this.job = { orderId: msg.orderId, stage: "to_pickup", restaurant: msg.restaurant, dropoff: msg.dropoff };
    }
    if (msg.type === "declined" && this.job?.orderId === msg.orderId) this.job = null;
    if (msg.type === "error" && msg.orderId && this.job?.orderId === msg.orderId && this.job.stage === "to_pickup") {
      // Lost a race for the offer or it expired: back to wandering.
      this.job = null;
    }
  }

  private async step(path: string, pin?: string): Promise<number> {
    const job = this.job;
    if (!job) return 0;
    const res = await this.world.call("POST", `/v1/couriers/me/orders/${job.orderId}/${path}`, this.token, {
      lat: this.position.lat,
      lng: this.position.lng,
      accuracyM: 8,
      ...(pin ? { pin } : {}),
    });
    return res.status;
  }

  /** One tick: move toward the target, send a fix, and advance the job when at a stop. */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const job = this.job;
      if (job) this.target = job.stage === "to_dropoff" ? job.dropoff : job.restaurant;
      const distance = haversineMeters(this.position, this.target);
      const stepM = (DRIVE_MPS * FIX_INTERVAL_MS) / 1000;
      if (distance > stepM) {
        this.position = destinationPoint(this.position, bearingDeg(this.position, this.target), stepM);
      } else {
        this.position = this.target;
        if (!job) this.target = this.wanderTarget();
        else await this.atStop(job);
      }
      this.sendFix();
    } finally {
      this.busy = false;
    }
  }

  private async atStop(job: NonNullable<SimCourier["job"]>): Promise<void> {
    if (job.stage === "to_pickup") {
      const status = await this.step("arrived-at-pickup");
      if (status === 200 || status === 409) job.stage = "waiting";
      else this.world.counters.stepRetries += 1;
    } else if (job.stage === "waiting") {
      const status = await this.step("picked-up");
      if (status === 200) job.stage = "to_dropoff";
      else this.world.counters.stepRetries += 1; // food not ready yet
    } else {
      await this.step("arrived-at-dropoff");
      const track = this.world.orders.get(job.orderId);
      const view = track
        ? await this.world.call<{ order: { handoffPin?: string } }>(
            "GET",
            `/v1/orders/${job.orderId}`,
            track.customerToken,
          )
        : null;
      const status = await this.step("delivered", view?.body.order.handoffPin);
      if (status === 200) this.job = null;
      else this.world.counters.stepRetries += 1;
    }
  }

  private sendFix(): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.seq += 1;
    this.world.counters.fixesSent += 1;
    this.ws.send(
      JSON.stringify({
        type: "fix",
        fix: {
          lat: this.position.lat,
          lng: this.position.lng,
          accuracyM: 8,
          speedMps: DRIVE_MPS,
          at: Date.now(),
          seq: this.seq,
        },
      }),
    );
  }

  close(): void {
    this.ws?.close();
  }
}
