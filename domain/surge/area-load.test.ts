import { describe, expect, it } from "vitest";
import type { MapCourier } from "../citymap/couriers.ts";
import type { MapOrder } from "../citymap/orders.ts";
import type { Polygon } from "../delivery-areas/point-in-polygon.ts";
import { countAreaLoad } from "./area-load.ts";

const SQUARE: Polygon = {
  type: "Polygon",
  coordinates: [
    [
      [-9.2, 38.7],
      [-9.1, 38.7],
      [-9.1, 38.8],
      [-9.2, 38.8],
      [-9.2, 38.7],
    ],
  ],
};

function courier(id: string, state: MapCourier["state"], lat: number | null, lng: number | null): MapCourier {
  return {
    courierId: id,
    vehicle: "bicycle",
    status: "online",
    lat,
    lng,
    lastFixAt: 1,
    connected: true,
    offerOrderId: null,
    activeOrders: [],
    cell: "eyckr",
    state,
  };
}

function order(id: string, state: string, delivery: string, lat: number, lng: number): MapOrder {
  return {
    orderId: id,
    seq: 1,
    state,
    delivery,
    restaurantId: "r",
    restaurantName: null,
    restaurant: { lat, lng },
    dropoff: { lat, lng },
    courierId: null,
    placedAt: 0,
    escalated: false,
    updatedAt: 0,
  };
}

describe("an area's surge load", () => {
  it("counts free couriers inside the area and paid orders from its restaurants still without a courier", () => {
    const couriers = [
      courier("a", "available", 38.75, -9.15),
      courier("b", "available", 38.9, -9.15), // outside
      courier("c", "on_job", 38.75, -9.15),
      courier("d", "offered", 38.75, -9.15),
      courier("e", "stale", 38.75, -9.15),
      courier("f", "available", null, null),
    ];
    const orders = [
      order("1", "preparing", "searching", 38.75, -9.15),
      order("2", "accepted", "none", 38.75, -9.15),
      order("3", "ready", "offered", 38.75, -9.15),
      order("4", "preparing", "assigned", 38.75, -9.15), // has a courier
      order("5", "preparing", "searching", 38.9, -9.15), // outside
      order("6", "placed", "none", 38.75, -9.15), // not paid
    ];
    expect(countAreaLoad(SQUARE, couriers, orders)).toEqual({ waitingOrders: 3, availableCouriers: 1 });
  });
});
