import { describe, expect, it } from "vitest";
import type { OrderEvent, OrderEventMessage } from "../order/order-event.ts";
import {
  DEFAULT_PREFERENCES,
  decideChannels,
  inQuietHours,
  isCategory,
  isMustGo,
  withDefaults,
} from "./preferences.ts";
import { nextNotificationAttempt, planNotifications, templateValues } from "./routing.ts";
import { formatMoney, render, TEMPLATES } from "./templates.ts";

const ORDER = "0f6c3c2e-1111-4222-8333-444455556666";
const CUSTOMER = "c0000000-0000-4000-8000-000000000001";
const RESTAURANT = "r0000000-0000-4000-8000-000000000002";
const COURIER = "d0000000-0000-4000-8000-000000000003";
const AT = Date.UTC(2026, 10, 29, 12, 0);

function message(
  type: string,
  payload: Record<string, unknown> = {},
  schedule?: { releaseAt: number },
): OrderEventMessage {
  return {
    kind: "order_event",
    event: {
      id: crypto.randomUUID(),
      orderId: ORDER,
      seq: 3,
      type,
      actorId: "system",
      actorRole: "system",
      at: AT,
      payload,
      state: "paid",
      delivery: "none",
    } as OrderEvent,
    order: {
      id: ORDER,
      customerId: CUSTOMER,
      restaurantId: RESTAURANT,
      idempotencyKey: "k",
      fingerprint: "f",
      menuVersion: 1,
      currency: "EUR",
      lines: [
        {
          lineNo: 1,
          itemId: "i",
          name: "Margherita",
          quantity: 2,
          unitPriceMinor: 900,
          options: [],
          lineTotalMinor: 1800,
        },
      ],
      subtotalMinor: 1800,
      deliveryFeeMinor: 199,
      serviceFeeMinor: 90,
      taxMinor: 0,
      tipMinor: 0,
      totalMinor: 2089,
      deliveryAddress: { line1: "x", city: "Lisboa", postcode: "1100", lat: 38.7, lng: -9.1 },
      restaurantLocation: { lat: 38.7, lng: -9.1 },
      restaurantName: "Forno Lisboa",
      placedAt: AT - 60_000,
      courierId: null,
      prepTimeMinutes: 12,
      ...(schedule
        ? {
            schedule: {
              deliverAt: schedule.releaseAt + 3_600_000,
              readyBy: schedule.releaseAt + 1_800_000,
              releaseAt: schedule.releaseAt,
              slot: null,
            },
          }
        : {}),
    },
  };
}

describe("routing: who is told about which event", () => {
  it("a paid order tells the kitchen (must go) and the customer", () => {
    const planned = planNotifications(message("order.paid"));
    expect(planned.map((p) => [p.audience, p.template, p.category, p.channels])).toEqual([
      [{ kind: "restaurant", restaurantId: RESTAURANT }, "kitchen_new_order", "new_orders", ["push", "email"]],
      [{ kind: "user", userId: CUSTOMER }, "order_confirmed", "order_updates", ["push", "email"]],
    ]);
  });

  it("a paid order scheduled for later reaches the kitchen only when released", () => {
    const later = message("order.paid", {}, { releaseAt: AT + 3_600_000 });
    expect(planNotifications(later).map((p) => p.template)).toEqual(["order_confirmed"]);
    expect(planNotifications(message("order.released")).map((p) => p.template)).toEqual(["kitchen_new_order"]);
  });

  it("an offer goes to the offered courier alone, by push", () => {
    const [offer, ...rest] = planNotifications(message("order.courier_offered", { courierId: COURIER }));
    expect(rest).toEqual([]);
    expect(offer).toMatchObject({
      audience: { kind: "user", userId: COURIER },
      category: "courier_offers",
      channels: ["push"],
    });
    expect(planNotifications(message("order.courier_offered", {}))).toEqual([]);
  });

  it("the courier at the door is a push and an SMS to the customer", () => {
    expect(planNotifications(message("order.courier_at_dropoff"))[0]?.channels).toEqual(["push", "sms"]);
  });

  it("events that concern only operators notify nobody", () => {
    for (const type of ["order.operator_note", "order.escalated", "order.prep_time_adjusted", "order.unknown"]) {
      expect(planNotifications(message(type))).toEqual([]);
    }
  });
});

describe("templates", () => {
  it("every template exists in English and Portuguese with the same placeholders", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [id, text] of Object.entries(TEMPLATES)) {
      expect(names(text.pt.title + text.pt.body), id).toEqual(names(text.en.title + text.en.body));
    }
  });

  it("renders in the recipient's language with the order's values", () => {
    const m = message("order.paid");
    const en = render("kitchen_new_order", "en", templateValues(m, formatMoney(2089, "EUR", "en")));
    expect(en).toEqual({ title: "New order #0f6c3c2e", body: "2 item(s), €20.89. Accept it before it expires." });
    const pt = render("kitchen_new_order", "pt", templateValues(m, formatMoney(2089, "EUR", "pt")));
    expect(pt.title).toBe("Nova encomenda #0f6c3c2e");
    expect(pt.body).toContain("20,89");
  });

  it("formats money by the currency's own minor units (ISO 4217), not always hundredths", () => {
    // Intl puts a no-break space after the code.
    expect(formatMoney(12_350, "KWD", "en").replace(/\s/g, " ")).toBe("KWD 12.350");
    expect(formatMoney(1_200, "JPY", "en")).toBe("JP¥1,200");
    expect(formatMoney(1_250, "EUR", "en")).toBe("€12.50");
  });
});

describe("preferences", () => {
  it("reads a stored category back: known ones, and which of them must go", () => {
    expect(isCategory("courier_offers")).toBe(true);
    expect(isCategory("no_such_category")).toBe(false);
    expect(isMustGo("new_orders")).toBe(true);
    expect(isMustGo("courier_offers")).toBe(true);
    expect(isMustGo("marketing")).toBe(false);
    expect(isMustGo("no_such_category")).toBe(false);
  });

  const prefs = withDefaults({ quietHours: { start: "22:00", end: "07:00", timeZone: "Europe/Lisbon" } });
  const lateNight = Date.UTC(2026, 0, 15, 23, 30); // 23:30 in Lisbon (winter, UTC+0)
  const noon = Date.UTC(2026, 0, 15, 12, 0);

  it("quiet hours cross midnight in the user's time zone", () => {
    expect(inQuietHours(prefs.quietHours, lateNight)).toBe(true);
    expect(inQuietHours(prefs.quietHours, Date.UTC(2026, 0, 16, 6, 59))).toBe(true);
    expect(inQuietHours(prefs.quietHours, noon)).toBe(false);
    expect(inQuietHours({ start: "09:00", end: "17:00", timeZone: "Europe/Lisbon" }, noon)).toBe(true);
    expect(inQuietHours(null, lateNight)).toBe(false);
  });

  it("quiet hours hold push and SMS, never email", () => {
    expect(decideChannels("order_updates", ["push", "email", "sms"], prefs, lateNight)).toEqual([
      { channel: "push", send: false, reason: "quiet_hours" },
      { channel: "email", send: true },
      { channel: "sms", send: false, reason: "quiet_hours" },
    ]);
  });

  it("an opted-out channel or category is not used", () => {
    const off = withDefaults({
      channels: { push: true, email: false, sms: true },
      categories: { order_updates: { push: false } },
    });
    expect(decideChannels("order_updates", ["push", "email"], off, noon)).toEqual([
      { channel: "push", send: false, reason: "category_off" },
      { channel: "email", send: false, reason: "channel_off" },
    ]);
  });

  it("messages that must go ignore opt-outs and quiet hours", () => {
    const everythingOff = withDefaults({
      channels: { push: false, email: false, sms: false },
      categories: { new_orders: { push: false }, courier_offers: { push: false } },
      quietHours: { start: "00:00", end: "23:59", timeZone: "UTC" },
    });
    expect(decideChannels("new_orders", ["push", "email"], everythingOff, noon).every((d) => d.send)).toBe(true);
    expect(decideChannels("courier_offers", ["push"], everythingOff, noon).every((d) => d.send)).toBe(true);
  });

  it("marketing is opt-in", () => {
    expect(decideChannels("marketing", ["email"], DEFAULT_PREFERENCES, noon)[0]).toMatchObject({
      send: false,
      reason: "not_opted_in",
    });
    const optedIn = withDefaults({ categories: { marketing: { email: true } } });
    expect(decideChannels("marketing", ["email", "push"], optedIn, noon).map((d) => d.send)).toEqual([true, false]);
  });
});

describe("retries", () => {
  it("back off, then give up", () => {
    expect(nextNotificationAttempt(1, 0)).toBe(10_000);
    expect(nextNotificationAttempt(5, 0)).toBe(1_800_000);
    expect(nextNotificationAttempt(6, 0)).toBeNull();
  });
});
