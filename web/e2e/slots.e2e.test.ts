// A slot order from the customer's side, in a real browser (Debian's
// chromium) at phone width: the demo grocery (a slot-based merchant) offers
// its delivery slots at checkout, full ones greyed out; a slot that fills up
// while the customer is paying is refused with a clear message and the list
// refreshed; another slot is paid for and the order reaches the grocery's
// board as an order for that slot. A restaurant offers "deliver at" instead.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seriousA11yViolations } from "./a11y.ts";
import { call, launchBrowser, openPage, PHONE, type Schemas, type Session, screenshots, signIn } from "./kit.ts";

type Slot = Schemas["DeliverySlot"];

const customerUrl = inject("customerUrl");
const stripeUrl = inject("stripeUrl");
const SCREENSHOTS = screenshots(import.meta.url, () => page, "failed-slots-");
const GROCER = { email: "staff+mercearia-do-bairro@demo.test", password: "demo-staff-pass" };
const CUSTOMER = { email: "customer@demo.test", password: "demo-customer-pass" };
const OTHER = { email: "customer2@demo.test", password: "demo-customer-pass" };
const ADDRESS = {
  line1: "Rua Saraiva de Carvalho 50",
  city: "Lisboa",
  postcode: "1250-244",
  lat: 38.7155,
  lng: -9.163,
};
const MILK = "Leite meio-gordo (1 l)";

let browser: Browser;
let page: Page;
let grocer: Session;
let other: Session;
let groceryId = "";
let milkId = "";
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

async function slots(): Promise<Slot[]> {
  return (await call<{ slots: Slot[] }>(`/v1/restaurants/${groceryId}/slots`)).body.slots;
}

/** Another customer takes the slot's last place through the API. */
async function fill(slotId: string): Promise<void> {
  const placed = await call("/v1/orders", {
    method: "POST",
    token: other.accessToken,
    headers: { "idempotency-key": `slots-e2e-${crypto.randomUUID()}` },
    body: {
      restaurantId: groceryId,
      items: [{ itemId: milkId, quantity: 1, optionIds: [] }],
      deliveryAddress: ADDRESS,
      slotId,
    },
  });
  expect(placed.status).toBe(201);
}

beforeAll(async () => {
  [grocer, other] = await Promise.all([signIn(GROCER), signIn(OTHER)]);
  groceryId = grocer.user.restaurantId ?? "";
  const menu = await call<Schemas["Menu"]>(`/v1/restaurants/${groceryId}/menu`);
  milkId = menu.body.categories.flatMap((c) => c.items).find((i) => i.name === MILK)?.id ?? "";
  expect(milkId).not.toBe("");
  // One place per slot, tomorrow's always open whatever the hour the test runs.
  const templates = [0, 1, 2, 3, 4, 5, 6].flatMap((day) =>
    [
      ["10:00", "11:00"],
      ["12:00", "13:00"],
      ["18:00", "19:00"],
    ].map(([start, end]) => ({ day, start, end, capacity: 1 })),
  );
  const set = await call(`/v1/restaurants/${groceryId}/delivery-slots`, {
    method: "PUT",
    token: grocer.accessToken,
    body: { settings: { templates, cutoffMinutes: 60, daysAhead: 2 } },
  });
  expect(set.status).toBe(200);
  browser = await launchBrowser();
  ({ page } = await openPage(
    browser,
    { ...PHONE, geolocation: { latitude: ADDRESS.lat, longitude: ADDRESS.lng }, permissions: ["geolocation"] },
    pageErrors,
    20_000,
  ));
  await page.goto(customerUrl);
  await page.getByLabel("Email").fill(CUSTOMER.email);
  await page.getByLabel("Password").fill(CUSTOMER.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { name: "Restaurants near you" }).waitFor();
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe("a slot order from the customer app", () => {
  it("offers the grocery's slots, refuses one that fills up while paying, and takes another", async () => {
    const open = (await slots()).filter((s) => s.bookable);
    expect(open.length).toBeGreaterThanOrEqual(3);
    const [taken, wanted, fallback] = open as [Slot, Slot, Slot];
    await fill(taken.id);

    await page.goto(`${customerUrl}/#/r/${groceryId}`);
    await page.getByRole("heading", { name: "Mercearia do Bairro" }).waitFor();
    await page.getByRole("button", { name: `Add ${MILK}` }).click();
    const dialog = page.getByRole("dialog", { name: MILK });
    if (await dialog.isVisible().catch(() => false)) {
      await dialog.getByRole("button", { name: /Add 1 to cart/ }).click();
    }
    await page.getByRole("link", { name: /Cart \(1\)/ }).click();
    await page.getByRole("heading", { name: "Your cart" }).waitFor();
    await page.getByLabel("Street and number").fill(ADDRESS.line1);
    await page.getByLabel("Postcode").fill(ADDRESS.postcode);

    const picker = page.getByTestId("slot-picker");
    await picker.waitFor();
    // The slot another customer took is full and cannot be chosen.
    const full = picker.locator(`input[value="${taken.id}"]`);
    expect(await full.isDisabled()).toBe(true);
    await picker.locator(`label.slot:has(input[value="${taken.id}"])`).getByText("Full").waitFor();
    await picker.locator(`input[value="${wanted.id}"]`).check();
    await page.getByTestId("quote-total").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("slots-01-picker-390");

    // Someone else takes the chosen slot's last place before this customer pays.
    await fill(wanted.id);
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.locator("#pay-error", { hasText: "That slot has just filled up. Choose another one." }).waitFor();
    await picker.locator(`label.slot:has(input[value="${wanted.id}"])`).getByText("Full").waitFor();
    await shot("slots-02-full-refused-390");

    await picker.locator(`input[value="${fallback.id}"]`).check();
    await page.getByTestId("quote-total").waitFor();
    // The app pays through Stripe.js (the stand-in's, decision 43): this customer's card is typed in the
    // browser rather than confirmed by the stand-in on its own.
    const customerId = (await signIn(CUSTOMER)).user.id;
    await fetch(`${stripeUrl}/_standin/manual-payers`, { method: "POST", body: `customer=${customerId}` });
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/#\/pay\/[0-9a-f-]{36}$/);
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM / YY)").fill("12 / 34");
    await page.getByLabel("CVC").fill("123");
    await page.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/#\/orders\/[0-9a-f-]{36}$/);
    const orderId = page.url().split("/").at(-1) ?? "";
    // The order's page says which slot it is for.
    await page
      .getByTestId("order-when")
      .filter({ hasText: /^Delivery slot .+, \d\d:\d\d–\d\d:\d\d$/ })
      .waitFor();
    await shot("slots-05-order-for-a-slot-390");

    // The grocery's board has it, for that slot, not yet released to the shop floor.
    const board = await call<{ orders: Schemas["BoardOrder"][] }>(`/v1/restaurants/${groceryId}/board`, {
      token: grocer.accessToken,
    });
    const onBoard = board.body.orders.find((o) => o.id === orderId);
    expect(onBoard?.deliverySlot?.id).toBe(fallback.id);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("lets a restaurant's order be scheduled for later, in Portuguese", async () => {
    await page.getByLabel("Language").selectOption("pt");
    // Discovery's index is not rebuilt in this set-up; its staff account names the restaurant.
    const burguer = (await signIn({ email: "staff+burguer-da-esquina@demo.test", password: "demo-staff-pass" })).user
      .restaurantId;
    const menu = await call<Schemas["Menu"]>(`/v1/restaurants/${burguer}/menu`);
    const simple = menu.body.categories.flatMap((c) => c.items).find((i) => i.available && i.groups.length === 0);
    expect(simple).toBeDefined();
    await page.goto(`${customerUrl}/#/r/${burguer}`);
    await page.getByRole("button", { name: `Adicionar ${simple?.name}` }).click();
    const dialog = page.getByRole("dialog", { name: simple?.name ?? "" });
    if (await dialog.isVisible().catch(() => false)) {
      await dialog.getByRole("button", { name: /Adicionar 1 ao carrinho/ }).click();
    }
    // Starting another restaurant's cart may ask to replace the grocery's (already paid, so emptied).
    await page.getByRole("link", { name: /Carrinho \(1\)/ }).click();
    const when = page.getByTestId("when-picker");
    await when.getByLabel("Agendar para mais tarde").check();
    await page.getByLabel("Entregar às").waitFor();
    await page.getByTestId("quote-total").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot("slots-03-deliver-at-390-pt");
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot("slots-04-deliver-at-desktop-pt");
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
