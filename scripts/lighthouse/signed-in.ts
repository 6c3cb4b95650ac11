// The signed-in half of `npm run lighthouse`: the restaurant list and an
// order's tracking page as a signed-in customer sees them. Boots the platform
// through the boot module (free ports, a throwaway database with the demo
// city), builds the customer app against it, signs the demo customer in
// through the app in a Chromium started with a debugging port (so the session
// lands in that profile's localStorage exactly as the app stores it), places
// and pays an order for the tracking page, then points Lighthouse at the same
// Chromium without resetting storage.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "chrome-launcher";
import lighthouse from "lighthouse";
import { chromium } from "playwright-core";
import { generateDevKeys } from "../dev/dev-keys.ts";
import { bootPlatform, freePort, type Platform } from "../dev/platform.ts";
import { build, serve } from "./static-app.ts";

const CUSTOMER = { email: "customer@demo.test", password: "demo-customer-pass" };
/** Forno Napoletano's corner of the demo city, and a drop-off it delivers to. */
const NEAR_FORNO = { lat: 38.7168, lng: -9.1503 };
const ADDRESS = { line1: "Rua de São Bento 200", city: "Lisboa", postcode: "1200-821", lat: 38.7135, lng: -9.154 };

export interface PageFigures {
  page: string;
  performance: number;
  lcpMs: number;
  fcpMs: number;
  /** The page's LCP candidates in paint order (the last one is the LCP element), seen in an unthrottled load. */
  lcpCandidates?: string[];
  totalBlockingTimeMs: number;
  scriptKiBGzip: number;
}

async function api<T>(platform: Platform, path: string, init: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${platform.apiBase}${path}`, {
    method: init.body === undefined ? "GET" : "POST",
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body === undefined
        ? {}
        : { "content-type": "application/json", "idempotency-key": crypto.randomUUID() }),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface MenuItem {
  id: string;
  available: boolean;
  groups: Array<{ minChoices: number; options: Array<{ id: string; available: boolean }> }>;
}

/** A paid order at Forno Napoletano: its tracking page has a timeline, a map and an ETA to draw. */
async function paidOrder(platform: Platform, token: string): Promise<string> {
  const list = await api<{ restaurants: Array<{ id: string; slug: string }> }>(
    platform,
    `/v1/restaurants?lat=${NEAR_FORNO.lat}&lng=${NEAR_FORNO.lng}&limit=100`,
  );
  const forno = list.restaurants.find((r) => r.slug === "forno-napoletano")?.id;
  if (!forno) throw new Error("Forno Napoletano is not in discovery");
  const menu = await api<{ categories: Array<{ items: MenuItem[] }> }>(platform, `/v1/restaurants/${forno}/menu`);
  const item = menu.categories.flatMap((c) => c.items).find((i) => i.available);
  if (!item) throw new Error("no available item");
  const optionIds = item.groups.flatMap((g) =>
    g.options
      .filter((o) => o.available)
      .slice(0, g.minChoices)
      .map((o) => o.id),
  );
  const placed = await api<{ id: string }>(platform, "/v1/orders", {
    token,
    body: { restaurantId: forno, items: [{ itemId: item.id, quantity: 1, optionIds }], deliveryAddress: ADDRESS },
  });
  await api(platform, `/v1/orders/${placed.id}/checkout`, { token, body: {} });
  for (let i = 0; i < 60; i++) {
    const view = await api<{ order: { status: string } }>(platform, `/v1/orders/${placed.id}`, { token });
    if (view.order.status !== "placed") return placed.id;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("the order was not paid");
}

async function measure(url: string, port: number, name: string): Promise<PageFigures> {
  // The mobile preset (a Moto G Power's screen, slow 4G, 4x CPU slowdown, simulated); storage kept: signed in.
  const result = await lighthouse(url, {
    port,
    output: "json",
    logLevel: "error",
    onlyCategories: ["performance"],
    disableStorageReset: true,
  });
  if (!result) throw new Error("Lighthouse returned nothing");
  if (process.env.LIGHTHOUSE_REPORTS) {
    const file = join(process.env.LIGHTHOUSE_REPORTS, `${name.split(" ")[0]?.replace(/[^a-z]/gi, "") || "page"}.json`);
    await writeFile(file, JSON.stringify(result.lhr));
  }
  const { categories, audits } = result.lhr;
  const items = (audits["network-requests"]?.details as { items?: Array<Record<string, unknown>> } | undefined)?.items;
  const scriptBytes = (items ?? [])
    .filter((r) => r.resourceType === "Script")
    .reduce((sum, r) => sum + Number(r.transferSize ?? 0), 0);
  return {
    page: name,
    performance: Math.round((categories.performance?.score ?? 0) * 100),
    lcpMs: Math.round(audits["largest-contentful-paint"]?.numericValue ?? 0),
    fcpMs: Math.round(audits["first-contentful-paint"]?.numericValue ?? 0),
    totalBlockingTimeMs: Math.round(audits["total-blocking-time"]?.numericValue ?? 0),
    scriptKiBGzip: Math.round((scriptBytes / 1024) * 10) / 10,
  };
}

/**
 * Which element is the LCP, from the browser's own PerformanceObserver in a plain (unthrottled) load:
 * Lighthouse 12's LCP-element audit fails in Debian's Chromium (its TraceElements gatherer errors).
 */
async function lcpCandidates(port: number, url: string): Promise<string[]> {
  const driver = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  try {
    const context = driver.contexts()[0];
    if (!context) throw new Error("no default browser context");
    const page = await context.newPage();
    await page.addInitScript(`
      window.__lcp = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const el = e.element;
          const text = el ? (el.textContent || "").trim().slice(0, 50) : "";
          window.__lcp.push(Math.round(e.startTime) + " ms " + (el ? el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : "") : "?") + " " + JSON.stringify(text) + " " + e.size + " px²");
        }
      }).observe({ type: "largest-contentful-paint", buffered: true });
    `);
    await page.goto(url);
    await page.waitForTimeout(4000);
    const found = (await page.evaluate("window.__lcp")) as string[];
    await page.close();
    return found;
  } finally {
    await driver.close();
  }
}

/**
 * A first visit's cost: the signed-in session (localStorage) stays; what an earlier load left in
 * the HTTP cache and the service worker's cache does not (Lighthouse keeps all of it when told not
 * to reset storage).
 */
async function forgetCaches(port: number, origin: string): Promise<void> {
  const driver = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  try {
    const context = driver.contexts()[0];
    if (!context) throw new Error("no default browser context");
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Storage.clearDataForOrigin", { origin, storageTypes: "service_workers,cache_storage" });
    await cdp.send("Network.clearBrowserCache");
    await page.close();
  } finally {
    await driver.close();
  }
}

export async function signedInFigures(chromiumPath: string): Promise<PageFigures[]> {
  const stateDir = await mkdtemp(join(tmpdir(), "lighthouse-platform-"));
  const appDir = await mkdtemp(join(tmpdir(), "lighthouse-app-"));
  const appPort = await freePort();
  const appOrigin = `http://127.0.0.1:${appPort}`;
  const platform = await bootPlatform({
    database: { kind: "test", name: `lighthouse_${process.pid}` },
    stateDir,
    keys: await generateDevKeys(),
    seed: { passwordIterations: 1000 },
    stripe: { autoConfirmDelayMs: 50 },
    vars: { CONSOLE_ORIGINS: appOrigin },
    wranglerLogLevel: "warn",
    prefix: "[lighthouse]",
  });
  const stops: Array<() => unknown> = [() => platform.stop(), () => rm(stateDir, { recursive: true, force: true })];
  try {
    await build(appDir, { VITE_API_BASE: platform.apiBase });
    const { server } = await serve(appDir, appPort);
    stops.push(
      () => server.close(),
      () => rm(appDir, { recursive: true, force: true }),
    );
    const session = await api<{ accessToken: string }>(platform, "/v1/auth/sign-in", { body: CUSTOMER });
    const orderId = await paidOrder(platform, session.accessToken);

    const chrome = await launch({
      chromePath: chromiumPath,
      chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    stops.push(() => chrome.kill());
    // Signed in through the app itself, so the stored session is exactly what the app writes.
    const driver = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
    const context = driver.contexts()[0];
    if (!context) throw new Error("no default browser context");
    const page = await context.newPage();
    await page.goto(`${appOrigin}/`);
    await page.getByLabel("Email").fill(CUSTOMER.email);
    await page.getByLabel("Password").fill(CUSTOMER.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { name: "Restaurants near you" }).waitFor({ timeout: 30_000 });
    await page.close();
    // Only the connection ends: the browser, and its profile's localStorage, stay for Lighthouse.
    await driver.close();

    const restaurantList = `${appOrigin}/#/`;
    const tracking = `${appOrigin}/#/orders/${orderId}`;
    await forgetCaches(chrome.port, appOrigin);
    const list = await measure(restaurantList, chrome.port, "#/ restaurant list (signed in)");
    await forgetCaches(chrome.port, appOrigin);
    const track = await measure(tracking, chrome.port, "#/orders/<id> tracking (signed in, paid order)");
    list.lcpCandidates = await lcpCandidates(chrome.port, restaurantList);
    track.lcpCandidates = await lcpCandidates(chrome.port, tracking);
    return [list, track];
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
  }
}
