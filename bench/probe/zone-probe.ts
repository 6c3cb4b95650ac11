// A bench-only Worker (never deployed) for (2) and (4): the ways into the
// platform Worker's Zone and Order Durable Objects that the API does not have
// (k-nearest queries and zone stats go through the API's admin routes).
// bench/server/worker-host.ts runs it in the same Miniflare instance as the
// platform Worker and binds ZONE and ORDER to that Worker's own classes
// (Miniflare `durableObjects: { ZONE: { className, scriptName: "bench-worker" } }`),
// so every call here reaches the very objects the API's sockets talk to.
//
//  POST /fleet/connect     couriers online without the API: a Fleet DO opens their
//                          sockets straight to their Zone DO, as zone.test.ts does,
//                          so (2) can have 10k available couriers in a city without
//                          10k sockets in the load generator
//  POST /fleet/close       closes them (they stop being available)
//  POST /orders/assign     drives placed-by-probe orders to "courier assigned"
//                          through the Order DO's own RPCs, and hands the courier
//                          to their zone with the order active (for (4))
import { DurableObject } from "cloudflare:workers";
import type { Principal } from "../../domain/auth/principal.ts";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import type { PlacedOrder } from "../../domain/order/order-event.ts";
import type { CourierState } from "../../durable-objects/zone/protocol.ts";
import type { OrderDispatchRpc, ZoneRpc } from "../../durable-objects/zone/stubs.ts";
import type { Env } from "../../platform/env.ts";

/** Bound to the platform Worker's own classes, typed as the platform's generated Env types them. */
interface ProbeEnv {
  ZONE: Env["ZONE"];
  ORDER: Env["ORDER"];
  FLEET: DurableObjectNamespace<Fleet>;
}

function zone(env: ProbeEnv, cell: string): ZoneRpc {
  return env.ZONE.get(env.ZONE.idFromName(cell));
}

function order(env: ProbeEnv, orderId: string): OrderDispatchRpc {
  return env.ORDER.get(env.ORDER.idFromName(orderId));
}

export interface FleetCourier {
  id: string;
  lat: number;
  lng: number;
}

export interface AssignSpec {
  order: PlacedOrder;
  staff: Principal;
  courierId: string;
  /** Where the courier is: their zone gets them with this order active. */
  courierLat: number;
  courierLng: number;
}

async function inBatches<T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>) {
  let failed = 0;
  let firstError: string | undefined;
  for (let i = 0; i < items.length; i += size) {
    await Promise.all(
      items.slice(i, i + size).map(async (item) => {
        try {
          await fn(item);
        } catch (error) {
          failed++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }),
    );
  }
  return { ok: items.length - failed, failed, firstError };
}

async function assign(env: ProbeEnv, spec: AssignSpec): Promise<void> {
  const o = spec.order;
  const stub = order(env, o.id);
  const customer: Principal = { userId: o.customerId, role: "customer" };
  const placed = await stub.place(o, customer);
  if (!placed.ok) throw new Error(`place: ${placed.code}`);
  // The order takes a payment only on the PaymentIntent its own checkout created (at the Stripe stand-in).
  const checkout = await stub.checkout(customer);
  if (!checkout.ok) throw new Error(`checkout: ${checkout.code}`);
  const steps = [
    () =>
      stub.paymentUpdate({
        paymentIntentId: checkout.paymentIntentId,
        outcome: "succeeded",
        amountMinor: o.totalMinor,
        currency: o.currency,
      }),
    // Accepted with a prep time that defers the search (decision 37), and the search marked started by
    // the bench rather than by the zone: a zone offer loop over thousands of orders and the couriers the
    // bench adopts made set-up superlinear (about 18 % of workerd in ranking), and it is not what the
    // fan-out measures. The deferred dispatch alarm later finds the order assigned and does nothing.
    () => stub.command(spec.staff, { type: "accept", prepTimeMinutes: 30 }),
    () => stub.system({ type: "dispatch_started" }, "bench"),
    () => stub.system({ type: "courier_offered", courierId: spec.courierId, expiresAt: Date.now() + 120_000 }, "bench"),
    () =>
      stub.command(
        { userId: spec.courierId, role: "courier" },
        { type: "courier_assigned", courierId: spec.courierId },
      ),
  ];
  for (const step of steps) {
    const result = await step();
    if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  }
  // The zone's own offer loop for this order would keep rescanning; the order is assigned, so stop it.
  const restaurantCell = zoneCellOf(o.restaurantLocation.lat, o.restaurantLocation.lng);
  await zone(env, restaurantCell).cancelDispatch(o.id);
  const cell = zoneCellOf(spec.courierLat, spec.courierLng);
  const state: CourierState = {
    courierId: spec.courierId,
    vehicle: "bicycle",
    status: "online",
    lastFix: null,
    lastFixAt: null,
    activeOrders: [o.id],
    offer: null,
    recentOffers: 0,
    recentAccepts: 0,
  };
  await zone(env, cell).adopt(cell, state);
}

/** Holds couriers' sockets to their Zone DOs for as long as a benchmark needs them online. */
export class Fleet extends DurableObject<ProbeEnv> {
  private readonly sockets = new Map<string, WebSocket>();

  async online(couriers: FleetCourier[]): Promise<{ ok: number; failed: number; firstError?: string | undefined }> {
    let seq = 1;
    return inBatches(couriers, 200, async (c) => {
      const cell = zoneCellOf(c.lat, c.lng);
      const res = await this.env.ZONE.get(this.env.ZONE.idFromName(cell)).fetch("https://zone/live", {
        headers: {
          upgrade: "websocket",
          "x-principal": JSON.stringify({ userId: c.id, role: "courier" }),
          "x-courier-vehicle": "bicycle",
          "x-zone-cell": cell,
        },
      });
      const ws = res.webSocket;
      if (res.status !== 101 || !ws) throw new Error(`zone answered ${res.status}`);
      ws.accept();
      this.sockets.get(c.id)?.close(1000, "replaced");
      this.sockets.set(c.id, ws);
      const acked = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no ack within 10 s")), 10_000);
        const onMessage = (m: MessageEvent) => {
          if (typeof m.data === "string" && m.data.startsWith('{"type":"ack"')) {
            clearTimeout(timer);
            ws.removeEventListener("message", onMessage);
            if (!m.data.includes('"accepted":1')) reject(new Error(`fix not accepted: ${m.data}`));
            else resolve();
          }
        };
        ws.addEventListener("message", onMessage);
      });
      ws.send(JSON.stringify({ type: "status", status: "online" }));
      ws.send(
        JSON.stringify({ type: "fix", fix: { lat: c.lat, lng: c.lng, accuracyM: 8, at: Date.now(), seq: seq++ } }),
      );
      await acked;
    });
  }

  async close(): Promise<{ closed: number }> {
    const closed = this.sockets.size;
    for (const ws of this.sockets.values()) {
      try {
        ws.close(1000, "bench done");
      } catch {
        // already closed
      }
    }
    this.sockets.clear();
    return { closed };
  }
}

export default {
  async fetch(request: Request, env: ProbeEnv): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/v1/health":
        return Response.json({ ok: true });
      case "/fleet/connect": {
        const couriers = (await request.json()) as FleetCourier[];
        return Response.json(await env.FLEET.get(env.FLEET.idFromName("fleet")).online(couriers));
      }
      case "/fleet/close":
        return Response.json(await env.FLEET.get(env.FLEET.idFromName("fleet")).close());
      case "/orders/assign": {
        const specs = (await request.json()) as AssignSpec[];
        return Response.json(await inBatches(specs, 25, (spec) => assign(env, spec)));
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
} satisfies ExportedHandler<ProbeEnv>;
