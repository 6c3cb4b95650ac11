// Reviews and problem photos in real browsers (decision 51): a restaurant's
// staff reply to a review in the console and edit the reply; an operator hides
// an abusive review's words with a reason (audited) and the customer app then
// shows the note, the stars and the reply on the menu page; a customer attaches
// photos to a problem report (a wrong type refused in the app) and the operator
// sees them in the exceptions queue and on the order's own page. Ratings are written straight to Postgres
// here: rating a delivered order is the customer journey's test.

import { deflateSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDb } from "../../db/node.ts";
import { orderRatings } from "../../db/schema.ts";
import { seriousA11yViolations } from "./a11y.ts";
import {
  call,
  DESKTOP,
  eventually,
  launchBrowser,
  openPage,
  PHONE,
  type Schemas,
  type Session,
  screenshots,
  signIn,
} from "./kit.ts";

const consoleUrl = inject("consoleUrl");
const customerUrl = inject("customerUrl");
const SCREENSHOTS = screenshots(import.meta.url, () => page, "failed-reviews-");
const UI_WAIT_MS = 20_000;

const ADMIN = { email: "admin@demo.test", password: "demo-admin-pass" };
const CUSTOMER = { email: "customer@demo.test", password: "demo-customer-pass" };
const FORNO = { lat: 38.7168, lng: -9.1503 };
const ADDRESS = { line1: "Rua de São Bento 200", city: "Lisboa", postcode: "1200-821", lat: 38.7135, lng: -9.154 };
const RUN = Math.random().toString(36).slice(2, 7);

let browser: Browser;
let page: Page;
let admin: Session;
let customer: Session;
let restaurant: { id: string; slug: string; name: string };
let staffCredentials: { email: string; password: string };
const kind = crypto.randomUUID();
const rude = crypto.randomUUID();
const quiet = crypto.randomUUID();
let problemOrderId = "";
const pageErrors: string[] = [];
const axeFindings: Record<string, string[]> = {};

async function shot(target: Page, name: string): Promise<void> {
  await target.screenshot({ path: `${SCREENSHOTS}reviews-${name}.png`, fullPage: true });
}

async function axe(target: Page, name: string): Promise<void> {
  axeFindings[name] = await seriousA11yViolations(target);
}

async function consoleSignIn(target: Page, who: { email: string; password: string }): Promise<void> {
  await target.goto(consoleUrl);
  await target.locator("#email").fill(who.email);
  await target.locator("#password").fill(who.password);
  await target.getByRole("button", { name: "Sign in" }).click();
  await target.getByRole("navigation").waitFor();
}

/** How far the page is wider than the screen (a nav that scrolls sideways inside itself does not count). */
function overflow(target: Page): Promise<number> {
  return target.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

async function customerSignIn(target: Page): Promise<void> {
  await target.goto(customerUrl);
  await target.getByLabel("Email").fill(CUSTOMER.email);
  await target.getByLabel("Password").fill(CUSTOMER.password);
  await target.getByRole("button", { name: "Sign in", exact: true }).click();
  await target.getByRole("heading", { name: "Restaurants near you" }).waitFor();
}

beforeAll(async () => {
  [admin, customer] = await Promise.all([signIn(ADMIN), signIn(CUSTOMER)]);
  const list = await call<{ restaurants: Array<{ id: string; slug: string; name: string }> }>(
    `/v1/restaurants?lat=${FORNO.lat}&lng=${FORNO.lng}&limit=100`,
  );
  // A restaurant no other browser test sells at, so its reviews are this test's own.
  const found = list.body.restaurants.find((r) => r.slug === "tasca-da-graca") ?? list.body.restaurants.at(-1);
  if (!found) throw new Error("no restaurant in discovery");
  restaurant = found;
  staffCredentials = { email: `staff+${restaurant.slug}@demo.test`, password: "demo-staff-pass" };
  const me = await call<{ id: string }>("/v1/me", { token: customer.accessToken });
  const { db, close } = openDb({ DATABASE_URL: inject("e2eDatabaseUrl"), NEON_WS_PROXY: inject("e2eWsProxy") }, 1);
  const base = { customerId: me.body.id, restaurantId: restaurant.id };
  const now = Date.now();
  await db
    .insert(orderRatings)
    .values([
      { ...base, orderId: quiet, restaurantStars: 4, createdAt: new Date(now - 3 * 3600_000) },
      {
        ...base,
        orderId: kind,
        restaurantStars: 5,
        restaurantComment: `The bacalhau à brás was the best I have had in Lisbon, and it arrived hot. (${RUN})`,
        createdAt: new Date(now - 3600_000),
      },
      {
        ...base,
        orderId: rude,
        restaurantStars: 1,
        restaurantComment: "The cook is a clown and everyone who works there is an idiot.",
        createdAt: new Date(now - 60_000),
      },
    ])
    .finally(close);
  problemOrderId = await placePaidOrder();
  browser = await launchBrowser();
  ({ page } = await openPage(browser, DESKTOP, pageErrors, UI_WAIT_MS));
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe("reviews and problem photos", () => {
  it("lets the restaurant's staff reply to a review and edit the reply", async () => {
    await consoleSignIn(page, staffCredentials);
    await page.getByRole("heading", { name: "Live board" }).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "Reviews" }).click();
    await page.getByRole("heading", { name: "Reviews" }).waitFor();
    const card = page.locator(`[data-review="${kind}"]`);
    await card.getByText("best I have had").waitFor();
    await card.getByRole("textbox").fill("Obrigado! The bacalhau is grandmother's recipe.");
    await card.getByRole("button", { name: "Publish reply" }).click();
    await card.locator(".review-reply", { hasText: "grandmother's recipe" }).waitFor();
    await card.getByRole("button", { name: "Edit reply" }).click();
    await card.getByRole("textbox").fill("Obrigado! The bacalhau is our grandmother's recipe — come back soon.");
    await card.getByRole("button", { name: "Update reply" }).click();
    await card.locator(".review-reply", { hasText: "come back soon" }).waitFor();
    await axe(page, "staff-reviews");
    await shot(page, "01-staff-desktop");
    const { page: phone, context } = await openPage(browser, PHONE, pageErrors, UI_WAIT_MS);
    await consoleSignIn(phone, staffCredentials);
    await phone.getByRole("heading", { name: "Live board" }).waitFor();
    await phone.goto(`${consoleUrl}/#/reviews`);
    await phone.locator(`[data-review="${kind}"] .review-reply`).waitFor();
    expect(await overflow(phone), "the Reviews screen overflows at 390 px").toBeLessThanOrEqual(0);
    await axe(phone, "staff-reviews-phone");
    await shot(phone, "02-staff-phone");
    await phone.getByRole("combobox", { name: "Language" }).selectOption("pt");
    await phone.getByRole("heading", { name: "Avaliações", level: 1 }).waitFor();
    await phone.getByRole("button", { name: "Editar resposta" }).waitFor();
    await shot(phone, "02b-staff-phone-pt");
    await context.close();
  });

  it("lets an operator hide an abusive review's words with a reason, audited", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await consoleSignIn(page, ADMIN);
    await page.getByRole("heading", { name: "Health at a glance" }).waitFor();
    await page.goto(`${consoleUrl}/#/moderation`);
    await page.getByRole("heading", { name: "Review moderation" }).waitFor();
    // Reviews of every restaurant are listed, each under its restaurant's name; the filter picks one by name.
    await page.getByRole("combobox", { name: "Restaurant" }).selectOption({ label: restaurant.name });
    const card = page.locator(`[data-review="${rude}"]`);
    await card.locator(".review-restaurant", { hasText: restaurant.name }).waitFor();
    expect(
      new Set(await page.locator(".review-restaurant").evaluateAll((els) => els.map((e) => e.textContent))),
    ).toEqual(new Set([restaurant.name]));
    await card.getByRole("button", { name: "Hide text" }).click();
    await page.getByText("Write the reason first.").waitFor();
    await card.getByRole("textbox").fill("Insults staff by name");
    await card.getByRole("button", { name: "Hide text" }).click();
    await card.getByText("Hidden from customers: Insults staff by name").waitFor();
    await card.getByRole("button", { name: "Show text again" }).waitFor();
    await axe(page, "moderation");
    await shot(page, "03-moderation-desktop");
    const audit = await call<{ entries: Array<{ action: string; note: string | null }> }>(
      `/v1/admin/audit?entityType=review&entityId=${rude}`,
      { token: admin.accessToken },
    );
    expect(audit.body.entries.map((e) => [e.action, e.note])).toEqual([["review.hide", "Insults staff by name"]]);
    const { page: phone, context } = await openPage(browser, PHONE, pageErrors, UI_WAIT_MS);
    await consoleSignIn(phone, ADMIN);
    await phone.getByRole("heading", { name: "Health at a glance" }).waitFor();
    await phone.goto(`${consoleUrl}/#/moderation`);
    await phone.locator(`[data-review="${rude}"]`).getByText("Hidden from customers").waitFor();
    expect(await overflow(phone), "moderation overflows at 390 px").toBeLessThanOrEqual(0);
    await axe(phone, "moderation-phone");
    await shot(phone, "04-moderation-phone");
    await context.close();
  });

  it("shows customers the stars, the reply and a moderation note on the menu page", async () => {
    const { page: phone, context } = await openPage(browser, PHONE, pageErrors, UI_WAIT_MS);
    await customerSignIn(phone);
    await phone.goto(`${customerUrl}/#/r/${restaurant.id}`);
    await phone.getByRole("heading", { name: "Reviews" }).waitFor();
    await phone.getByText("This review's text was hidden by moderation.").waitFor();
    await phone.getByText("come back soon").waitFor();
    await phone.getByText("No comment, just stars.").waitFor();
    expect(await phone.getByText("is a clown").count()).toBe(0);
    await phone.locator(".reviews").scrollIntoViewIfNeeded();
    await axe(phone, "customer-reviews");
    await phone.locator(".reviews").screenshot({ path: `${SCREENSHOTS}reviews-05-customer-menu-phone.png` });
    await context.close();
  });

  it("lets a customer attach photos to a problem report, which operators then see", async () => {
    const { page: phone, context } = await openPage(browser, PHONE, pageErrors, UI_WAIT_MS);
    await customerSignIn(phone);
    await phone.goto(`${customerUrl}/#/problem/${problemOrderId}`);
    await phone.getByRole("heading", { name: "What went wrong?" }).waitFor();
    await phone.getByText("Damaged or spilled").click();
    await phone.locator("#problem-note").fill("The box was crushed and the sauce leaked everywhere.");
    const input = phone.locator("#problem-photo");
    await input.setInputFiles({ name: "animation.gif", mimeType: "image/gif", buffer: Buffer.from("GIF89a") });
    await phone.getByText("animation.gif is not a JPEG, PNG or WebP image.").waitFor();
    await input.setInputFiles([
      { name: "box.png", mimeType: "image/png", buffer: picture([214, 96, 40]) },
      { name: "sauce.png", mimeType: "image/png", buffer: picture([170, 40, 40]) },
    ]);
    await phone.getByRole("img", { name: "Photo 2 of your problem" }).waitFor();
    await axe(phone, "problem-photos");
    await shot(phone, "06-problem-photos-phone");
    await phone.getByRole("button", { name: "Send report" }).click();
    await phone.getByText("Thanks. Support will look at your report.").waitFor();
    await context.close();

    await eventually("the report in the exceptions queue", async () => {
      const open = await call<{ exceptions: Array<{ kind: string; details: { photoKeys?: string[] } }> }>(
        `/v1/admin/exceptions?status=open&orderId=${problemOrderId}`,
        { token: admin.accessToken },
      );
      const found = open.body.exceptions.find((e) => e.kind === "customer_problem");
      return found?.details.photoKeys?.length === 2 ? true : undefined;
    });
    await page.goto(`${consoleUrl}/#/exceptions/${problemOrderId}`);
    const photos = page.locator(".problem-photo-grid img");
    await photos.nth(1).waitFor();
    expect(await photos.count()).toBe(2);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>(".problem-photo-grid img")].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    await axe(page, "exception-photos");
    await shot(page, "07-exception-photos-desktop");

    // The order's own page shows the operator the same photos, without the kitchen's buttons.
    await page.getByRole("link", { name: "Order details" }).click();
    await page.waitForURL(`**/#/orders/${problemOrderId}`);
    const orderPhotos = page.locator(".detail .problem-photo-grid img");
    await orderPhotos.nth(1).waitFor();
    expect(await orderPhotos.count()).toBe(2);
    expect(await page.getByRole("button", { name: "Accept" }).count()).toBe(0);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>(".detail .problem-photo-grid img")].every(
        (img) => img.complete && img.naturalWidth > 0,
      ),
    );
    await axe(page, "order-photos");
    await shot(page, "08-order-photos-desktop");
  });

  it("raised no page errors and no serious accessibility findings", () => {
    expect(pageErrors).toEqual([]);
    expect(Object.fromEntries(Object.entries(axeFindings).filter(([, found]) => found.length > 0))).toEqual({});
  });
});

/** An order at Forno Napoletano placed and paid through the API. */
async function placePaidOrder(): Promise<string> {
  const list = await call<{ restaurants: Array<{ id: string; slug: string }> }>(
    `/v1/restaurants?lat=${FORNO.lat}&lng=${FORNO.lng}&limit=100`,
  );
  const forno = list.body.restaurants.find((r) => r.slug === "forno-napoletano")?.id;
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
    headers: { "idempotency-key": `reviews-e2e-${RUN}` },
    body: { restaurantId: forno, items: [{ itemId: item.id, quantity: 1, optionIds }], deliveryAddress: ADDRESS },
  });
  expect(placed.status).toBe(201);
  const orderId = placed.body.id;
  expect((await call(`/v1/orders/${orderId}/checkout`, { method: "POST", token: customer.accessToken })).status).toBe(
    200,
  );
  await eventually("the payment", async () => {
    const view = await call<{ order: { status: string } }>(`/v1/orders/${orderId}`, { token: customer.accessToken });
    return view.body.order.status === "placed" ? undefined : true;
  });
  return orderId;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A 320 × 240 PNG, a soft diagonal gradient of `rgb`: what a phone photo stands in for. */
function picture(rgb: [number, number, number]): Buffer {
  const [w, h] = [320, 240];
  const rows: Buffer[] = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      const shade = 0.55 + 0.45 * ((x + y) / (w + h));
      rgb.forEach((v, i) => {
        row[1 + x * 3 + i] = Math.round(v * shade + 255 * (1 - shade) * 0.6);
      });
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
