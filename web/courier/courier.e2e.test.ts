// The courier app in Debian's Chromium against the whole platform (booted by
// web/e2e/global-setup.ts), at 390 px like a phone, with the GPS emulated
// along a path through Lisbon. A courier signs in and goes online; an order
// placed through the API reaches them as an offer; they accept, ride to the
// restaurant (crossing into its zone cell on the way), are told how far they
// are when they confirm too early, pick up, and ride to the customer with the
// network cut for 60 s while the path goes on, across another cell edge.
// Every fix taken offline must reach the zone after reconnection, in order,
// none duplicated (checked in the delivery's trail). They hand over with the
// customer's PIN after one wrong try, see the job in today's earnings, and let
// a second offer expire, which shows as missed. Screens in English and
// Portuguese are screenshotted and checked with axe.
import { writeFile } from "node:fs/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bearingDeg, destinationPoint, haversineMeters, type LatLng } from "../../domain/geo/distance.ts";
import { decodeGeohashBounds, zoneCellOf } from "../../domain/geo/geohash.ts";
import { seriousA11yViolations } from "../e2e/a11y.ts";
import { call, launchBrowser, openPage, PHONE, type Session, screenshots, signIn, sleep } from "../e2e/kit.ts";

const courierUrl = inject("courierUrl");
const SCREENSHOTS = screenshots(import.meta.url, () => page);

const COURIER = { email: "courier07@demo.test", password: "demo-courier-pass" };
const CUSTOMER = { email: "customer@demo.test", password: "demo-customer-pass" };
const STAFF = { email: "staff+burguer-da-esquina@demo.test", password: "demo-staff-pass" };
const ADMIN = { email: "admin@demo.test", password: "demo-admin-pass" };

/** Burguer da Esquina (open round the clock), 414 m west of its zone cell's eastern edge. */
const RESTAURANT: LatLng = { lat: 38.7386, lng: -9.1454 };
const RESTAURANT_CELL = zoneCellOf(RESTAURANT.lat, RESTAURANT.lng);
const EDGE_LNG = decodeGeohashBounds(RESTAURANT_CELL).maxLng;
/** The courier waits across that edge, in the next cell, and the customer lives across it too. */
const START = destinationPoint(RESTAURANT, 90, 900);
const DROPOFF = destinationPoint(RESTAURANT, 95, 1500);
const ADDRESS = {
  line1: "Avenida Almirante Reis 151",
  city: "Lisboa",
  postcode: "1000-050",
  lat: DROPOFF.lat,
  lng: DROPOFF.lng,
  instructions: "Second floor, green door",
};

let browser: Browser;
let context: BrowserContext;
let page: Page;
let customer: Session;
let staff: Session;
let admin: Session;
let position: LatLng = START;
const pageErrors: string[] = [];
const axeFindings: Record<string, string[]> = {};

async function moveTo(at: LatLng): Promise<void> {
  position = at;
  await context.setGeolocation({ latitude: at.lat, longitude: at.lng, accuracy: 8 });
}

/** Rides towards `target` at `speedMps`, one GPS reading a second; `during` runs after each reading. */
async function ride(target: LatLng, speedMps: number, during?: (travelled: number) => Promise<void>): Promise<void> {
  let travelled = 0;
  for (;;) {
    const left = haversineMeters(position, target);
    const next = left <= speedMps ? target : destinationPoint(position, bearingDeg(position, target), speedMps);
    travelled += Math.min(left, speedMps);
    await moveTo(next);
    await sleep(1000);
    if (during) await during(travelled);
    if (next === target) return;
  }
}

/** The shift tab's facts (connection, cell, buffer), looked at from the job and back. */
async function onShiftTab(check: () => Promise<unknown>): Promise<void> {
  await page.getByRole("button", { name: "Shift" }).click();
  await check();
  await page.getByRole("button", { name: "Job" }).click();
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false, scale: "css" });
}

/** axe on the current screen: serious and critical findings are failures, collected and asserted at the end. */
async function axe(name: string): Promise<void> {
  axeFindings[name] = await seriousA11yViolations(page);
}

async function placeOrder(tipMinor: number): Promise<string> {
  const restaurant = await call<{ restaurants: Array<{ id: string; slug: string }> }>(
    `/v1/restaurants?lat=${RESTAURANT.lat}&lng=${RESTAURANT.lng}&limit=50`,
  );
  const restaurantId = restaurant.body.restaurants.find((r) => r.slug === "burguer-da-esquina")?.id;
  if (!restaurantId) throw new Error("Burguer da Esquina is not in discovery");
  const menu = await call<{
    categories: Array<{
      items: Array<{
        id: string;
        available: boolean;
        groups: Array<{ minChoices: number; options: Array<{ id: string; available: boolean }> }>;
      }>;
    }>;
  }>(`/v1/restaurants/${restaurantId}/menu`);
  const item = menu.body.categories.flatMap((c) => c.items).find((i) => i.available);
  if (!item) throw new Error("no available item");
  const optionIds = item.groups.flatMap((g) =>
    g.options
      .filter((o) => o.available)
      .slice(0, g.minChoices)
      .map((o) => o.id),
  );
  const placed = await call<{ id: string }>("/v1/orders", {
    method: "POST",
    token: customer.accessToken,
    headers: { "idempotency-key": `courier-e2e-${crypto.randomUUID()}` },
    body: { restaurantId, items: [{ itemId: item.id, quantity: 2, optionIds }], deliveryAddress: ADDRESS, tipMinor },
  });
  expect(placed.status).toBe(201);
  const orderId = placed.body.id;
  expect((await call(`/v1/orders/${orderId}/checkout`, { method: "POST", token: customer.accessToken })).status).toBe(
    200,
  );
  // The stand-in pays; the kitchen accepts once the order is paid, which starts dispatch.
  const deadline = Date.now() + 20_000;
  for (;;) {
    const accepted = await call(`/v1/orders/${orderId}/accept`, {
      method: "POST",
      token: staff.accessToken,
      body: { prepTimeMinutes: 5 },
    });
    if (accepted.status === 200) break;
    if (Date.now() > deadline) throw new Error(`the kitchen could not accept: ${accepted.status}`);
    await sleep(300);
  }
  return orderId;
}

/** Waits for the offer card of `orderId`; any other offer (an order left by another test) is declined in the UI. */
async function offerFor(orderId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const card = page.locator(".offer[data-order-id]");
    await card.waitFor({ timeout: Math.max(1000, deadline - Date.now()) });
    const shown = await card.getAttribute("data-order-id");
    if (shown === orderId) return;
    await page.getByRole("button", { name: /Decline|Recusar/ }).click();
    await page.locator(`.offer[data-order-id="${shown}"]`).waitFor({ state: "detached" });
    if (Date.now() > deadline) throw new Error("the offer never came");
  }
}

/**
 * Clicks `name` even when an offer for another test's order (other browser
 * files place orders near this courier) covers the screen: such an offer is
 * declined first, as a courier would.
 */
async function clickPastStrayOffers(name: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stray = page.locator(".offer[data-order-id]");
    if (await stray.isVisible()) {
      const shown = await stray.getAttribute("data-order-id");
      await page.getByRole("button", { name: /Decline|Recusar/ }).click();
      await page.locator(`.offer[data-order-id="${shown}"]`).waitFor({ state: "detached" });
    }
    try {
      await page.getByRole("button", { name }).click({ timeout: 2000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

interface StoredFix {
  seq: number;
  at: number;
  lat: number;
  lng: number;
}

/** The app's IndexedDB buffer, read as the app stores it. */
async function bufferedFixes(): Promise<StoredFix[]> {
  return page.evaluate(async () => {
    const session = JSON.parse(localStorage.getItem("edge-delivery.courier.session") ?? "null") as {
      user: { id: string };
    } | null;
    if (!session) return [];
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`courier-fixes-${session.user.id}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    const fixes = await new Promise<StoredFix[]>((resolve, reject) => {
      const request = db.transaction("fixes").objectStore("fixes").getAll();
      request.onsuccess = () => resolve(request.result as StoredFix[]);
      request.onerror = () => reject(request.error);
    });
    db.close();
    return fixes;
  });
}

beforeAll(async () => {
  [customer, staff, admin] = await Promise.all([signIn(CUSTOMER), signIn(STAFF), signIn(ADMIN)]);
  browser = await launchBrowser(["--autoplay-policy=no-user-gesture-required"]);
  ({ context, page } = await openPage(
    browser,
    {
      ...PHONE,
      geolocation: { latitude: START.lat, longitude: START.lng, accuracy: 8 },
      permissions: ["geolocation"],
    },
    pageErrors,
    20_000,
  ));
}, 40_000);

afterAll(async () => {
  await browser?.close();
});

describe("courier app", () => {
  let orderId: string;
  const report: Record<string, number | string> = {};

  it("signs a courier in and goes online with a clear connection state", async () => {
    expect(zoneCellOf(START.lat, START.lng)).not.toBe(RESTAURANT_CELL);
    expect(zoneCellOf(DROPOFF.lat, DROPOFF.lng)).not.toBe(RESTAURANT_CELL);
    await page.goto(courierUrl);
    await page.getByRole("heading", { name: "Sign in to start your shift" }).waitFor();
    await axe("sign-in");
    await shot("01-sign-in");
    await page.getByLabel("Email").fill(COURIER.email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#sign-in-error", { hasText: "Email or password is wrong." }).waitFor();
    await page.getByLabel("Password").fill(COURIER.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    await page.getByRole("heading", { name: "Offline" }).waitFor();
    await page.getByRole("button", { name: "Go online" }).click();
    await page.getByRole("heading", { name: "Online" }).waitFor();
    await page.locator('.link[data-state="live"]', { hasText: "Connected" }).waitFor();
    await page.locator(".facts", { hasText: zoneCellOf(START.lat, START.lng) }).waitFor();
    await page.locator('.buffer[data-buffered="0"]', { hasText: "All positions uploaded" }).waitFor();
    await axe("online");
    await shot("02-online");
  }, 60_000);

  it("shows an offer for an order placed through the API as a full-screen card, and the courier accepts", async () => {
    orderId = await placeOrder(150);
    await offerFor(orderId);
    const card = page.getByRole("alertdialog");
    await card.getByRole("heading", { name: "Burguer da Esquina" }).waitFor();
    expect(await card.textContent()).toMatch(/Pickup · 9\d0 m to the restaurant/);
    expect(await card.textContent()).toMatch(/Drop-off · 1\.5 km restaurant → customer/);
    expect(await card.locator(".offer-pay strong").textContent()).toMatch(/^€\d+\.\d\d$/);
    await axe("offer");
    await shot("03-offer");
    await card.getByRole("button", { name: "Accept" }).click();
    await card.waitFor({ state: "detached" });
    await page.locator(`.job[data-order-id="${orderId}"][data-delivery="assigned"]`).waitFor();
    await page.getByRole("heading", { name: "Burguer da Esquina" }).waitFor();
    await page.getByText("Second floor, green door").waitFor();
    const maps = page.getByRole("link", { name: "Open in maps" }).first();
    expect(await maps.getAttribute("href")).toBe(
      `https://www.google.com/maps/dir/?api=1&destination=${RESTAURANT.lat},${RESTAURANT.lng}`,
    );
    await axe("job");
    await shot("04-job");
  }, 90_000);

  it("rides to the restaurant across a cell edge, is told how far off an early confirmation is, and picks up", async () => {
    // Live cell crossing on the way: the zone hands the courier over and the app follows.
    await ride(destinationPoint(RESTAURANT, 90, 600), 25);
    await page.getByRole("button", { name: "I'm at the restaurant" }).click();
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(
      /^You are 6\d0 m from the restaurant\. Get within 160 m and try again\.$/,
    );
    await shot("05-too-far");
    await ride(RESTAURANT, 25);
    await onShiftTab(() => page.locator(".facts", { hasText: RESTAURANT_CELL }).waitFor());
    await page.getByRole("button", { name: "I'm at the restaurant" }).click();
    await page.locator('.job[data-delivery="at_pickup"]').waitFor();
    for (const step of ["preparing", "ready"]) {
      expect(
        (await call(`/v1/orders/${orderId}/${step}`, { method: "POST", token: staff.accessToken, body: {} })).status,
      ).toBe(200);
    }
    await page.getByRole("button", { name: "I've picked up the order" }).click();
    await page.locator('.job[data-delivery="picked_up"]').waitFor();
  }, 120_000);

  it("buffers every fix through 60 s without network, across another cell edge, and delivers them in order, none lost or duplicated", async () => {
    const offlineFrom = destinationPoint(RESTAURANT, 95, 150);
    await ride(offlineFrom, 15);
    await onShiftTab(() => page.locator('.buffer[data-buffered="0"]').waitFor());
    const trailBefore = await call<{ points: Array<{ seq: number }> }>(`/v1/admin/orders/${orderId}/trail?limit=5000`, {
      token: admin.accessToken,
    });
    const before = new Set(trailBefore.body.points.map((p) => p.seq));

    const cutAt = Date.now();
    await context.setOffline(true);
    await page.locator('.link[data-state="no_network"]').waitFor();
    await page.locator(".offline-banner").waitFor();
    let crossedOffline = false;
    // 60 s of riding with no network: the path goes on, across the cell's eastern edge.
    const target = destinationPoint(offlineFrom, bearingDeg(offlineFrom, DROPOFF), 15 * 70);
    for (let second = 0; second < 60; second++) {
      const next = destinationPoint(position, bearingDeg(position, target), 15);
      await moveTo(next);
      if (next.lng > EDGE_LNG) crossedOffline = true;
      await sleep(1000);
      if (second === 30) await shot("06-offline");
    }
    expect(crossedOffline).toBe(true);
    const buffered = await bufferedFixes();
    const offline = buffered.filter((f) => f.at >= cutAt);
    await page.locator(".offline-banner", { hasText: `${buffered.length} positions saved on this phone` }).waitFor();
    await onShiftTab(async () => {
      await page.locator(".buffer", { hasText: `${buffered.length} positions waiting to upload` }).waitFor();
      await shot("06b-offline-shift");
    });
    expect(offline.length).toBeGreaterThanOrEqual(50);
    // Still nothing of them at the zone: they really were held on the phone.
    const during = await call<{ points: Array<{ seq: number }> }>(`/v1/admin/orders/${orderId}/trail?limit=5000`, {
      token: admin.accessToken,
    });
    expect(during.body.points.filter((p) => offline.some((f) => f.seq === p.seq))).toEqual([]);

    await context.setOffline(false);
    await page.locator('.link[data-state="live"]').waitFor({ timeout: 30_000 });
    await onShiftTab(async () => {
      await page.locator('.buffer[data-buffered="0"]').waitFor({ timeout: 30_000 });
      // Handed over to the drop-off's cell by the buffered fixes themselves.
      await page.locator(".facts", { hasText: zoneCellOf(DROPOFF.lat, DROPOFF.lng) }).waitFor();
    });

    const after = await call<{
      points: Array<{ seq: number; courierId: string }>;
      stats: { duplicates: number; overflow: number };
    }>(`/v1/admin/orders/${orderId}/trail?limit=5000`, { token: admin.accessToken });
    expect(after.status).toBe(200);
    const seqs = after.body.points.map((p) => p.seq);
    const received = offline.filter((f) => seqs.includes(f.seq));
    const duplicated = seqs.length - new Set(seqs).size + after.body.stats.duplicates;
    report.fixesTakenOffline = offline.length;
    report.fixesReceived = received.length;
    report.fixesDuplicated = duplicated;
    report.trailPoints = seqs.length;
    // Every offline fix arrived, once, in the order it was taken, after everything sent before the cut.
    expect(received.length).toBe(offline.length);
    expect(duplicated).toBe(0);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const offlineSeqs = offline.map((f) => f.seq);
    expect(offlineSeqs).toEqual(offlineSeqs.map((_, i) => (offlineSeqs[0] ?? 0) + i));
    expect(offline.every((f) => !before.has(f.seq))).toBe(true);
    await shot("07-back-online");
  }, 180_000);

  it("arrives at the drop-off and delivers with the customer's PIN after one wrong try", async () => {
    await ride(DROPOFF, 15);
    await page.getByRole("button", { name: "I'm at the drop-off" }).click();
    await page.locator('.job[data-delivery="at_dropoff"]').waitFor();
    const view = await call<{ order: { handoffPin: string } }>(`/v1/orders/${orderId}`, {
      token: customer.accessToken,
    });
    const pin = view.body.order.handoffPin;
    const wrong = String((Number(pin) + 1) % 10_000).padStart(4, "0");
    await page.getByLabel("Customer's 4-digit PIN").fill(wrong);
    await page.getByRole("button", { name: "Delivered" }).click();
    await page.getByRole("alert").filter({ hasText: "4 attempts left" }).waitFor();
    await axe("pin");
    await shot("08-wrong-pin");
    await page.getByLabel("Customer's 4-digit PIN").fill(pin);
    await page.getByRole("button", { name: "Delivered" }).click();
    await page.getByRole("heading", { name: "Delivered. Nice work!" }).waitFor();
    await shot("09-delivered");
    const order = await call<{ order: { status: string } }>(`/v1/orders/${orderId}`, { token: customer.accessToken });
    expect(order.body.order.status).toBe("delivered");
    await page.getByRole("button", { name: "Back to shift" }).click();
  }, 90_000);

  it("shows the job in today's earnings", async () => {
    await clickPastStrayOffers("Earnings");
    // Earnings read Postgres, which trails the Order DO by a queue hop.
    const row = page.locator(`.earning-jobs li[data-order-id="${orderId}"]`);
    const deadline = Date.now() + 20_000;
    while (!(await row.isVisible())) {
      if (Date.now() > deadline) throw new Error("the delivery never reached the earnings");
      await clickPastStrayOffers("Refresh");
      await sleep(500);
    }
    expect(await row.textContent()).toContain("Burguer da Esquina");
    expect(await page.locator(".totals").textContent()).toContain("1 job");
    await axe("earnings");
    await shot("10-earnings");
  }, 40_000);

  it("shows the delivery's pay and tip in the month's statement, and switches months", async () => {
    const line = page.locator(`.money-lines li[data-kind="lineTip"]`);
    // The ledger is booked by the projection, a queue hop behind the Order DO; opening the tab reloads it.
    const deadline = Date.now() + 20_000;
    for (;;) {
      await clickPastStrayOffers("Money");
      await page.getByRole("heading", { name: "Statement" }).waitFor();
      await page.locator(".month-statement").or(page.getByText("Nothing booked in this month.")).first().waitFor();
      if (await line.isVisible()) break;
      if (Date.now() > deadline) throw new Error("the delivery never reached the statement");
      await clickPastStrayOffers("Earnings");
      await sleep(500);
    }
    await page.locator(`.money-lines li[data-kind="lineDeliveryPay"]`).first().waitFor();
    const closing = await page.locator(".month-statement .total-amount").first().textContent();
    expect(closing).toMatch(/\d/);
    await axe("money");
    await shot("10b-money");
    const shown = await page.locator(".month-switch output").textContent();
    await clickPastStrayOffers("Previous month");
    await page.locator(".month-switch output", { hasNotText: shown ?? "" }).waitFor();
    await clickPastStrayOffers("Next month");
    await page.locator(".money-lines li").first().waitFor();
  }, 40_000);

  it("shows an offer left to expire as missed", async () => {
    await page.getByRole("button", { name: "Shift" }).click();
    const second = await placeOrder(0);
    await offerFor(second);
    await page.locator(".offer .countdown").waitFor();
    // Nobody answers: the countdown runs out and the zone withdraws it.
    await page.getByRole("alertdialog").waitFor({ state: "detached", timeout: 45_000 });
    await page.locator(`.missed-offer[data-order-id="${second}"]`, { hasText: "Burguer da Esquina" }).waitFor();
    await page.locator(".toast", { hasText: "You missed an offer." }).waitFor();
    await shot("11-missed");
    const events = await call<{ timeline: Array<{ type: string; payload: { expired?: boolean } }> }>(
      `/v1/orders/${second}`,
      { token: customer.accessToken },
    );
    expect(events.body.timeline.some((e) => e.type === "order.offer_declined" && e.payload.expired === true)).toBe(
      true,
    );
  }, 120_000);

  it("reads in Portuguese, and at desktop width", async () => {
    await page.getByRole("combobox", { name: "Language" }).first().selectOption("pt");
    await page.getByRole("heading", { name: "Online" }).waitFor();
    await page.getByRole("button", { name: "Fazer pausa" }).click();
    await page.getByRole("heading", { name: "Em pausa" }).waitFor();
    await page.locator(".missed", { hasText: "Ofertas perdidas" }).waitFor();
    await axe("pt-shift");
    await shot("12-pt-break");
    await page.getByRole("button", { name: "Ganhos" }).click();
    await page.getByRole("heading", { name: "Hoje" }).waitFor();
    await page.locator(".totals", { hasText: "1 entrega" }).waitFor();
    await axe("pt-earnings");
    await shot("13-pt-earnings");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("button", { name: "Voltar ao trabalho" }).click();
    await page.getByRole("heading", { name: "Online" }).waitFor();
    await axe("pt-desktop");
    await shot("14-pt-desktop");
    await page.getByRole("button", { name: "Ficar offline" }).click();
    await page.getByRole("heading", { name: "Offline" }).waitFor();
  }, 60_000);

  it("found no serious or critical accessibility problem and no page error", async () => {
    await writeFile(`${SCREENSHOTS}offline-report.json`, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`courier e2e offline run: ${JSON.stringify(report)}`);
    expect(Object.keys(axeFindings).length).toBeGreaterThanOrEqual(9);
    expect(axeFindings).toEqual(Object.fromEntries(Object.keys(axeFindings).map((k) => [k, []])));
    expect(pageErrors).toEqual([]);
  });
});
