// The operator console in a real browser (Debian's chromium) against the
// whole platform brought up by ./global-setup.ts, signed in as the seed's
// admin: onboard a restaurant and find it in discovery (and flagged when moved
// outside every delivery area), invite staff who accept from the link,
// register a courier, watch a courier move on the live map, edit a delivery
// area's fees and outline on the map, act on an order the zone escalated,
// deactivate the courier (their socket is cut), and find it all in the audit
// log. A courier's app is played by a WebSocket from this process.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { WebSocket } from "ws";
import { seriousA11yViolations } from "./a11y.ts";
import {
  call,
  DESKTOP,
  eventually,
  launchBrowser,
  openPage,
  type Schemas,
  type Session,
  screenshots,
  signIn,
  sleep,
} from "./kit.ts";

const consoleUrl = inject("consoleUrl");
const apiBase = inject("apiBase");
const SCREENSHOTS = screenshots(import.meta.url, () => page, "failed-operators-");
const UI_WAIT_MS = 20_000;

const ADMIN = { email: "admin@demo.test", password: "demo-admin-pass" };
const STAFF = { email: "staff+forno-napoletano@demo.test", password: "demo-staff-pass" };
const CUSTOMER = { email: "customer2@demo.test", password: "demo-customer-pass" };
const COURIER = { email: "courier03@demo.test", password: "demo-courier-pass" };
/** Forno Napoletano (open round the clock) and a drop-off near it, inside the demo zone. */
const FORNO = { lat: 38.7168, lng: -9.1503 };
const ADDRESS = {
  line1: "Rua de São Bento 200",
  city: "Lisboa",
  postcode: "1200-821",
  lat: 38.7135,
  lng: -9.154,
  instructions: "Ring twice",
};
const RUN = Math.random().toString(36).slice(2, 7);

/** A courier's phone: a socket to the zone at `at`, GPS fixes on demand, every message kept. */
class CourierPhone {
  readonly messages: Array<{ type: string; orderId?: string }> = [];
  closed: { code: number } | null = null;
  private seq = 0;
  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const text = data.toString();
      if (text === "pong") return;
      const message = JSON.parse(text) as { type: string; orderId?: string };
      this.messages.push(message);
      // Every offer is declined: the zone then escalates the order to an operator.
      if (message.type === "offer" && message.orderId) {
        this.send({ type: "offer_response", orderId: message.orderId, accept: false });
      }
    });
    socket.on("close", (code) => {
      this.closed = { code };
    });
  }

  static async connect(token: string, at: { lat: number; lng: number }): Promise<CourierPhone> {
    const url = `${apiBase.replace(/^http/, "ws")}/v1/couriers/live?lat=${at.lat}&lng=${at.lng}&access_token=${token}`;
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const phone = new CourierPhone(socket);
    phone.send({ type: "status", status: "online" });
    return phone;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  fix(at: { lat: number; lng: number }): void {
    this.seq += 1;
    this.send({ type: "fix", fix: { lat: at.lat, lng: at.lng, accuracyM: 8, at: Date.now(), seq: this.seq } });
  }

  close(): void {
    this.socket.close();
  }
}

let browser: Browser;
let page: Page;
let admin: Session;
let staff: Session;
let customer: Session;
let courier: Session;
let phone: CourierPhone | null = null;
let restaurantId = "";
let escalatedOrderId = "";
let newRestaurantOrderId = "";
let nina: Session;
const pageErrors: string[] = [];
const axeFindings: Record<string, string[]> = {};

async function shot(target: Page, name: string): Promise<void> {
  await target.screenshot({ path: `${SCREENSHOTS}operators-${name}.png`, fullPage: true });
}

async function axe(target: Page, name: string): Promise<void> {
  axeFindings[name] = await seriousA11yViolations(target);
}

async function open(hash: string): Promise<void> {
  await page.goto(`${consoleUrl}/${hash}`);
}

beforeAll(async () => {
  [admin, staff, customer, courier] = await Promise.all([
    signIn(ADMIN),
    signIn(STAFF),
    signIn(CUSTOMER),
    signIn(COURIER),
  ]);
  browser = await launchBrowser();
  ({ page } = await openPage(browser, DESKTOP, pageErrors, UI_WAIT_MS));
}, 40_000);

afterAll(async () => {
  phone?.close();
  await browser?.close();
});

describe("the operator console", () => {
  it("signs the seed's admin in to health at a glance", async () => {
    await page.goto(consoleUrl);
    await page.locator("#email").fill(ADMIN.email);
    await page.locator("#password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Health at a glance" }).waitFor();
    await page.locator(".tile", { hasText: "Open exceptions" }).waitFor();
    // The live metrics from Analytics Engine (its stand-in here), with the window switch.
    await page.getByRole("heading", { name: "Live metrics" }).waitFor();
    await page.locator(".tile", { hasText: "Placement latency" }).waitFor();
    await page.getByRole("button", { name: "Last hour" }).click();
    await page.getByRole("button", { name: "Last hour", pressed: true }).waitFor();
    for (const label of [
      "Live map",
      "Exceptions",
      "Restaurants",
      "Couriers",
      "Accounts",
      "Audit log",
      "Dead letters",
    ]) {
      await page.getByRole("navigation").getByRole("link", { name: label }).waitFor();
    }
    await axe(page, "overview");
    await shot(page, "01-overview");
  });

  it("creates a platform-funded promotion code with its window, then disables it", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Promotions" }).click();
    await page.getByRole("heading", { name: "Platform promotions" }).waitFor();
    const code = `OPS${Date.now().toString(36).toUpperCase()}`;
    await page.locator("#promo-code").fill(code);
    await page.locator("#promo-kind").selectOption("fixed");
    await page.locator("#promo-value").fill("3");
    await page.locator("#promo-minOrder").fill("15");
    await page.locator("#promo-budget").fill("500");
    await page.getByRole("checkbox", { name: "First order only" }).check();
    await page.getByRole("button", { name: "Create code" }).click();
    const row = page.locator(`tr[data-code="${code}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("Platform");
    await axe(page, "promotions");
    await shot(page, "01b-promotions");
    await page.getByRole("button", { name: `Disable code ${code}` }).click();
    await row.getByText("Disabled").waitFor();
    const listed = await call<{ promotions: Array<{ code: string; fundedBy: string; disabledAt: string | null }> }>(
      "/v1/admin/promotions",
      { token: admin.accessToken },
    );
    const saved = listed.body.promotions.find((p) => p.code === code);
    expect(saved?.fundedBy).toBe("platform");
    expect(saved?.disabledAt).not.toBeNull();
  });

  it("onboards a restaurant that customers then find, and flags it when moved outside every delivery area", async () => {
    const name = `Cantinho ${RUN}`;
    await open("#/restaurants/new");
    await page.getByRole("heading", { name: "Onboard a restaurant" }).waitFor();
    await page.locator("#r-name").fill(name);
    await page.locator("#r-address").fill("Rua do Século 10, 1200-433 Lisboa");
    await page.locator("#r-lat").fill("38.7150");
    await page.locator("#r-lng").fill("-9.1480");
    await page.locator("#r-commission").fill("12.5");
    await page.locator("#r-cuisines").fill("portuguese, petiscos");
    await page.getByLabel("Active: listed to customers and taking orders").check();
    await axe(page, "restaurant-new");
    await shot(page, "02-restaurant-new");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name }).waitFor();
    restaurantId = decodeURIComponent(new URL(page.url()).hash.split("/")[2] ?? "");
    expect(restaurantId).toMatch(/^[0-9a-f-]{36}$/);

    const managed = await call<Schemas["ManagedRestaurantDetail"]>(`/v1/admin/restaurants/${restaurantId}`, {
      token: admin.accessToken,
    });
    expect(managed.body).toMatchObject({ active: true, commissionBps: 1250, deliveryAreaName: "Lisbon Centre" });
    // Discovery is refreshed through the events queue: the customers' list finds it shortly.
    await eventually("the new restaurant in discovery", async () => {
      const found = await call<{ restaurants: Array<{ id: string }> }>(
        `/v1/restaurants?lat=${ADDRESS.lat}&lng=${ADDRESS.lng}&limit=100`,
      );
      return found.body.restaurants.some((r) => r.id === restaurantId) ? true : undefined;
    });

    // Moved to Porto, it is outside every delivery area, and says so.
    await page.locator("#r-lat").fill("41.1496");
    await page.locator("#r-lng").fill("-8.6110");
    await page.locator("#r-area").selectOption("");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".flag", { hasText: "Outside every delivery area" }).first().waitFor();
    await open("#/restaurants");
    await page.getByLabel("Only flagged").check();
    await page.getByRole("link", { name: `Edit ${name}` }).waitFor();
    await shot(page, "03-restaurants-flagged");
    // Back home, in its area again.
    await page.getByRole("link", { name: `Edit ${name}` }).click();
    await page.locator("#r-lat").fill("38.7150");
    await page.locator("#r-lng").fill("-9.1480");
    const lisbon = await call<{ zones: Schemas["Zone"][] }>("/v1/admin/zones", { token: admin.accessToken });
    await page.locator("#r-area").selectOption(lisbon.body.zones.find((z) => z.name === "Lisbon Centre")?.id ?? "");
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator(".flag").count(), { timeout: UI_WAIT_MS }).toBe(0);
  }, 90_000);

  it("invites a member of staff, who opens the link on a phone, chooses a password and lands on the board", async () => {
    await open(`#/restaurants/${restaurantId}`);
    const email = `nina.${RUN}@demo.test`;
    await page.locator("#s-name").fill("Nina Staff");
    await page.locator("#s-email").fill(email);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    const link = await page.getByTestId("invitation-url").getAttribute("href");
    expect(link).toContain("#/invite/");
    await page.locator(".people li", { hasText: "Nina Staff" }).waitFor();
    await shot(page, "04-staff-invited");

    const phoneContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "pt-PT",
      timezoneId: "Europe/Lisbon",
    });
    try {
      const mobile = await phoneContext.newPage();
      mobile.setDefaultTimeout(UI_WAIT_MS);
      mobile.on("pageerror", (error) => pageErrors.push(error.message));
      await mobile.goto(link ?? "");
      await mobile.getByRole("heading", { name: "Escolha a sua palavra-passe" }).waitFor();
      await mobile.getByText(`Restaurantes: Cantinho ${RUN}`).waitFor();
      await mobile.locator("#invite-password").fill("nina-chose-this-1");
      await axe(mobile, "invitation-390");
      await shot(mobile, "05-invitation-390-pt");
      await mobile.getByRole("button", { name: "Definir palavra-passe e entrar" }).click();
      await mobile.getByRole("heading", { name: "Quadro ao vivo" }).waitFor();
      await shot(mobile, "06-staff-board-390-pt");
    } finally {
      await phoneContext.close();
    }
    // The link works once.
    const reused = await call("/v1/invitations/accept", {
      method: "POST",
      body: { token: decodeURIComponent((link ?? "").split("#/invite/")[1] ?? ""), password: "another-password-2" },
    });
    expect(reused.status).toBeGreaterThanOrEqual(400);
    const signedIn = await call<Session>("/v1/auth/sign-in", {
      method: "POST",
      body: { email, password: "nina-chose-this-1" },
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.restaurantId).toBe(restaurantId);
    nina = signedIn.body;
  }, 90_000);

  it("has the new restaurant take an order through the customer's flow once its staff set up a menu", async () => {
    // Nina opens round the clock and adds a dish, as she would from the menu screens.
    const hours = await call(`/v1/restaurants/${restaurantId}/hours`, {
      method: "PUT",
      token: nina.accessToken,
      body: { weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, open: "00:00", close: "00:00" })) },
    });
    expect(hours.status).toBe(200);
    const managed = await call<{ categories: Array<{ id: string }> }>(`/v1/restaurants/${restaurantId}/menu/manage`, {
      token: nina.accessToken,
    });
    const categoryId = managed.body.categories[0]?.id ?? "";
    const dish = await call(`/v1/restaurants/${restaurantId}/menu/items`, {
      method: "POST",
      token: nina.accessToken,
      body: { categoryId, name: "Bifana", priceMinor: 450 },
    });
    expect(dish.status).toBe(201);
    newRestaurantOrderId = await placeAndAccept(restaurantId, nina);
    const view = await call<{ order: { status: string; restaurantId: string } }>(`/v1/orders/${newRestaurantOrderId}`, {
      token: customer.accessToken,
    });
    expect(view.body.order).toMatchObject({ status: "accepted", restaurantId });
  }, 90_000);

  it("registers a courier with vehicle and documents check, and shows their invitation link", async () => {
    await open("#/couriers");
    await page.getByText("Register a courier").first().click();
    await page.locator("#c-name").fill(`Rui ${RUN}`);
    await page.locator("#c-email").fill(`rui.${RUN}@demo.test`);
    await page.locator("#c-phone").fill("+351 910 000 123");
    await page.locator("#c-vehicle").selectOption("scooter");
    await page.getByLabel("Documents checked").first().check();
    await page.locator("form").getByRole("button", { name: "Register a courier" }).click();
    await page.getByTestId("invitation-url").waitFor();
    await page.locator(`tr[data-courier="rui.${RUN}@demo.test"]`).waitFor();
    await axe(page, "couriers");
    await shot(page, "07-courier-registered");
  });

  it("shows a courier moving on the live map, pushed over the WebSocket", async () => {
    phone = await CourierPhone.connect(courier.accessToken, FORNO);
    phone.fix(FORNO);
    await open("#/map");
    await page.getByRole("heading", { name: "Live city map" }).waitFor();
    await page.locator(".connection", { hasText: "Live" }).waitFor();
    const row = page.locator(`li[data-courier="${courier.user.id}"]`);
    await row.waitFor();
    await page.locator(`path.courier-${courier.user.id}`).waitFor();
    const before = Number(await row.getAttribute("data-lat"));
    expect(before).toBeCloseTo(FORNO.lat, 4);
    const dot = page.locator(`path.courier-${courier.user.id}`);
    // Measured once the map has framed the delivery areas it draws.
    await page.locator("path.zone-outline").first().waitFor();
    await sleep(500);
    // The dot can be redrawn just then (a map-feed frame): measure it once it is on the page again.
    let dotBefore = await dot.boundingBox();
    for (let tries = 0; dotBefore === null && tries < 50; tries++) {
      await sleep(100);
      dotBefore = await dot.boundingBox();
    }
    expect(dotBefore).not.toBeNull();
    // Riding north at about 17 m/s (a scooter), a fix a second, as a phone would report it.
    let at = FORNO;
    for (let step = 0; step < 12; step++) {
      at = { lat: at.lat + 0.00015, lng: at.lng };
      phone.fix(at);
      await sleep(1000);
    }
    await expect
      .poll(async () => Number(await row.getAttribute("data-lat")), { timeout: UI_WAIT_MS })
      .toBeGreaterThan(before + 0.001);
    // The dot itself moved up the screen.
    await expect.poll(async () => (await dot.boundingBox())?.y ?? 0).toBeLessThan((dotBefore?.y ?? 0) - 5);
    await row.getByRole("button").click();
    await page.locator(".map-detail", { hasText: "Available" }).waitFor();
    await axe(page, "map");
    await shot(page, "08-live-map");
  });

  it("edits a delivery area's fees and outline on the map", async () => {
    const zones = await call<{ zones: Schemas["Zone"][] }>("/v1/admin/zones", { token: admin.accessToken });
    const zone = zones.body.zones.find((z) => z.name === "Lisbon Centre");
    if (!zone) throw new Error("no Lisbon Centre zone");
    try {
      await page.getByText("Delivery areas").click();
      await page.getByRole("button", { name: "Lisbon Centre" }).click();
      await page.getByRole("heading", { name: "Edit Lisbon Centre" }).waitFor();
      await page.locator("#zone-base").fill(String(zone.baseDeliveryFeeMinor + 10));
      await page.getByRole("button", { name: "Edit outline on the map" }).click();
      const corners = zone.polygon.coordinates[0]?.length ?? 0;
      const vertex = page.locator(".zone-vertex").first();
      await vertex.waitFor();
      const box = await vertex.boundingBox();
      if (!box) throw new Error("no corner handle");
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 - 30, box.y + box.height / 2 + 20, { steps: 5 });
      await page.mouse.up();
      await page.getByTestId("zone-corners").waitFor();
      await shot(page, "09-zone-editing");
      await page.locator(".zone-editor").getByRole("button", { name: "Save" }).click();
      await page.locator(".toast", { hasText: "Lisbon Centre saved." }).waitFor();
      const after = await call<{ zones: Schemas["Zone"][] }>("/v1/admin/zones", { token: admin.accessToken });
      const saved = after.body.zones.find((z) => z.id === zone.id);
      expect(saved?.baseDeliveryFeeMinor).toBe(zone.baseDeliveryFeeMinor + 10);
      expect(saved?.polygon.coordinates[0]?.length).toBe(corners);
      expect(JSON.stringify(saved?.polygon)).not.toBe(JSON.stringify(zone.polygon));

      // A new area starts as an inactive square in the middle of the view, ready to shape.
      await page.getByLabel("New area's name").fill(`Test area ${RUN}`);
      await page.getByRole("button", { name: "Draw a new area" }).click();
      await page.getByRole("heading", { name: `Edit Test area ${RUN}` }).waitFor();
      await page.getByTestId("zone-corners").filter({ hasText: "4 corners" }).waitFor();
      const drawn = await call<{ zones: Schemas["Zone"][] }>("/v1/admin/zones", { token: admin.accessToken });
      expect(drawn.body.zones.find((z) => z.name === `Test area ${RUN}`)).toMatchObject({ active: false });
    } finally {
      // Put the area back as the seed drew it: the other browser tests price orders in it.
      const restored = await call(`/v1/admin/zones/${zone.id}`, {
        method: "PATCH",
        token: admin.accessToken,
        body: { polygon: zone.polygon, baseDeliveryFeeMinor: zone.baseDeliveryFeeMinor },
      });
      expect(restored.status).toBe(200);
    }
  });

  it("assigns a courier to an order the zone escalated, from the exceptions queue", async () => {
    escalatedOrderId = await placeAndAccept();
    // The only courier online declines: the zone hands the order to a person.
    await eventually(
      "the order in the exceptions queue",
      async () => {
        const open = await call<{ exceptions: Schemas["OrderException"][] }>(
          `/v1/admin/exceptions?orderId=${escalatedOrderId}`,
          { token: admin.accessToken },
        );
        return open.body.exceptions.find((e) => e.kind === "no_courier");
      },
      120_000,
    );
    await open("#/exceptions");
    await page.getByRole("heading", { name: "Exceptions" }).waitFor();
    const handle = page.locator(`a[data-order="${escalatedOrderId}"]`);
    await handle.click();
    const panel = page.locator(".exception-detail");
    await panel.getByText("No courier found").or(panel.getByRole("heading")).first().waitFor();
    await axe(page, "exceptions");
    await shot(page, "10-exception");
    await page.locator("#exc-reason").fill("Rang Sara, she will take it");
    await page.locator("#exc-courier").selectOption(courier.user.id);
    await page.getByRole("button", { name: "Force assignment" }).click();
    await page.locator(".toast", { hasText: "Force assignment done." }).waitFor();
    const detail = await call<{
      order: { courierId: string | null };
      timeline: Array<{ type: string; actorRole?: string }>;
    }>(`/v1/orders/${escalatedOrderId}`, { token: admin.accessToken });
    expect(detail.body.order.courierId).toBe(courier.user.id);
    expect(detail.body.timeline.some((e) => e.type === "order.courier_assigned")).toBe(true);
    await eventually("the exception resolved", async () => {
      const open = await call<{ exceptions: Schemas["OrderException"][] }>(
        `/v1/admin/exceptions?orderId=${escalatedOrderId}`,
        { token: admin.accessToken },
      );
      return open.body.exceptions.length === 0 ? true : undefined;
    });
  }, 180_000);

  it("resolves a customer's problem report from the queue with a note", async () => {
    const reported = await call(`/v1/orders/${newRestaurantOrderId}/problems`, {
      method: "POST",
      token: customer.accessToken,
      body: { problem: "late", note: "The app says preparing for ages" },
    });
    expect(reported.status).toBe(200);
    await eventually("the report in the queue", async () => {
      const open = await call<{ exceptions: Schemas["OrderException"][] }>(
        `/v1/admin/exceptions?orderId=${newRestaurantOrderId}`,
        { token: admin.accessToken },
      );
      return open.body.exceptions.find((e) => e.kind === "customer_problem");
    });
    await open(`#/exceptions/${newRestaurantOrderId}`);
    await page.locator("#exc-kind").selectOption("customer_problem");
    const panel = page.locator(".exception-detail");
    await panel.getByText("The customer wrote: “The app says preparing for ages”").waitFor();
    await axe(page, "exception-customer-problem");
    await shot(page, "10b-customer-problem");
    await page.locator("#exc-reason").fill("Called the kitchen: leaving in 5 min; told the customer");
    await page.getByRole("button", { name: "Resolve with note" }).click();
    await page.locator(".toast", { hasText: "Resolve with note done." }).waitFor();
    await eventually("the report resolved", async () => {
      const open = await call<{ exceptions: Schemas["OrderException"][] }>(
        `/v1/admin/exceptions?orderId=${newRestaurantOrderId}`,
        { token: admin.accessToken },
      );
      return open.body.exceptions.length === 0 ? true : undefined;
    });
    // The order is a test's: cancel it (refunded) so nothing is left for a kitchen.
    const cancelled = await call(`/v1/admin/orders/${newRestaurantOrderId}/cancel`, {
      method: "POST",
      token: admin.accessToken,
      headers: { "idempotency-key": `operators-e2e-${RUN}-cancel-new` },
      body: { reason: "Test over" },
    });
    expect(cancelled.status).toBe(200);
  });

  it("deactivates the courier: their app is cut off at once", async () => {
    // The assigned order goes back to the kitchen's problem: cancel it with a full refund first.
    const cancelled = await call(`/v1/admin/orders/${escalatedOrderId}/cancel`, {
      method: "POST",
      token: admin.accessToken,
      headers: { "idempotency-key": `operators-e2e-${RUN}-cancel` },
      body: { reason: "Test over" },
    });
    expect(cancelled.status).toBe(200);
    await open("#/couriers");
    const row = page.locator(`tr[data-courier="${COURIER.email}"]`);
    await row.getByRole("button", { name: /^Deactivate / }).click();
    await page.locator(".toast", { hasText: "is deactivated" }).waitFor();
    await row.getByRole("button", { name: /^Reactivate / }).waitFor();
    await expect.poll(() => phone?.closed !== null, { timeout: UI_WAIT_MS }).toBe(true);
    const refused = await call("/v1/auth/sign-in", { method: "POST", body: COURIER });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    await shot(page, "11-courier-deactivated");
  });

  it("shows who did all of it in the audit log, filtered", async () => {
    await open(`#/audit/order/${escalatedOrderId}`);
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    await page.locator('tr[data-action="order.courier_assigned"]').waitFor();
    // The cancellation reaches the log through the events queue: reload until it is there.
    const cancelledRow = page.locator('tr[data-action="order.cancelled"]');
    await eventually("the cancellation in the audit log", async () => {
      if ((await cancelledRow.count()) > 0) return true;
      await page.getByRole("button", { name: "Reload" }).click();
      return undefined;
    });
    await page.locator("tr", { hasText: "Rang Sara, she will take it" }).first().waitFor();
    await shot(page, "12-audit-order");
    await open("#/audit");
    await page.locator("#audit-entityType").fill("user");
    await page.locator("#audit-entityId").fill(courier.user.id);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.locator('tr[data-action="user.deactivate"]').waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    await page.locator("#audit-action").fill("restaurant.");
    await page.getByRole("button", { name: "Filter" }).click();
    await page
      .locator('tr[data-action="restaurant.create"]', { hasText: `Cantinho ${RUN}` })
      .first()
      .waitFor();
    await axe(page, "audit");
    await shot(page, "13-audit-restaurants");
    // Reactivated for whichever browser test needs the seed's couriers next.
    const back = await call(`/v1/admin/users/${courier.user.id}/reactivate`, {
      method: "POST",
      token: admin.accessToken,
    });
    expect(back.status).toBe(200);
  });

  it("fits a 390 px phone in Portuguese: the overview, the map and the exceptions queue", async () => {
    const phoneContext = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: "pt-PT",
      timezoneId: "Europe/Lisbon",
    });
    try {
      const mobile = await phoneContext.newPage();
      mobile.setDefaultTimeout(UI_WAIT_MS);
      await mobile.goto(consoleUrl);
      await mobile.locator("#email").fill(ADMIN.email);
      await mobile.locator("#password").fill(ADMIN.password);
      await mobile.locator("button[type=submit]").click();
      await mobile.getByRole("heading", { name: "Estado num relance" }).waitFor();
      await mobile.getByRole("heading", { name: "Métricas ao vivo" }).waitFor();
      await mobile.locator(".tile", { hasText: "Latência do pedido" }).waitFor();
      await mobile.locator(".tile", { hasText: "Exceções abertas" }).waitFor();
      expect(await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(
        0,
      );
      await shot(mobile, "13b-overview-390-pt");
      await mobile.goto(`${consoleUrl}/#/map`);
      await mobile.getByRole("heading", { name: "Mapa da cidade ao vivo" }).waitFor();
      const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await axe(mobile, "map-390");
      await shot(mobile, "14-map-390-pt");
      await mobile.goto(`${consoleUrl}/#/exceptions`);
      await mobile.getByRole("heading", { name: "Exceções" }).waitFor();
      await mobile.locator('.table-wrap[aria-busy="false"]').waitFor();
      await shot(mobile, "15-exceptions-390-pt");
    } finally {
      await phoneContext.close();
    }
  });

  it("raised no page errors and no serious accessibility findings", () => {
    expect(pageErrors).toEqual([]);
    expect(Object.fromEntries(Object.entries(axeFindings).filter(([, found]) => found.length > 0))).toEqual({});
  });
});

/** An order placed and paid through the API (Forno Napoletano unless named), accepted by its kitchen (which starts dispatch). */
async function placeAndAccept(at?: string, kitchen: Session = staff): Promise<string> {
  const list = await call<{ restaurants: Array<{ id: string; slug: string }> }>(
    `/v1/restaurants?lat=${FORNO.lat}&lng=${FORNO.lng}&limit=100`,
  );
  const forno = at ?? list.body.restaurants.find((r) => r.slug === "forno-napoletano")?.id;
  if (!forno) throw new Error("Forno Napoletano is not in discovery");
  const menu = await call<Schemas["Menu"]>(`/v1/restaurants/${forno}/menu`);
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
    headers: { "idempotency-key": `operators-e2e-${RUN}-order-${forno}` },
    body: {
      restaurantId: forno,
      items: [{ itemId: item.id, quantity: 1, optionIds }],
      deliveryAddress: ADDRESS,
      tipMinor: 0,
    },
  });
  expect(placed.status).toBe(201);
  const orderId = placed.body.id;
  expect((await call(`/v1/orders/${orderId}/checkout`, { method: "POST", token: customer.accessToken })).status).toBe(
    200,
  );
  await eventually("the kitchen's accept", async () => {
    const accepted = await call(`/v1/orders/${orderId}/accept`, {
      method: "POST",
      token: kitchen.accessToken,
      body: { prepTimeMinutes: 5 },
    });
    return accepted.status === 200 ? true : undefined;
  });
  return orderId;
}
