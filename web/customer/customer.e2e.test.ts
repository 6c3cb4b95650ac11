// The customer app in Debian's Chromium against the whole platform (booted by
// web/e2e/global-setup.ts), at 390 px like a phone, with the device's location
// emulated. A new customer is refused with a wrong password, signs up, finds
// Burguer da Esquina from their location (list and map), builds a burger with
// modifiers (the group's maximum enforced), checks out with a tip against the
// server's quote and pays with the stand-in's Stripe.js: declined, then a
// failed 3-D Secure step, then paid on the same order. The kitchen (staff) and
// a courier (a WebSocket to their zone, and the step endpoints) are driven
// through the API, as the courier test drives the customer. The customer
// watches the timeline, sees the PIN, the courier on the map with an ETA, a
// reload mid-delivery that resumes without duplicates, and the delivery done
// with the PIN they were shown, and rate it, and report a problem that an
// operator refunds. Then reorder, Portuguese and desktop, and the
// account: profile, export, a refused deletion, and the deletion.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { bearingDeg, destinationPoint, haversineMeters, type LatLng } from "../../domain/geo/distance.ts";
import { zoneCellOf } from "../../domain/geo/geohash.ts";
import { seriousA11yViolations } from "../e2e/a11y.ts";
import { call, launchBrowser, openPage, PHONE, type Session, screenshots, signIn, sleep } from "../e2e/kit.ts";

const customerUrl = inject("customerUrl");
const apiBase = inject("apiBase");
const stripeUrl = inject("stripeUrl");
const SCREENSHOTS = screenshots(import.meta.url, () => page);

const COURIER = { email: "courier11@demo.test", password: "demo-courier-pass" };
const STAFF = { email: "staff+burguer-da-esquina@demo.test", password: "demo-staff-pass" };
const NEW_CUSTOMER = {
  name: "Inês Teste",
  email: `ines-${crypto.randomUUID().slice(0, 8)}@example.test`,
  password: "a long enough password",
};

/** Burguer da Esquina (open round the clock). */
const RESTAURANT: LatLng = { lat: 38.7386, lng: -9.1454 };
const CELL = zoneCellOf(RESTAURANT.lat, RESTAURANT.lng);

/** A point `distanceM` from the restaurant whose whole straight route stays in its zone cell (no handover to script). */
function inCell(distanceM: number, avoid?: number): { at: LatLng; bearing: number } {
  for (const bearing of [270, 225, 315, 180, 0, 135, 45, 90]) {
    if (bearing === avoid) continue;
    const route = Array.from({ length: 11 }, (_, i) => destinationPoint(RESTAURANT, bearing, (distanceM * i) / 10));
    if (route.every((p) => zoneCellOf(p.lat, p.lng) === CELL)) return { at: route[10] as LatLng, bearing };
  }
  throw new Error(`no route of ${distanceM} m stays in ${CELL}`);
}

const HOME_ROUTE = inCell(1000);
const HOME = HOME_ROUTE.at;
const COURIER_START = inCell(400, HOME_ROUTE.bearing).at;

/** A courier driven through the API: online in their zone, accepting the offer for one order, sending fixes. */
class ScriptedCourier {
  private socket: WebSocket | null = null;
  private seq = 0;
  position: LatLng;
  readonly offers: string[] = [];

  constructor(
    private readonly token: string,
    start: LatLng,
  ) {
    this.position = start;
  }

  async connect(acceptOrder: () => string | null): Promise<void> {
    const url = new URL(`${apiBase.replace(/^http/, "ws")}/v1/couriers/live`);
    url.searchParams.set("lat", this.position.lat.toFixed(6));
    url.searchParams.set("lng", this.position.lng.toFixed(6));
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${this.token}` } });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.on("message", (data) => {
      const text = data.toString();
      if (text === "pong") return;
      const message = JSON.parse(text) as { type: string; orderId?: string };
      if (message.type === "offer" && message.orderId) {
        this.offers.push(message.orderId);
        const accept = message.orderId === acceptOrder();
        socket.send(JSON.stringify({ type: "offer_response", orderId: message.orderId, accept }));
      }
    });
    this.socket = socket;
    socket.send(JSON.stringify({ type: "status", status: "online" }));
    this.fix();
  }

  fix(): void {
    this.seq += 1;
    const { lat, lng } = this.position;
    this.socket?.send(JSON.stringify({ type: "fix", fix: { lat, lng, accuracyM: 8, at: Date.now(), seq: this.seq } }));
  }

  /** Rides towards `target` at `speedMps`, a fix every half second (sped-up time). */
  async ride(target: LatLng, speedMps: number): Promise<void> {
    for (;;) {
      const left = haversineMeters(this.position, target);
      this.position =
        left <= speedMps ? target : destinationPoint(this.position, bearingDeg(this.position, target), speedMps);
      this.fix();
      await sleep(500);
      if (this.position === target) return;
    }
  }

  step(orderId: string, step: string, pin?: string) {
    const { lat, lng } = this.position;
    return call(`/v1/couriers/me/orders/${orderId}/${step}`, {
      method: "POST",
      token: this.token,
      body: { lat, lng, accuracyM: 8, ...(pin ? { pin } : {}) },
    });
  }

  close(): void {
    this.socket?.send(JSON.stringify({ type: "status", status: "offline" }));
    this.socket?.close();
  }
}

let browser: Browser;
let page: Page;
let staff: Session;
let courier: ScriptedCourier;
let orderId = "";
const pageErrors: string[] = [];
const axeFindings: Record<string, string[]> = {};

async function shot(name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage, scale: "css" });
}

async function axe(name: string): Promise<void> {
  axeFindings[name] = await seriousA11yViolations(page);
}

beforeAll(async () => {
  staff = await signIn(STAFF);
  const courierSession = await signIn(COURIER);
  courier = new ScriptedCourier(courierSession.accessToken, COURIER_START);
  await courier.connect(() => orderId || null);
  browser = await launchBrowser();
  ({ page } = await openPage(
    browser,
    {
      ...PHONE,
      geolocation: { latitude: HOME.lat, longitude: HOME.lng, accuracy: 20 },
      permissions: ["geolocation"],
    },
    pageErrors,
    20_000,
  ));
}, 40_000);

afterAll(async () => {
  courier?.close();
  await browser?.close();
});

describe("customer app", () => {
  it("shows the API's message for a wrong password, then signs a new customer up", async () => {
    await page.goto(customerUrl);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email").fill("customer@demo.test");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.locator("#auth-error", { hasText: "Email or password is wrong." }).waitFor();
    await axe("sign-in");
    await shot("01-sign-in-refused");

    await page.getByRole("button", { name: "New here? Create an account" }).click();
    await page.getByLabel("Your name").fill(NEW_CUSTOMER.name);
    await page.getByLabel("Email").fill(NEW_CUSTOMER.email);
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    // The API's own validation message, field by field.
    await page.locator("#auth-error", { hasText: "Use at least 10 characters." }).waitFor();
    await page.getByLabel("Password").fill(NEW_CUSTOMER.password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByRole("heading", { name: "Restaurants near you" }).waitFor();
  }, 60_000);

  it("finds restaurants from the device's location, in a list and on a map, with fee and time", async () => {
    await page.getByRole("button", { name: "Use my location" }).click();
    await page.getByRole("combobox", { name: "Deliver to" }).locator("option", { hasText: "My location" }).waitFor({
      state: "attached",
    });
    const card = page.locator(".restaurant-card", { hasText: "Burguer da Esquina" });
    await card.waitFor();
    expect(await card.textContent()).toMatch(/\d+ min/);
    expect(await card.textContent()).toMatch(/Delivery €\d+\.\d\d/);
    // Leaflet (loaded on demand) draws each restaurant and the delivery point, tiles or not.
    await page.locator(".discover-map path.leaflet-interactive").nth(2).waitFor();
    expect(await page.locator(".discover-map path.leaflet-interactive").count()).toBeGreaterThan(2);
    await page.getByLabel("Search dishes or restaurants").fill("smash");
    await page.locator(".restaurant-card").first().waitFor();
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".restaurant-card")].every((c) => c.textContent?.includes("Burguer")),
    );
    await axe("discover");
    await shot("02-discover");
    await card.click();
  }, 60_000);

  it("builds a burger with modifiers, the group's maximum enforced, and puts two in the cart", async () => {
    await page.getByRole("heading", { name: "Burguer da Esquina" }).waitFor();
    await page.getByRole("button", { name: "Add Classic smash" }).click();
    const dialog = page.getByRole("dialog", { name: "Classic smash" });
    await dialog.waitFor();
    await dialog.getByLabel("Double").check();
    for (const extra of ["Bacon", "Cheddar", "Fried egg"]) await dialog.getByLabel(extra).check();
    // Extras allow three: a fourth is not taken.
    await dialog.getByLabel("Jalapeños").click();
    expect(await dialog.getByLabel("Jalapeños").isChecked()).toBe(false);
    await dialog.getByLabel("Fried egg").uncheck();
    await dialog.getByRole("button", { name: "One more Classic smash" }).click();
    await axe("item");
    await shot("03-item");
    await dialog.getByRole("button", { name: /Add 2 to cart · €\d+\.\d\d/ }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("link", { name: "Cart (2)" }).waitFor();
    await axe("menu");
    await shot("04-menu");
  }, 60_000);

  it("quotes on the server, keeps the cart across a reload, and pays: declined, 3-D Secure failed, then paid", async () => {
    await page.reload();
    await page.getByRole("link", { name: "Cart (2)" }).click();
    await page.getByRole("heading", { name: "Your cart" }).waitFor();
    await page.getByLabel("Street and number").fill("Avenida Almirante Reis 151");
    await page.getByLabel("Postcode").fill("1000-050");
    await page.getByLabel("Instructions for the courier (optional)").fill("Second floor, green door");
    await page.getByLabel("Save this address").check();
    const tip = page.locator(".tip", { hasText: "15%" });
    await tip.click();
    // The quote shown is the one for this tip (re-priced by the server).
    const tipAmount = (await tip.textContent())?.split("·")[1]?.trim() ?? "";
    await page.getByTestId("quote-tip").filter({ hasText: tipAmount }).waitFor();
    const total = page.getByTestId("quote-total");
    const shown = await total.textContent();
    expect(shown).toMatch(/^€\d+\.\d\d$/);
    await axe("cart");
    await shot("05-cart", true);
    const token = await page.evaluate(
      () => JSON.parse(localStorage.getItem("edge-delivery.customer.session") ?? "{}").accessToken as string,
    );
    // This customer's card outcomes are chosen in the browser, not by the stand-in's auto-confirm.
    const me = await call<{ id: string }>("/v1/me", { token });
    await fetch(`${stripeUrl}/_standin/manual-payers`, { method: "POST", body: `customer=${me.body.id}` });
    await page.getByRole("button", { name: `Pay ${shown}` }).click();
    await page.waitForURL(/#\/pay\/[0-9a-f-]{36}$/);
    orderId = page.url().split("/").at(-1) ?? "";
    await page
      .getByTestId("pay-amount")
      .filter({ hasText: shown ?? "" })
      .waitFor();
    const card = async (number: string) => {
      await page.getByLabel("Card number").fill(number);
      await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
      await page.getByLabel("CVC").fill("123");
      await page.getByRole("button", { name: `Pay ${shown}` }).click();
    };
    await card("4000 0000 0000 0002");
    await page
      .getByTestId("pay-failure")
      .filter({ hasText: "The card was declined: Your card was declined." })
      .waitFor();
    await axe("pay-declined");
    await shot("05b-pay-declined", true);
    // Declined is not failed: the order still waits for a payment.
    const waiting = await call<{ order: { status: string } }>(`/v1/orders/${orderId}`, { token });
    expect(waiting.body.order.status).toBe("placed");
    await card("4000 0027 6000 3184");
    const challenge = page.getByRole("dialog", { name: "3D Secure 2 Test Page" });
    await challenge.waitFor();
    await shot("05c-pay-3ds");
    await challenge.getByRole("button", { name: "Fail authentication" }).click();
    await page.getByTestId("pay-failure").filter({ hasText: "Your bank could not confirm it was you." }).waitFor();
    await card("4242 4242 4242 4242");
    await page.waitForURL(/#\/orders\/[0-9a-f-]{36}$/);
    const order = await call<{ order: { totalMinor: number; tipMinor: number } }>(`/v1/orders/${orderId}`, { token });
    // Charged exactly what the quote said.
    expect(`€${(order.body.order.totalMinor / 100).toFixed(2)}`).toBe(shown);
    expect(order.body.order.tipMinor).toBeGreaterThan(0);
    await page.locator(".timeline li.done", { hasText: "Paid" }).waitFor({ timeout: 30_000 });
  }, 90_000);

  it("follows the order live: accepted, courier assigned with a PIN, the courier on the map with an ETA", async () => {
    // A fresh fix: dispatch skips a courier silent for a minute (COURIER_STALE_AFTER_MS), and paying took a while.
    courier.fix();
    const deadline = Date.now() + 20_000;
    for (;;) {
      const accepted = await call(`/v1/orders/${orderId}/accept`, {
        method: "POST",
        token: staff.accessToken,
        body: { prepTimeMinutes: 10 },
      });
      if (accepted.status === 200) break;
      if (Date.now() > deadline) throw new Error(`the kitchen could not accept: ${accepted.status}`);
      await sleep(300);
    }
    await page.locator(".timeline li.done", { hasText: "Accepted by the restaurant" }).waitFor();
    await page.getByText("The restaurant needs about 10 min.").waitFor();
    // The offer reaches the scripted courier, who accepts; the customer is given the PIN.
    await page.getByTestId("handoff-pin").waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("handoff-pin").textContent()).toMatch(/^\d{4}$/);
    await courier.ride(RESTAURANT, 25);
    expect((await courier.step(orderId, "arrived-at-pickup")).status).toBe(200);
    for (const step of ["preparing", "ready"]) {
      expect(
        (await call(`/v1/orders/${orderId}/${step}`, { method: "POST", token: staff.accessToken, body: {} })).status,
      ).toBe(200);
    }
    expect((await courier.step(orderId, "picked-up")).status).toBe(200);
    await page.locator(".timeline li.done", { hasText: "On its way" }).waitFor();
    await courier.ride(destinationPoint(RESTAURANT, bearingDeg(RESTAURANT, HOME), 400), 25);
    await page.locator(".eta", { hasText: /Arriving around \d\d:\d\d/ }).waitFor({ timeout: 30_000 });
    expect(await page.locator(".track-map path.leaflet-interactive").count()).toBe(3);
    await axe("tracking");
    await shot("06-tracking", true);
  }, 180_000);

  it("resumes after a reload mid-delivery with every event once, and is delivered with the PIN shown", async () => {
    const before = await page.locator(".timeline li.done").count();
    await page.reload();
    await page.locator(".timeline li.done", { hasText: "On its way" }).waitFor();
    await page.locator(".connection.live").waitFor();
    expect(await page.locator(".timeline li.done").count()).toBe(before);
    const pin = (await page.getByTestId("handoff-pin").textContent()) ?? "";
    await courier.ride(HOME, 25);
    expect((await courier.step(orderId, "arrived-at-dropoff")).status).toBe(200);
    expect((await courier.step(orderId, "delivered", pin)).status).toBe(200);
    await page.locator(".badge.status-delivered").waitFor();
    await page.locator(".timeline li.done", { hasText: "Delivered" }).waitFor();
    const steps = await page.locator(".timeline li").allTextContents();
    expect(new Set(steps).size).toBe(steps.length);
    await page.getByRole("heading", { name: "How was it?" }).waitFor();
    await axe("delivered");
    await shot("07-delivered", true);
    // Rated once, after delivery: the restaurant and the courier.
    await page.getByRole("group", { name: "The food" }).getByRole("radio", { name: "4 of 5 stars" }).check();
    await page.getByLabel("Anything to tell the restaurant? (optional)").fill("Juicy, and still hot");
    await page.getByRole("group", { name: "The courier" }).getByRole("radio", { name: "5 of 5 stars" }).check();
    await page.getByLabel("On time").selectOption("up");
    await page.getByRole("button", { name: "Send rating" }).click();
    await page.getByRole("heading", { name: "Thanks for rating" }).waitFor();
    const summary = await call<{ count: number; average: number }>(
      `/v1/restaurants/${(await call<{ order: { restaurantId: string } }>(`/v1/orders/${orderId}`, { token: staff.accessToken })).body.order.restaurantId}/ratings`,
    );
    expect(summary.body.count).toBeGreaterThanOrEqual(1);

    // Something was missing: reported, then refunded by an operator; the customer sees the outcome.
    await page.getByRole("link", { name: "Report a problem" }).click();
    await page.getByRole("heading", { name: "What went wrong?" }).waitFor();
    await page.getByRole("button", { name: "Send report" }).click();
    await page.getByText("Choose what went wrong.").waitFor();
    await page.getByLabel("Something was missing").check();
    await page.getByLabel("Details (optional)").fill("No fries in the bag");
    await axe("problem");
    await shot("07b-problem", true);
    await page.getByRole("button", { name: "Send report" }).click();
    const outcomes = page.getByTestId("problem-outcomes");
    await outcomes.filter({ hasText: "Support is looking at it" }).waitFor();
    const admin = await signIn({ email: "admin@demo.test", password: "demo-admin-pass" });
    const refund = await call(`/v1/orders/${orderId}/refunds`, {
      method: "POST",
      token: admin.accessToken,
      body: { amountMinor: 250, reason: "missing fries" },
    });
    expect(refund.status).toBe(200);
    await call(`/v1/admin/orders/${orderId}/resolve`, {
      method: "POST",
      token: admin.accessToken,
      body: { note: "Refunded the fries" },
    });
    await outcomes.filter({ hasText: /Refund(ed €2\.50| of €2\.50 on its way)/ }).waitFor({ timeout: 30_000 });
    await shot("07c-problem-refunded", true);
  }, 150_000);

  it("lists the order in the history and reorders it into the cart", async () => {
    await page.getByRole("link", { name: "Orders", exact: true }).click();
    const row = page.locator(`a[href="#/orders/${orderId}"]`);
    // History reads Postgres, a queue hop behind the order.
    for (let i = 0; i < 40 && !(await row.isVisible()); i++) {
      await sleep(500);
      await page.reload();
    }
    await row.locator(".badge", { hasText: "Delivered" }).waitFor();
    await axe("orders");
    await shot("08-orders");
    await row.click();
    await page.getByRole("button", { name: "Order again" }).click();
    await page.getByRole("heading", { name: "Your cart" }).waitFor();
    await page.getByRole("link", { name: "Cart (2)" }).waitFor();
    await page.getByTestId("quote-total").waitFor();
  }, 60_000);

  it("reads in Portuguese, and at desktop width", async () => {
    await page.getByRole("combobox", { name: "Language" }).selectOption("pt");
    await page.getByRole("heading", { name: "O seu carrinho" }).waitFor();
    await axe("pt-cart");
    await shot("09-pt-cart");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("link", { name: "Restaurantes", exact: true }).click();
    await page.getByRole("heading", { name: "Restaurantes perto de si" }).waitFor();
    await page.locator(".restaurant-card").first().waitFor();
    await axe("pt-desktop-discover");
    await shot("10-pt-desktop-discover");
    await page.goto(`${customerUrl}/#/orders/${orderId}`);
    await page.locator(".badge.status-delivered").waitFor();
    await shot("11-pt-desktop-order");
    await page.getByRole("combobox", { name: "Idioma" }).selectOption("en");
    await page.setViewportSize({ width: 390, height: 844 });
  }, 60_000);

  it("edits the profile, saves an address at checkout, exports the data, and refuses then allows deletion", async () => {
    await page.getByRole("link", { name: "Account", exact: true }).click();
    await page.getByRole("heading", { name: "Your account" }).waitFor();
    await page.locator(".address-list", { hasText: "Avenida Almirante Reis 151" }).waitFor();
    await page.getByLabel("Phone (for the courier)").fill("+351 912 345 678");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.locator(".toast", { hasText: "Saved." }).waitFor();
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download my data (JSON)" }).click();
    const file = await download;
    const path = await file.path();
    const data = JSON.parse(await (await import("node:fs/promises")).readFile(path, "utf8")) as {
      profile: { phone: string };
      orders: Array<{ id: string }>;
    };
    expect(data.profile.phone).toBe("+351 912 345 678");
    expect(data.orders.map((o) => o.id)).toContain(orderId);
    await page.getByLabel("Type your password to confirm").fill("wrong password here");
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.locator("#delete-error", { hasText: "The password does not match this account." }).waitFor();
    await axe("account");
    await shot("12-account", true);
    await page.getByLabel("Type your password to confirm").fill(NEW_CUSTOMER.password);
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.getByText("Your account is deleted.").waitFor();
    const again = await call("/v1/auth/sign-in", {
      method: "POST",
      body: { email: NEW_CUSTOMER.email, password: NEW_CUSTOMER.password },
    });
    expect(again.status).toBe(401);
  }, 60_000);

  it("found no serious or critical accessibility problem and no page error", () => {
    expect(Object.keys(axeFindings).length).toBeGreaterThanOrEqual(10);
    expect(axeFindings).toEqual(Object.fromEntries(Object.keys(axeFindings).map((k) => [k, []])));
    expect(pageErrors).toEqual([]);
  });
});
