// The API reference (/v1/docs) in Chromium with the network cut off at the
// machine's edge: every request to a host other than this one is aborted and
// recorded. The page must render every operation from what the Worker serves
// alone, try to reach nothing else, and break none of its own CSP.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import committed from "../shared/api/openapi.json";
import { launchBrowser, screenshots } from "./kit.ts";

const apiBase = inject("apiBase");
const SCREENSHOTS = screenshots(import.meta.url);
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 40_000);

afterAll(async () => {
  await browser?.close();
});

describe("the API reference", () => {
  it("renders the operation list offline, from this Worker alone", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const offHost: string[] = [];
    await context.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (LOCAL_HOSTS.has(url.hostname) || url.protocol === "data:") return route.continue();
      offHost.push(url.href);
      return route.abort("internetdisconnected");
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });

    const response = await page.goto(`${apiBase}/v1/docs`);
    expect(response?.status()).toBe(200);
    await page
      .locator(".opblock")
      .first()
      .waitFor({ timeout: 20_000 })
      .catch(async (error: unknown) => {
        await page.screenshot({ path: `${SCREENSHOTS}failed-api-docs.png` });
        throw new Error(`${String(error)}\nproblems: ${problems.join("\n")}\noff host: ${offHost.join(", ")}`);
      });

    const operations = Object.values(committed.paths).flatMap((item) => Object.keys(item));
    // With this many operations Swagger UI renders only the tag sections near the
    // viewport, so the whole list is read by scrolling it to the end.
    const rendered = new Set<string>();
    for (let idle = 0, step = 0; idle < 5 && step < 600; step++) {
      const before = rendered.size;
      for (const id of await page.locator(".opblock").evaluateAll((els) => els.map((e) => e.id))) rendered.add(id);
      const atEnd = await page.evaluate(() => {
        window.scrollBy(0, window.innerHeight * 0.8);
        return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
      });
      idle = atEnd && rendered.size === before ? idle + 1 : 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rendered.size).toBe(operations.length);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByText("Sign in with email and password").first().waitFor();
    expect(await page.locator(".info .title").textContent()).toContain("Edge Delivery API");

    // One operation opened: its parameters and responses render too.
    await page.locator("#operations-discovery-listRestaurants .opblock-summary-control").click();
    await page.locator("#operations-discovery-listRestaurants .parameters").waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}api-docs.png` });

    expect(offHost).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
