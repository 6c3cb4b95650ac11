// In a real browser (Debian's chromium) against the platform brought up by
// ./global-setup.ts: a kitchen registers a partner webhook endpoint in the
// console and reads its delivery log (a failing receiver's status codes and
// next retry, then a replay that succeeds, verified with the `standardwebhooks`
// library and the secret the console showed once), rotates the secret,
// disables and enables the endpoint; and the board names the courier coming
// for an order with their arrival, following their positions live. Checked by
// axe and photographed at desktop and phone width, in English and Portuguese.
import { createServer, type Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
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
const SCREENSHOTS = screenshots(import.meta.url, () => page, "failed-partners-");
const UI_WAIT_MS = 20_000;
const STAFF = { email: "staff+forno-napoletano@demo.test", password: "demo-staff-pass" };
const CUSTOMER = { email: "customer2@demo.test", password: "demo-customer-pass" };
const COURIER = { email: "courier47@demo.test", password: "demo-courier-pass" };
const FORNO = { lat: 38.7168, lng: -9.1503 };
const ADDRESS = { line1: "Rua de São Bento 200", city: "Lisboa", postcode: "1200-821", lat: 38.7135, lng: -9.154 };

/** A partner's receiver: answers 503 until told to accept, and keeps every request. */
interface Received {
  headers: Record<string, string>;
  body: string;
}
let receiver: Server;
let receiverUrl = "";
let accepting = false;
const received: Received[] = [];

let browser: Browser;
let page: Page;
let staff: Session;
let customer: Session;
let courierSocket: WebSocket | null = null;
let orderId = "";
let secret = "";
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      received.push({ headers, body });
      res.writeHead(accepting ? 200 : 503).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/pos/orders`;
  [staff, customer] = await Promise.all([signIn(STAFF), signIn(CUSTOMER)]);
  browser = await launchBrowser();
  ({ page } = await openPage(browser, DESKTOP, pageErrors, UI_WAIT_MS));
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(STAFF.email);
  await page.getByLabel("Password").fill(STAFF.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Live board" }).waitFor();
}, 60_000);

afterAll(async () => {
  courierSocket?.close();
  await browser?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

/** A paid order at Forno Napoletano, accepted by its kitchen so that dispatch starts. */
async function placeAndAccept(): Promise<string> {
  const menu = await call<Schemas["Menu"]>(`/v1/restaurants/${staff.user.restaurantId}/menu`);
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
    headers: { "idempotency-key": `partners-e2e-${crypto.randomUUID()}` },
    body: {
      restaurantId: staff.user.restaurantId,
      items: [{ itemId: item.id, quantity: 1, optionIds }],
      deliveryAddress: ADDRESS,
    },
  });
  expect(placed.status).toBe(201);
  const id = placed.body.id;
  expect((await call(`/v1/orders/${id}/checkout`, { method: "POST", token: customer.accessToken })).status).toBe(200);
  await eventually("the kitchen's accept", async () => {
    const res = await call(`/v1/orders/${id}/accept`, {
      method: "POST",
      token: staff.accessToken,
      // Within food-ready timing's 10-minute lead (decision 37): the courier search starts at once.
      body: { prepTimeMinutes: 10 },
    });
    return res.status === 200 ? true : undefined;
  });
  return id;
}

describe("partner webhooks and the courier on the board", () => {
  it("registers an endpoint with chosen event types and shows its signing secret once", async () => {
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("heading", { name: "Partner webhooks" }).waitFor();
    await page.getByText("No endpoints yet.").waitFor();
    // Nothing but https to a public host outside local development: here the receiver is on the loopback.
    await page.getByLabel("URL (https)").fill(receiverUrl);
    await page.getByLabel("Description (optional)").fill("Kitchen POS");
    await page.getByRole("checkbox", { name: "order.accepted" }).check();
    await page.getByRole("button", { name: "Register endpoint" }).click();
    secret = (await page.getByTestId("webhook-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^whsec_/);
    const card = page.locator(".endpoint-card", { hasText: receiverUrl });
    await card.getByText("Enabled").waitFor();
    await card.getByText("3 event types").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await shot("webhooks-01-registered");
    await page.getByRole("button", { name: "I have copied it" }).click();
    await page.getByTestId("webhook-secret").waitFor({ state: "detached" });
  });

  it("names the courier coming for an order and when they reach the counter, live", async () => {
    const courier = await signIn(COURIER);
    const near = { lat: FORNO.lat + 0.006, lng: FORNO.lng };
    courierSocket = new WebSocket(
      `${apiBase.replace(/^http/, "ws")}/v1/couriers/live?lat=${near.lat}&lng=${near.lng}&access_token=${courier.accessToken}`,
    );
    const socket = courierSocket;
    let seq = 0;
    // Device times a minute apart, so a few hundred metres between fixes is a plausible ride.
    const fix = (at: { lat: number; lng: number }, minutesAgo: number) =>
      socket.send(
        JSON.stringify({ type: "fix", fix: { ...at, accuracyM: 8, at: Date.now() - minutesAgo * 60_000, seq: ++seq } }),
      );
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { type: string; orderId?: string };
      // This test's order is the only one offered meanwhile (the offer can come before placeAndAccept returns).
      if (message.type === "offer" && message.orderId) {
        socket.send(JSON.stringify({ type: "offer_response", orderId: message.orderId, accept: true }));
      }
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.send(JSON.stringify({ type: "status", status: "online" }));
    fix(near, 5);

    await page.getByRole("link", { name: "Live board" }).click();
    orderId = await placeAndAccept();
    const card = page.locator(`.order-card[data-order-id="${orderId}"]`);
    await card.waitFor();
    // Accepted: the courier line appears, first while searching, then with the courier's name once assigned.
    await eventually("the assignment", async () => {
      const order = await call<{ order: { delivery: string } }>(`/v1/orders/${orderId}`, { token: staff.accessToken });
      return order.body.order.delivery === "assigned" ? true : undefined;
    });
    await sleep(1100);
    const closer = { lat: FORNO.lat + 0.004, lng: FORNO.lng };
    fix(closer, 4);
    const line = card.getByTestId("card-courier");
    await line.filter({ hasText: /Courier: \S+ \S\./ }).waitFor();
    await line.filter({ hasText: /arrives \d\d:\d\d \(\d+ min\)/ }).waitFor();
    const first = (await line.textContent()) ?? "";

    // Closer, and a later estimate: the card follows (the board hears a new estimate every 15 s at most).
    await sleep(15_500);
    fix({ lat: FORNO.lat + 0.0005, lng: FORNO.lng }, 3);
    await line.filter({ hasText: /arriving now|\(1 min\)|\(0 min\)/ }).waitFor({ timeout: 20_000 });
    expect((await line.textContent()) ?? "").not.toBe(first);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await shot("board-courier-arriving");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel("Language").selectOption("pt");
    await card
      .getByTestId("card-courier")
      .filter({ hasText: /Estafeta: / })
      .waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("board-courier-390-pt");
    await page.getByLabel("Idioma").selectOption("en");
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 90_000);

  it("shows the failing deliveries with status codes and retry times, and a replay that succeeds", async () => {
    await eventually("deliveries to the receiver", async () => (received.length >= 2 ? true : undefined));
    await page.getByRole("link", { name: "Webhooks" }).click();
    await page.getByRole("link", { name: "Delivery log" }).click();
    await page.getByRole("heading", { name: "Delivery log" }).waitFor();
    const paid = page
      .locator("tr", { hasText: "order.paid" })
      .filter({ hasText: `#${orderId.replace(/-/g, "").slice(0, 6).toUpperCase()}` });
    await paid.getByText("HTTP 503").waitFor();
    await paid.getByText("Pending").waitFor();
    await shot("webhooks-02-log-failing");

    accepting = true;
    const before = received.length;
    await paid.getByRole("button", { name: /Replay order\.paid/ }).click();
    await paid.getByText("HTTP 200").waitFor();
    await paid.getByText("Delivered", { exact: true }).waitFor();
    // What the receiver got is signed with the secret the console showed, per Standard Webhooks.
    const replayed = received.slice(before).find((r) => r.body.includes('"order.paid"'));
    expect(replayed).toBeDefined();
    const verified = new Webhook(secret).verify(replayed?.body ?? "", replayed?.headers ?? {}) as { type: string };
    expect(verified.type).toBe("order.paid");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await shot("webhooks-03-log-replayed");

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByLabel("Language").selectOption("pt");
    await page.getByRole("heading", { name: "Registo de entregas" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("webhooks-04-log-390-pt");
    await page.getByLabel("Idioma").selectOption("en");
    await page.setViewportSize({ width: 1440, height: 900 });
  }, 60_000);

  it("rotates the secret, disables and enables the endpoint", async () => {
    await page.getByRole("link", { name: "← Webhooks" }).click();
    const card = page.locator(".endpoint-card", { hasText: receiverUrl });
    await card.getByRole("button", { name: "Rotate secret" }).click();
    const rotated = (await page.getByTestId("webhook-secret").textContent())?.trim() ?? "";
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole("button", { name: "I have copied it" }).click();
    await card.getByRole("button", { name: "Disable" }).click();
    await card.getByText("Disabled", { exact: true }).waitFor();
    await card.getByText(/Disabled .*: by hand|Disabled .*:/).waitFor();
    await shot("webhooks-05-disabled");
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("webhooks-06-list-390");
    await page.setViewportSize({ width: 1440, height: 900 });
    await card.getByRole("button", { name: "Enable" }).click();
    await card.getByText("Enabled", { exact: true }).waitFor();
    await eventually(
      "the endpoint enabled in the API",
      async () => {
        const listed = await call<{ endpoints: Array<{ url: string; disabledAt: string | null }> }>(
          "/v1/webhook-endpoints",
          { token: staff.accessToken },
        );
        return listed.body.endpoints.find((e) => e.url === receiverUrl)?.disabledAt === null ? true : undefined;
      },
      10_000,
    );
    expect(pageErrors).toEqual([]);
  });
});
