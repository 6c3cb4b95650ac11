// The operators' tax-and-fees screen in a real browser (decision 0052's
// addendum): the seed's admin sees the API refuse a VAT rate over 100 % in the
// area's own panel, then switches Lisbon Centre to VAT-inclusive prices at
// 23 % with a small-order fee; a customer's next order is priced that way (the
// tax extracted, not added; the fee charged), and the customer app shows it.
// Desktop in English and a 390 px phone in Portuguese, each checked by axe.
// The area's settings are put back afterwards: the browser tests share one
// platform and run one file at a time.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { taxOn } from "../../domain/pricing/price-cart.ts";
import { seriousA11yViolations } from "./a11y.ts";
import {
  call,
  DESKTOP,
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
const SCREENSHOTS = screenshots(import.meta.url, () => current, "failed-pricing-");
const UI_WAIT_MS = 20_000;

const ADMIN = { email: "admin@demo.test", password: "demo-admin-pass" };
const CUSTOMER = { email: "customer2@demo.test", password: "demo-customer-pass" };
const FORNO = { lat: 38.7168, lng: -9.1503 };
const ADDRESS = { line1: "Rua de São Bento 200", city: "Lisboa", postcode: "1200-821", lat: 38.7135, lng: -9.154 };
const RUN = Math.random().toString(36).slice(2, 7);

type Zone = Schemas["Zone"];
type Quote = Schemas["Quote"];

let browser: Browser;
let current: Page | undefined;
let admin: Session;
let customer: Session;
let zone: Zone;
let cart: { restaurantId: string; items: Array<{ itemId: string; quantity: number; optionIds: string[] }> };
const pageErrors: string[] = [];
const axeFindings: Record<string, string[]> = {};

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}pricing-${name}.png`, fullPage });
}

async function quote(): Promise<Quote> {
  const quoted = await call<Quote>("/v1/quotes", {
    method: "POST",
    token: customer.accessToken,
    body: { ...cart, deliveryAddress: ADDRESS, tipMinor: 100 },
  });
  expect(quoted.status).toBe(200);
  return quoted.body;
}

async function signInToConsole(page: Page, submit: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.locator("#email").fill(ADMIN.email);
  await page.locator("#password").fill(ADMIN.password);
  await page.getByRole("button", { name: submit }).click();
}

beforeAll(async () => {
  [admin, customer] = await Promise.all([signIn(ADMIN), signIn(CUSTOMER)]);
  const zones = await call<{ zones: Zone[] }>("/v1/admin/zones", { token: admin.accessToken });
  const lisbon = zones.body.zones.find((z) => z.name === "Lisbon Centre");
  if (!lisbon) throw new Error("the seed's Lisbon Centre area is missing");
  zone = lisbon;
  const list = await call<{ restaurants: Array<{ id: string; slug: string }> }>(
    `/v1/restaurants?lat=${FORNO.lat}&lng=${FORNO.lng}&limit=100`,
  );
  const forno = list.body.restaurants.find((r) => r.slug === "forno-napoletano")?.id;
  if (!forno) throw new Error("Forno Napoletano is not in discovery");
  const menu = await call<Schemas["Menu"]>(`/v1/restaurants/${forno}/menu`);
  const item = menu.body.categories.flatMap((c) => c.items).find((i) => i.available && i.groups.length === 0);
  if (!item) throw new Error("no available item without options");
  cart = { restaurantId: forno, items: [{ itemId: item.id, quantity: 1, optionIds: [] }] };
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  // Put the seed's settings back for the browser tests that follow.
  if (zone) {
    await call(`/v1/admin/zones/${zone.id}`, {
      method: "PATCH",
      token: admin.accessToken,
      body: {
        taxIncluded: zone.taxIncluded,
        taxBps: zone.taxBps,
        smallOrderMinimumMinor: zone.smallOrderMinimumMinor,
        smallOrderFeeMinor: zone.smallOrderFeeMinor,
      },
    });
  }
  await browser?.close();
});

describe("tax and fees per delivery area", () => {
  it("refuses a rate over 100 % in the area's panel, then saves VAT-inclusive prices and a small-order fee", async () => {
    const before = await quote();
    expect(before.taxIncluded).toBe(false);
    expect(before.smallOrderFeeMinor).toBe(0);

    const { context, page } = await openPage(browser, DESKTOP, pageErrors, UI_WAIT_MS);
    current = page;
    try {
      await signInToConsole(page, "Sign in");
      await page.getByRole("navigation").getByRole("link", { name: "Tax and fees" }).click();
      await page.getByRole("heading", { name: "Tax and fees", level: 1 }).waitFor();
      const panel = page.getByRole("article", { name: /Lisbon Centre/ });
      await panel.getByText("Now: added, 13 % VAT; no small-order fee.").waitFor();

      // 150 % is 15000 basis points: the API refuses it and the panel says which field and why.
      await panel.getByLabel("VAT rate (%)").fill("150");
      await panel.getByRole("button", { name: "Save Lisbon Centre" }).click();
      const refusal = panel.getByRole("alert");
      await refusal.getByText(/^Not saved: /).waitFor();
      await refusal.getByText("VAT rate (%)").waitFor();
      expect(await refusal.textContent()).toMatch(/10000/);
      expect(await panel.getByLabel("VAT rate (%)").getAttribute("aria-invalid")).toBe("true");
      axeFindings["refused-desktop"] = await seriousA11yViolations(page);
      await panel.scrollIntoViewIfNeeded();
      await shot(page, "01-refused-desktop");

      await panel.getByLabel("Included in prices").check();
      await panel.getByLabel("VAT rate (%)").fill("23");
      // The minimum is above this cart's food, so the customer's next order pays the fee.
      await panel.getByLabel("Small-order minimum (EUR)").fill(((before.subtotalMinor + 1000) / 100).toFixed(2));
      await panel.getByLabel("Small-order fee (EUR)").fill("2.50");
      await panel.getByRole("button", { name: "Save Lisbon Centre" }).click();
      await page.getByText("Tax and fees saved for Lisbon Centre.").waitFor();
      await panel.getByText(/^Now: included, 23 % VAT; €2\.50 below €/).waitFor();
      expect(await panel.getByRole("alert").count()).toBe(0);
      axeFindings.desktop = await seriousA11yViolations(page);
      await shot(page, "02-saved-desktop");
    } finally {
      await context.close();
    }

    const saved = await call<{ zones: Zone[] }>("/v1/admin/zones", { token: admin.accessToken });
    expect(saved.body.zones.find((z) => z.id === zone.id)).toMatchObject({
      taxIncluded: true,
      taxBps: 2300,
      smallOrderMinimumMinor: before.subtotalMinor + 1000,
      smallOrderFeeMinor: 250,
    });
  });

  it("prices the customer's next order that way, and the customer app shows it", async () => {
    const after = await quote();
    expect(after.taxIncluded).toBe(true);
    expect(after.smallOrderFeeMinor).toBe(250);
    // The tax is extracted from each line and fee at its rate (the area's now 23 %), not added on top.
    const fees = [after.deliveryFeeMinor, after.serviceFeeMinor, after.smallOrderFeeMinor];
    const expectedTax =
      after.lines.reduce((s, l) => s + taxOn(l.lineTotalMinor - l.discountMinor, l.taxBps, true), 0) +
      fees.reduce((s, f) => s + taxOn(f, 2300, true), 0);
    expect(after.taxMinor).toBe(expectedTax);
    expect(after.totalMinor).toBe(after.subtotalMinor + fees.reduce((a, b) => a + b, 0) + after.tipMinor);

    const placed = await call<Schemas["Order"]>("/v1/orders", {
      method: "POST",
      token: customer.accessToken,
      headers: { "idempotency-key": `pricing-e2e-${RUN}` },
      body: { ...cart, deliveryAddress: ADDRESS, tipMinor: 100 },
    });
    expect(placed.status).toBe(201);
    const order = placed.body;
    for (const field of ["subtotalMinor", "taxMinor", "smallOrderFeeMinor", "totalMinor", "taxIncluded"] as const) {
      expect(order[field], field).toBe(after[field]);
    }

    const { context, page } = await openPage(browser, { ...PHONE, locale: "pt-PT" }, pageErrors, UI_WAIT_MS);
    current = page;
    try {
      await page.goto(customerUrl);
      await page.locator("input[type=email]").fill(CUSTOMER.email);
      await page.locator("input[type=password]").fill(CUSTOMER.password);
      await page.locator("form button[type=submit]").click();
      await page.locator("input[type=email]").waitFor({ state: "detached" });
      await page.goto(`${customerUrl}/#/orders/${order.id}`);
      const fee = page.getByTestId("small-order-fee");
      await fee.waitFor();
      expect(await fee.textContent()).toMatch(/2,50/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      axeFindings["customer-order-390"] = await seriousA11yViolations(page);
      // The receipt, with the small-order fee and "IVA incluído", fills the phone's screen.
      await page.getByTestId("small-order-fee").evaluate((el) => el.scrollIntoView({ block: "center" }));
      await shot(page, "03-customer-order-390-pt", false);
    } finally {
      await context.close();
    }
  });

  it("fits a 390 px phone in Portuguese", async () => {
    const { context, page } = await openPage(browser, { ...PHONE, locale: "pt-PT" }, pageErrors, UI_WAIT_MS);
    current = page;
    try {
      await signInToConsole(page, "Iniciar sessão");
      await page.goto(`${consoleUrl}/#/pricing`);
      await page.getByRole("heading", { name: "IVA e taxas", level: 1 }).waitFor();
      const panel = page.getByRole("article", { name: /Lisbon Centre/ });
      await panel.getByText(/^Agora: IVA incluído, 23 %/).waitFor();
      expect(await panel.getByLabel("Incluído nos preços").isChecked()).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      axeFindings["console-390-pt"] = await seriousA11yViolations(page);
      await shot(page, "04-console-390-pt");
    } finally {
      await context.close();
    }
  });

  it("raised no page errors and no serious accessibility findings", () => {
    expect(pageErrors).toEqual([]);
    expect(Object.fromEntries(Object.entries(axeFindings).filter(([, found]) => found.length > 0))).toEqual({});
  });
});
