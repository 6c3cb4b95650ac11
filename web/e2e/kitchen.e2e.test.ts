// Running a kitchen from the console, in a real browser (Debian's chromium)
// against the platform brought up by ./global-setup.ts: hours and a pause
// reach discovery at once; an item built in the menu editor (a modifier group
// with a negative delta, labels, a photo) is on the public menu and can be
// ordered; busy mode lengthens the quote customers get; stock runs out; a
// delivery slot is offered. Every screen is checked by axe, at desktop and
// phone width, and photographed.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seriousA11yViolations } from "./a11y.ts";
import { call, DESKTOP, launchBrowser, openPage, type Schemas, type Session, screenshots, signIn } from "./kit.ts";

type Menu = Schemas["Menu"];
type OrderView = Schemas["Order"];
type Found = { restaurants: Schemas["Restaurant"][] };

const consoleUrl = inject("consoleUrl");
const apiBase = inject("apiBase");
const SCREENSHOTS = screenshots(import.meta.url, () => page, "failed-kitchen-");

// A restaurant of its own (open round the clock), so the console's other browser test is not disturbed.
const STAFF = { email: "staff+burguer-da-esquina@demo.test", password: "demo-staff-pass" };
const CUSTOMER = { email: "customer@demo.test", password: "demo-customer-pass" };
const ADDRESS = { line1: "Rua de São Bento 200", city: "Lisboa", postcode: "1200-821", lat: 38.7135, lng: -9.154 };
const NEW_ITEM = "Smash do Chef";
const UI_WAIT_MS = 15_000;

let browser: Browser;
let page: Page;
let staff: Session;
let customer: Session;
let restaurantId: string;
const pageErrors: string[] = [];

/** The restaurant as discovery lists it now. */
async function discovered(): Promise<Schemas["Restaurant"]> {
  // Right after start the index may still be filling (the platform rebuilds it in pages): wait for the row.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body } = await call<Found>(`/v1/restaurants?lat=${ADDRESS.lat}&lng=${ADDRESS.lng}&limit=50`);
    const found = body.restaurants.find((r) => r.id === restaurantId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("the restaurant is not in discovery");
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function place(items: Array<{ itemId: string; quantity: number; optionIds: string[] }>) {
  return call<OrderView>("/v1/orders", {
    method: "POST",
    token: customer.accessToken,
    headers: { "idempotency-key": `kitchen-e2e-${crypto.randomUUID()}` },
    body: { restaurantId, items, deliveryAddress: ADDRESS },
  });
}

async function cancel(orderId: string) {
  const { status } = await call(`/v1/orders/${orderId}/cancel`, {
    method: "POST",
    token: customer.accessToken,
    body: { reason: "kitchen browser test done" },
  });
  expect(status).toBe(200);
}

/** Today's date and weekday (0 = Sunday) in Lisbon, where the restaurant is. */
function lisbonToday(): { date: string; day: number } {
  const now = new Date();
  const date = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Lisbon" }).format(now);
  const weekday = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Lisbon", weekday: "short" }).format(now);
  return { date, day: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(weekday) };
}

async function until(check: () => Promise<boolean>, failure: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(failure);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
const toast = (text: string) => page.locator(".toast", { hasText: text }).first().waitFor();

async function goTo(link: string, heading: string) {
  await page.getByRole("link", { name: link, exact: true }).click();
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
}

beforeAll(async () => {
  const operator = await signIn({ email: "admin@demo.test", password: "demo-admin-pass" });
  [staff, customer] = await Promise.all([signIn(STAFF), signIn(CUSTOMER)]);
  restaurantId = staff.user.restaurantId ?? "";
  expect(restaurantId).not.toBe("");
  // As `npm start` does after booting: the whole discovery index, not only rows other tests' edits refreshed.
  const rebuilt = await call("/v1/admin/discovery/rebuild", { method: "POST", token: operator.accessToken });
  expect(rebuilt.status).toBe(200);
  browser = await launchBrowser();
  ({ page } = await openPage(browser, DESKTOP, pageErrors, UI_WAIT_MS));
  // Deleting asks first; the test says yes.
  page.on("dialog", (dialog) => void dialog.accept());

  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(STAFF.email);
  await page.getByLabel("Password").fill(STAFF.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Live board" }).waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe("running a kitchen from the console", () => {
  it("pauses orders and takes them again; discovery follows at once", async () => {
    expect((await discovered()).openNow).toBe(true);
    await goTo("Hours", "Opening hours");
    await page
      .getByTestId("hours-state")
      .filter({ hasText: /^Taking orders/ })
      .waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel("Pause orders for").selectOption("30");
    await page.getByLabel("Reason (optional)").fill("Oven being cleaned");
    await page.getByRole("button", { name: "Pause orders" }).click();
    await toast("Orders paused for 30 minutes");
    await page.getByTestId("hours-state").filter({ hasText: "paused" }).waitFor();
    const paused = await discovered();
    expect(paused.openNow).toBe(false);
    expect(Date.parse(paused.pausedUntil ?? "") - Date.now()).toBeGreaterThan(28 * 60_000);
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-hours-paused.png`, fullPage: false });

    await page.getByRole("button", { name: "Take orders again" }).click();
    await toast("Taking orders again");
    expect((await discovered()).openNow).toBe(true);
  }, 45_000);

  it("edits the weekly hours with two openings a day, one past midnight, and a special day", async () => {
    const today = lisbonToday();
    // Days well away from today, so the restaurant stays open while the test runs.
    const day = (today.day + 3) % 7;
    const next = (day + 1) % 7;
    const name = DAY_NAMES[day] as string;
    const nextName = DAY_NAMES[next] as string;

    await page.getByRole("button", { name: `Remove opening ${name} 1` }).click();
    await page.getByRole("button", { name: `Add an opening on ${name}` }).click();
    await page.getByRole("button", { name: `Add an opening on ${name}` }).click();
    await page.getByLabel(`${name} 2: opens at`).fill("19:00");
    await page.getByLabel(`${name} 2: closes at`).fill("02:00");
    await page.locator(`li.day[data-day="${day}"] .badge`, { hasText: "past midnight" }).waitFor();
    // The next day starts at ten, after the late opening has ended.
    await page.getByLabel(`${nextName} 1: opens at`).fill("10:00");
    await page.getByLabel(`${nextName} 1: closes at`).fill("23:00");

    await page.getByRole("button", { name: "Add a special day" }).click();
    await page.getByLabel("Date").fill(today.date);
    await page.getByLabel("Note for customers").fill("Staff party");
    await page.getByRole("button", { name: "Save hours" }).click();
    await toast("Hours saved");

    const { body: hours } = await call<Schemas["RestaurantHours"]>(`/v1/restaurants/${restaurantId}/hours`);
    expect(hours.weekly.filter((s) => s.day === day)).toEqual([
      { day, open: "12:00", close: "15:00" },
      { day, open: "19:00", close: "02:00" },
    ]);
    expect(hours.specialDays).toEqual([{ date: today.date, slots: [], note: "Staff party" }]);
    // Closed today by the special day, in discovery at once, and placement refuses.
    const closed = await discovered();
    expect(closed.openNow).toBe(false);
    await page.getByTestId("hours-state").filter({ hasText: "special day" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-hours.png`, fullPage: true });

    await page.getByRole("button", { name: `Remove special day ${today.date}` }).click();
    await page.getByRole("button", { name: "Save hours" }).click();
    // The first save's toast may still be up: wait for what this save changes.
    await page
      .getByTestId("hours-state")
      .filter({ hasText: /^Taking orders/ })
      .waitFor();
    expect((await discovered()).openNow).toBe(true);
  }, 45_000);

  it("builds a category and an item with choices, labels and a photo; customers can order it", async () => {
    await goTo("Menu editor", "Menu editor");
    // A category: create, rename, move up, delete.
    await page.getByLabel("New category").fill("Specials");
    await page.getByRole("button", { name: "Add category" }).click();
    await toast("Category Specials added");
    await page.getByRole("button", { name: "Rename category Specials" }).click();
    await page.getByLabel("Category name").fill("Weekly specials");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await toast("Renamed to Weekly specials");
    await page.getByRole("button", { name: "Move Weekly specials up" }).click();
    await toast("Weekly specials moved");
    const managed = await call<Schemas["ManagedMenu"]>(`/v1/restaurants/${restaurantId}/menu/manage`, {
      token: staff.accessToken,
    });
    const names = managed.body.categories.map((c) => c.name);
    expect(names.at(-2)).toBe("Weekly specials");
    await page.getByRole("button", { name: "Delete category Weekly specials" }).click();
    await toast("Category Weekly specials removed");

    // An item in the first category.
    const first = managed.body.categories[0]?.name as string;
    await page.getByRole("button", { name: `Add an item to ${first}` }).click();
    await page.getByLabel("Name", { exact: true }).fill(NEW_ITEM);
    await page.getByLabel("Price (EUR)").fill("9.50");
    await page.getByLabel("Description").fill("Two smashed patties, pickles, house sauce.");
    await page.getByRole("button", { name: "Create item" }).click();
    await toast(`${NEW_ITEM} added to the menu`);

    await page.getByRole("button", { name: `Edit ${NEW_ITEM}` }).click();
    const editor = page.locator(".item-editor");
    await editor.getByLabel("Milk").check();
    await editor.getByLabel("Spicy").check();
    await editor.getByRole("button", { name: "Save item" }).click();
    await toast(`${NEW_ITEM} saved`);

    // A required sauce, and an optional smaller bun that costs less (a negative delta).
    const newGroup = editor.locator(".new-group");
    await newGroup.getByLabel("Group name").fill("Sauce");
    await newGroup.getByLabel("At least").fill("1");
    await newGroup.getByLabel("At most").fill("1");
    await newGroup.getByLabel("First option").fill("Garlic mayo");
    await newGroup.getByLabel("Price change").fill("0.50");
    await newGroup.getByRole("button", { name: "Add group" }).click();
    await toast("Group Sauce added");
    await newGroup.getByLabel("Group name").fill("Bun");
    await newGroup.getByLabel("At least").fill("0");
    await newGroup.getByLabel("At most").fill("1");
    await newGroup.getByLabel("First option").fill("Small bun");
    await newGroup.getByLabel("Price change").fill("-1.00");
    await newGroup.getByRole("button", { name: "Add group" }).click();
    await toast("Group Bun added");
    const sauce = editor.locator(".group-box").filter({ has: page.locator('input[value="Sauce"]') });
    await sauce.getByLabel("New option").fill("Chipotle");
    await sauce.getByRole("button", { name: "Add option" }).click();
    await toast("Option Chipotle added");

    // A photo, drawn by the browser and resized by the console before upload.
    const png = await page.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 1200;
      canvas.height = 800;
      const g = canvas.getContext("2d") as CanvasRenderingContext2D;
      const gradient = g.createLinearGradient(0, 0, 1200, 800);
      gradient.addColorStop(0, "#c2410c");
      gradient.addColorStop(1, "#fbbf24");
      g.fillStyle = gradient;
      g.fillRect(0, 0, 1200, 800);
      return canvas.toDataURL("image/png").split(",")[1] as string;
    });
    await editor
      .getByLabel("Add a photo")
      .setInputFiles({ name: "smash.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });
    await toast(`Photo of ${NEW_ITEM} saved`);
    // Shown for real: the API lets the console's origin embed it.
    const shown = editor.getByRole("img", { name: `Photo of ${NEW_ITEM}` });
    await shown.waitFor();
    await shown.evaluate((img: HTMLImageElement) => img.decode());
    expect(await shown.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(480);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-menu-editor.png`, fullPage: false });
    await editor.screenshot({ path: `${SCREENSHOTS}kitchen-item-editor.png` });

    // Customers see it all, and can order it.
    const { body: menu } = await call<Menu>(`/v1/restaurants/${restaurantId}/menu`, {
      headers: { "cache-control": "no-cache" },
    });
    const item = menu.categories.flatMap((c) => c.items).find((i) => i.name === NEW_ITEM);
    expect(item).toBeDefined();
    if (!item) return;
    expect(item.priceMinor).toBe(950);
    expect(item.allergens).toEqual(["milk"]);
    expect(item.dietaryTags).toEqual(["spicy"]);
    expect(item.groups.map((g) => [g.name, g.minChoices, g.maxChoices])).toEqual([
      ["Sauce", 1, 1],
      ["Bun", 0, 1],
    ]);
    const options = item.groups.flatMap((g) => g.options);
    expect(options.map((o) => [o.name, o.priceDeltaMinor])).toEqual([
      ["Garlic mayo", 50],
      ["Chipotle", 0],
      ["Small bun", -100],
    ]);
    expect(item.photo?.widths).toEqual([160, 480, 960]);
    const photo = await fetch(`${apiBase}${item.photo?.url}?w=480`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/jpeg");
    expect(photo.headers.get("cache-control")).toContain("immutable");

    const chosen = options.filter((o) => o.name !== "Chipotle").map((o) => o.id);
    const placed = await place([{ itemId: item.id, quantity: 1, optionIds: chosen }]);
    expect(placed.status).toBe(201);
    // 9.50 + 0.50 garlic mayo − 1.00 small bun.
    expect(placed.body.subtotalMinor).toBe(900);
    await cancel(placed.body.id);
  }, 90_000);

  it("sets busy mode by hand: the next customer is quoted a longer prep time", async () => {
    await goTo("Kitchen", "Kitchen");
    const quote = page.getByTestId("kitchen-quote");
    await quote.filter({ hasText: "12 min" }).waitFor();
    expect((await discovered()).quotedPrepMinutes).toBe(12);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByLabel("Busy for").selectOption("30");
    await page.getByRole("button", { name: "Set busy" }).click();
    await toast("Busy mode on");
    await page.getByTestId("kitchen-state").filter({ hasText: "Busy (set by hand)" }).waitFor();
    // The usual 12 minutes and 15 more for being busy.
    await quote.filter({ hasText: "27 min" }).waitFor();
    const busy = await discovered();
    expect(busy.busy).toBe(true);
    expect(busy.quotedPrepMinutes).toBe(27);
    const { body: menu } = await call<Menu>(`/v1/restaurants/${restaurantId}/menu`);
    const plain = menu.categories
      .flatMap((c) => c.items)
      .find((i) => i.available && i.groups.every((g) => g.minChoices === 0));
    if (!plain) throw new Error("no item without required choices");
    const placed = await place([{ itemId: plain.id, quantity: 1, optionIds: [] }]);
    expect(placed.status).toBe(201);
    expect(placed.body.quotedPrepMinutes).toBe(27);
    await cancel(placed.body.id);
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-busy.png`, fullPage: true });

    // A capacity with a refusal when full, saved from the form.
    await page.getByLabel("Orders at once").fill("6");
    await page.getByLabel("When full").selectOption("refuse");
    await page.getByRole("button", { name: "Save capacity" }).click();
    await toast("Capacity saved");
    await quote.filter({ hasText: "New orders are refused" }).waitFor();
    const { body: state } = await call<Schemas["KitchenState"]>(`/v1/restaurants/${restaurantId}/kitchen`);
    expect(state.capacity.maxActiveOrders).toBe(6);
    expect(state.acceptingOrders).toBe(false);

    await page.getByRole("button", { name: "End busy mode" }).click();
    await toast("Busy mode off");
    await quote.filter({ hasText: "12 min" }).waitFor();
    expect((await discovered()).busy).toBe(false);
  }, 45_000);

  it("counts stock down to none, and offers delivery slots with places left", async () => {
    await goTo("Stock & slots", "Stock and delivery slots");
    await page.getByLabel(`Units of ${NEW_ITEM} left`).fill("1");
    await page.getByRole("button", { name: `Set the stock of ${NEW_ITEM}` }).click();
    await toast(`${NEW_ITEM}: 1 left`);

    const { body: menu } = await call<Menu>(`/v1/restaurants/${restaurantId}/menu`, {
      headers: { "cache-control": "no-cache" },
    });
    const item = menu.categories.flatMap((c) => c.items).find((i) => i.name === NEW_ITEM);
    const required = item?.groups[0]?.options[0]?.id;
    if (!item || !required) throw new Error("the new item is not on the menu");
    const first = await place([{ itemId: item.id, quantity: 1, optionIds: [required] }]);
    expect(first.status).toBe(201);
    const second = await place([{ itemId: item.id, quantity: 1, optionIds: [required] }]);
    expect(second.status).toBe(409);
    expect((second.body as unknown as { error: { code: string } }).error.code).toBe("out_of_stock");

    await page.reload();
    await page.locator(`li.stock-row[data-item-id="${item.id}"]`, { hasText: "0 left" }).waitFor();
    // Cancelling gives the unit back.
    await cancel(first.body.id);
    await page.reload();
    await page.locator(`li.stock-row[data-item-id="${item.id}"]`, { hasText: "1 left" }).waitFor();

    // Slots tomorrow morning, two places each.
    const tomorrow = (lisbonToday().day + 1) % 7;
    await page.getByRole("button", { name: "Add slot" }).click();
    await page.getByLabel("Day", { exact: true }).selectOption(String(tomorrow));
    await page.getByLabel("Starts").fill("10:00");
    await page.getByLabel("Ends").fill("12:00");
    await page.getByLabel("Orders", { exact: true }).fill("2");
    await page.getByRole("button", { name: "Deliver in these slots" }).click();
    await toast("Delivery slots saved");
    await page.getByTestId("fulfilment").filter({ hasText: "Customers choose a delivery slot" }).waitFor();
    await page.locator("table tbody tr", { hasText: "2 / 2" }).first().waitFor();
    const { body: slots } = await call<{ fulfilment: string; slots: Schemas["DeliverySlot"][] }>(
      `/v1/restaurants/${restaurantId}/slots`,
    );
    expect(slots.fulfilment).toBe("slots");
    expect(slots.slots.length).toBeGreaterThan(0);
    expect(slots.slots.every((s) => s.capacity === 2)).toBe(true);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-stock.png`, fullPage: true });

    await page.getByRole("button", { name: "Back to on demand" }).click();
    await toast("delivered on demand again");
    expect((await discovered()).fulfilment).toBe("on_demand");
  }, 60_000);

  it("reports the day's sales and top items, and downloads them as CSV", async () => {
    // An order the kitchen accepts: paid through the Stripe stand-in, accepted by staff.
    const { body: menu } = await call<Menu>(`/v1/restaurants/${restaurantId}/menu`);
    const plain = menu.categories
      .flatMap((c) => c.items)
      .find((i) => i.available && i.groups.every((g) => g.minChoices === 0));
    if (!plain) throw new Error("no item without required choices");
    const placed = await place([{ itemId: plain.id, quantity: 2, optionIds: [] }]);
    expect(placed.status).toBe(201);
    const orderId = placed.body.id;
    await call(`/v1/orders/${orderId}/checkout`, { method: "POST", token: customer.accessToken });
    await until(async () => {
      const accepted = await call(`/v1/orders/${orderId}/accept`, {
        method: "POST",
        token: staff.accessToken,
        body: { prepTimeMinutes: 10 },
      });
      return accepted.status === 200;
    }, "the order was never paid");
    // Reports read Postgres, a queue hop behind the Order DO.
    const today = lisbonToday().date;
    await until(async () => {
      const { body } = await call<Schemas["SalesReport"]>(
        `/v1/restaurants/${restaurantId}/reports?from=${today}&to=${today}`,
        { token: staff.accessToken },
      );
      // Other browser tests sell at this restaurant too: wait for this order's own item.
      return body.topItems.some((item) => item.name === plain.name);
    }, "the order never reached the reports");

    await goTo("Reports", "Reports");
    const totals = page.getByTestId("report-totals");
    await totals.getByText(/€/).first().waitFor();
    await page.getByRole("cell", { name: plain.name, exact: true }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-reports.png`, fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download top items as CSV" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^report-items-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const stream = await download.createReadStream();
    let csv = "";
    for await (const chunk of stream) csv += chunk;
    expect(csv.split("\r\n")[0]).toBe("item,quantity,sales");
    expect(csv).toContain(`${plain.name},2,`);
  }, 60_000);

  it("shows what to cook on the board's cards, chimes for a new order, and prints a kitchen ticket", async () => {
    await goTo("Live board", "Live board");
    await page.locator('.connection[data-state="live"]').waitFor();
    const alerts = page.getByTestId("order-alerts");
    await alerts.click();
    await page.getByRole("button", { name: "Sound and notifications: on" }).waitFor();
    expect(await alerts.getAttribute("aria-pressed")).toBe("true");

    const { body: menu } = await call<Menu>(`/v1/restaurants/${restaurantId}/menu`);
    const item = menu.categories.flatMap((c) => c.items).find((i) => i.name === NEW_ITEM);
    const sauce = item?.groups[0]?.options[0];
    if (!item || !sauce) throw new Error("the new item is not on the menu");
    const placed = await place([{ itemId: item.id, quantity: 1, optionIds: [sauce.id] }]);
    expect(placed.status).toBe(201);
    await call(`/v1/orders/${placed.body.id}/checkout`, { method: "POST", token: customer.accessToken });
    const card = page.locator(`a.order-card[data-order-id="${placed.body.id}"][data-status="paid"]`);
    await card.waitFor({ timeout: 20_000 });
    await card.locator(".card-items", { hasText: `1× ${NEW_ITEM} (${sauce.name})` }).waitFor();
    await toast("New order");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-board.png`, fullPage: false });

    await card.click();
    await page.getByRole("button", { name: "Print kitchen ticket" }).waitFor();
    await page.emulateMedia({ media: "print" });
    try {
      const ticket = page.locator(".kitchen-ticket");
      expect(await ticket.isVisible()).toBe(true);
      expect(await ticket.textContent()).toContain(`1× ${NEW_ITEM}`);
      await page.screenshot({ path: `${SCREENSHOTS}kitchen-ticket-print.png`, fullPage: false });
    } finally {
      await page.emulateMedia({ media: "screen" });
    }
    expect(await page.locator(".kitchen-ticket").isVisible()).toBe(false);
    // A new, paid order is turned down with a reject, not a cancel.
    const rejected = await call(`/v1/orders/${placed.body.id}/reject`, {
      method: "POST",
      token: staff.accessToken,
      body: { reason: "kitchen browser test done" },
    });
    expect(rejected.status).toBe(200);

    // An order for later, as the customer places it: on the board with when it is for, before the kitchen starts.
    const forLater = new Date(Date.now() + 3 * 3600_000);
    forLater.setSeconds(0, 0);
    const scheduled = await call<OrderView>("/v1/orders", {
      method: "POST",
      token: customer.accessToken,
      headers: { "idempotency-key": `kitchen-e2e-${crypto.randomUUID()}` },
      body: {
        restaurantId,
        items: [{ itemId: item.id, quantity: 1, optionIds: [sauce.id] }],
        deliveryAddress: ADDRESS,
        scheduledFor: forLater.toISOString(),
      },
    });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(201);
    expect(scheduled.body.scheduledFor).toBe(forLater.toISOString());
    await call(`/v1/orders/${scheduled.body.id}/checkout`, { method: "POST", token: customer.accessToken });
    const later = page.locator(`a.order-card[data-order-id="${scheduled.body.id}"]`);
    await later.locator(".badge.scheduled", { hasText: "For " }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${SCREENSHOTS}kitchen-board-scheduled.png`, fullPage: false });
    await cancel(scheduled.body.id);
  }, 90_000);

  it("fits a phone's screen and speaks Portuguese on every new screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [link, heading, shot] of [
        ["Hours", "Opening hours", "hours"],
        ["Menu editor", "Menu editor", "menu-editor"],
        ["Kitchen", "Kitchen", "kitchen"],
        ["Stock & slots", "Stock and delivery slots", "stock"],
        ["Reports", "Reports", "reports"],
      ] as const) {
        await goTo(link, heading);
        await page.locator("main .panel").first().waitFor();
        if (shot === "menu-editor") await page.getByRole("button", { name: `Edit ${NEW_ITEM}` }).click();
        expect(await overflow(), `${link} overflows at 390 px`).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `${SCREENSHOTS}kitchen-${shot}-phone.png`, fullPage: true });
      }
      await page.getByRole("combobox", { name: "Language" }).selectOption("pt");
      await page.getByRole("heading", { name: "Relatórios", level: 1 }).waitFor();
      await goTo("Horário", "Horário de funcionamento");
      await page.getByRole("heading", { name: "Dias especiais" }).waitFor();
      expect(await overflow()).toBeLessThanOrEqual(0);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.screenshot({ path: `${SCREENSHOTS}kitchen-hours-pt-phone.png`, fullPage: true });
      await goTo("Cozinha", "Cozinha");
      await page.getByText("Tempo de preparação do próximo pedido").waitFor();
      await page.getByRole("combobox", { name: "Idioma" }).selectOption("en");
      await page.getByRole("heading", { name: "Kitchen", level: 1 }).waitFor();
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  }, 60_000);

  it("raised no errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
