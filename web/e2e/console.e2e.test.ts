// The console in a real browser (Debian's chromium through playwright-core)
// against the whole platform brought up by ./global-setup.ts: a customer's
// order, placed and paid through the API, reaches the kitchen's live board
// without a reload; staff accept it in the UI; a menu switch reaches the
// public menu; a wrong password shows the API's own message.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDb } from "../../db/node.ts";
import { deadLetters } from "../../db/schema.ts";
import { seriousA11yViolations as axeViolations } from "./a11y.ts";
import { call, DESKTOP, launchBrowser, openPage, type Schemas, type Session, screenshots, signIn } from "./kit.ts";

type Menu = Schemas["Menu"];
type OrderView = Schemas["Order"];
type OrderPage = Schemas["OrderPage"];
type OrderDetail = { order: OrderView; timeline: Schemas["OrderEvent"][] };

const consoleUrl = inject("consoleUrl");
const SCREENSHOTS = screenshots(import.meta.url, () => page);

const STAFF = { email: "staff+forno-napoletano@demo.test", password: "demo-staff-pass" };
const CUSTOMER = { email: "customer@demo.test", password: "demo-customer-pass" };
/** Near the restaurant (Príncipe Real) and inside the demo zone. */
const ADDRESS = {
  line1: "Rua de São Bento 200",
  city: "Lisboa",
  postcode: "1200-821",
  lat: 38.7135,
  lng: -9.154,
  instructions: "Ring twice",
};
const UI_WAIT_MS = 15_000;

let browser: Browser;
let page: Page;
let staff: Session;
let customer: Session;
let restaurantId: string;
let orderId: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  [staff, customer] = await Promise.all([signIn(STAFF), signIn(CUSTOMER)]);
  restaurantId = staff.user.restaurantId ?? "";
  expect(restaurantId).not.toBe("");
  browser = await launchBrowser();
  ({ page } = await openPage(browser, DESKTOP, pageErrors, UI_WAIT_MS));
}, 40_000);

afterAll(async () => {
  await browser?.close();
});

/** Accessibility problems axe rates serious or critical on the page as it is now. */
const seriousA11yViolations = (): Promise<string[]> => axeViolations(page);

/** A cart line of the first item with options: every required choice, plus one optional extra to show on the ticket. */
function cartFrom(menu: Menu) {
  const item = menu.categories.flatMap((c) => c.items).find((i) => i.available && i.groups.length > 1);
  if (!item) throw new Error("the demo menu has no item with options");
  const required = item.groups.filter((g) => g.minChoices > 0).map((g) => g.options.find((o) => o.available)?.id);
  const extra = item.groups.find((g) => g.minChoices === 0)?.options.find((o) => o.available)?.id;
  const optionIds = [...required, extra].filter((id): id is string => id !== undefined);
  return { itemId: item.id, name: item.name, optionIds };
}

describe("restaurant console", () => {
  it("shows the API's error message for a wrong password", async () => {
    await page.goto(consoleUrl);
    await page.getByLabel("Email").fill(STAFF.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#sign-in-error", { hasText: "Email or password is wrong." }).waitFor();
    expect(await page.getByRole("heading", { name: "Sign in to the console" }).isVisible()).toBe(true);
    expect(await seriousA11yViolations()).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}sign-in.png` });
  }, 30_000);

  it("shows a paid order live on the board, and staff accept it with a prep time", async () => {
    await page.getByLabel("Password").fill(STAFF.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator('.connection[data-state="live"]').waitFor();

    const { body: menu } = await call<Menu>(`/v1/restaurants/${restaurantId}/menu`);
    const cart = cartFrom(menu);
    const placed = await call<OrderView>("/v1/orders", {
      method: "POST",
      token: customer.accessToken,
      headers: { "idempotency-key": `console-e2e-${crypto.randomUUID()}` },
      body: {
        restaurantId,
        items: [{ itemId: cart.itemId, quantity: 2, optionIds: cart.optionIds }],
        deliveryAddress: ADDRESS,
        tipMinor: 100,
      },
    });
    expect(placed.status).toBe(201);
    orderId = placed.body.id;
    // The stand-in confirms the PaymentIntent and sends the signed webhook; the board hears the rest.
    const checkout = await call(`/v1/orders/${orderId}/checkout`, { method: "POST", token: customer.accessToken });
    expect(checkout.status).toBe(200);

    const card = page.locator(`a.order-card[data-order-id="${orderId}"]`);
    await page.locator(`a.order-card[data-order-id="${orderId}"][data-status="paid"]`).waitFor({ timeout: 20_000 });
    await page.locator(".toast", { hasText: "New order" }).waitFor();

    await card.click();
    const detail = page.locator("section.detail");
    await detail.getByText(cart.name).waitFor();
    await detail.getByLabel("Prep time").fill("20");
    await detail.getByRole("button", { name: "Accept", exact: true }).click();

    await page.locator(`a.order-card[data-order-id="${orderId}"][data-status="accepted"]`).waitFor();
    await detail.getByRole("button", { name: "Start preparing" }).waitFor();
    await detail.getByText("Accepted", { exact: true }).last().waitFor();

    const after = await call<OrderDetail>(`/v1/orders/${orderId}`, { token: staff.accessToken });
    expect(after.status).toBe(200);
    expect(after.body.order.status).toBe("accepted");
    expect(after.body.order.prepTimeMinutes).toBe(20);
    expect(after.body.timeline.map((e) => e.type)).toContain("order.accepted");

    expect(await seriousA11yViolations()).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}board.png`, fullPage: true });
  }, 45_000);

  it("speaks Portuguese when asked, and remembers it", async () => {
    await page.getByRole("combobox", { name: "Language" }).selectOption("pt");
    await page.getByRole("heading", { name: "Quadro ao vivo" }).waitFor();
    await page.getByRole("link", { name: "Pedidos anteriores" }).waitFor();
    await page.locator(`a.order-card[data-order-id="${orderId}"] .badge`, { hasText: "Aceite" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("pt");
    await page.screenshot({ path: `${SCREENSHOTS}board-pt.png`, fullPage: true });
    await page.reload();
    await page.getByRole("heading", { name: "Quadro ao vivo" }).waitFor();
    await page.getByRole("combobox", { name: "Idioma" }).selectOption("en");
    await page.getByRole("heading", { name: "Live board" }).waitFor();
  }, 30_000);

  it("fits a phone's screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.locator('.connection[data-state="live"]').waitFor();
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOTS}board-phone.png`, fullPage: true });
      await page.getByRole("link", { name: "Menu", exact: true }).click();
      await page.getByRole("heading", { name: "Menu availability" }).waitFor();
      await page.getByRole("switch").first().waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOTS}menu-phone.png` });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  }, 30_000);

  it("takes an item off the menu with its switch, and changes a price", async () => {
    await page.getByRole("link", { name: "Menu", exact: true }).click();
    const toggle = page.getByRole("switch", { name: "Tiramisù available" });
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await page.locator(".toast", { hasText: "Tiramisù is now unavailable" }).waitFor();

    await page.getByRole("button", { name: "Change the price of Burrata" }).click();
    await page.getByLabel("Price of Burrata in EUR").fill("10.50");
    await page.getByRole("button", { name: "Save" }).click();
    await page.locator(".toast", { hasText: "Burrata now costs" }).waitFor();

    const { status, body } = await call<Menu>(`/v1/restaurants/${restaurantId}/menu`);
    expect(status).toBe(200);
    const items = body.categories.flatMap((c) => c.items);
    expect(items.find((i) => i.name === "Tiramisù")?.available).toBe(false);
    expect(items.find((i) => i.name === "Burrata")?.priceMinor).toBe(1050);
    await page.screenshot({ path: `${SCREENSHOTS}menu.png`, fullPage: false });
  }, 30_000);

  it("lists the order under past orders once the projection has it", async () => {
    // The list reads Postgres, which trails the Order DO by a queue hop.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { body } = await call<OrderPage>(`/v1/restaurants/${restaurantId}/orders`, { token: staff.accessToken });
      if (body.orders.some((o) => o.id === orderId)) break;
      if (Date.now() > deadline) throw new Error("the order never reached the restaurant's order list");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await page.getByRole("link", { name: "Past orders" }).click();
    const ref = `#${orderId.replace(/-/g, "").slice(0, 6).toUpperCase()}`;
    await page.getByRole("link", { name: ref }).click();
    await page.getByRole("heading", { name: `Order ${ref}` }).waitFor();
    await page.locator("section.detail .badge", { hasText: "Accepted" }).waitFor();
    await page.getByRole("link", { name: "← Past orders" }).click();
    await page.getByRole("link", { name: ref }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}history.png`, fullPage: false });
  }, 30_000);

  it("shows the restaurant's money, and sends staff to Stripe onboarding", async () => {
    await page.getByRole("link", { name: "Money" }).click();
    await page.getByRole("heading", { name: "Money", exact: true }).waitFor();
    await page.getByText("Owed to you").first().waitFor();
    await page.getByRole("heading", { name: "Payouts" }).waitFor();
    expect(await seriousA11yViolations()).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}money.png`, fullPage: false });
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SCREENSHOTS}money-phone.png`, fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
    // The button opens Stripe's onboarding link, which would come back to this screen; the browser is
    // stopped at the link (204) so the session carries on (workers/ledger/payouts.test.ts finishes onboarding).
    let onboardingUrl = "";
    await page.route("**/connect/onboarding/**", async (route) => {
      onboardingUrl = route.request().url();
      await route.fulfill({ status: 204 });
    });
    try {
      await page.getByRole("button", { name: "Set up payouts" }).click();
      await expect.poll(() => onboardingUrl, { timeout: UI_WAIT_MS }).toContain("/connect/onboarding/acct_");
      expect(new URL(onboardingUrl).searchParams.get("return_url")).toMatch(/#\/money$/);
    } finally {
      await page.unroute("**/connect/onboarding/**");
    }
  }, 30_000);

  it("lets an operator replay a dead letter", async () => {
    const { db, close } = openDb({ DATABASE_URL: inject("e2eDatabaseUrl"), NEON_WS_PROXY: inject("e2eWsProxy") }, 1);
    const [letter] = await db
      .insert(deadLetters)
      .values({
        // As the consumer parks a message that failed every retry; replaying this one is harmless.
        queue: "events",
        messageId: `console-e2e-${crypto.randomUUID()}`,
        body: { kind: "restaurant_changed", restaurantId },
        attempts: 6,
      })
      .returning({ id: deadLetters.id })
      .finally(close);
    if (!letter) throw new Error("no dead letter inserted");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Email").fill("admin@demo.test");
    await page.getByLabel("Password").fill("demo-admin-pass");
    await page.getByRole("button", { name: "Sign in" }).click();
    // Operators land on the overview; the dead letters are one of their screens.
    await page.getByRole("heading", { name: "Health at a glance" }).waitFor();
    await page.getByRole("navigation").getByRole("link", { name: "Dead letters" }).click();
    await page.getByRole("heading", { name: "Dead letters" }).waitFor();
    // Beside the dead letters, whether Postgres is in step with the Order DOs (no order lags here).
    await page.locator(".projection-status.in-step", { hasText: "Postgres is in step" }).waitFor();
    await page.getByRole("button", { name: `Replay dead letter ${letter.id}` }).click();
    await page.locator(".toast", { hasText: `Dead letter ${letter.id} sent back` }).waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}dead-letters.png`, fullPage: false });

    const admin = await signIn({ email: "admin@demo.test", password: "demo-admin-pass" });
    const all = await call<{ deadLetters: Array<{ id: number; replayedAt: string | null }> }>(
      "/v1/admin/dead-letters?pending=false",
      { token: admin.accessToken },
    );
    expect(all.body.deadLetters.find((d) => d.id === letter.id)?.replayedAt).not.toBeNull();
  }, 30_000);

  it("turns customers away with a reason", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Email").fill(CUSTOMER.email);
    await page.getByLabel("Password").fill(CUSTOMER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#sign-in-error", { hasText: "This console is for restaurant staff and operators." }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("edge-delivery.console.session"))).toBeNull();
  }, 30_000);

  it("raised no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
