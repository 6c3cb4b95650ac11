// `npm run lighthouse`: page-speed and quality figures for the built customer
// app, the way a phone first meets it. Builds web/customer, serves it like
// Pages (static files, gzip, `/` is index.html), runs Lighthouse's mobile
// preset (simulated slow 4G and a mid-range CPU) in Debian's Chromium, and asks
// Chromium itself whether the app is installable (Lighthouse 12 dropped its
// PWA category). Then the restaurant list and an order's tracking page as a
// signed-in customer sees them, against the platform booted for the purpose
// (signed-in.ts). A benchmark, not a test: figures vary with the machine.
//   npm run lighthouse [-- --json out.json] [-- --first-route-only]
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "chrome-launcher";
import lighthouse from "lighthouse";
import { chromium } from "playwright-core";
import { signedInFigures } from "./signed-in.ts";
import { build, serve } from "./static-app.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Chromium's own verdict: an empty list means it would offer to install the app. */
async function installabilityErrors(url: string): Promise<string[]> {
  // A persistent profile: Chromium never offers to install from an incognito window.
  const profile = await mkdtemp(join(tmpdir(), "customer-install-"));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--headless=new"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    // The service worker registers on load; installability wants it controlling a fetch handler.
    // (A string: this file is type-checked for Node, where `navigator` has no serviceWorker.)
    await page.waitForFunction("navigator.serviceWorker.ready.then(() => true)", null, { timeout: 15_000 });
    const cdp = await browser.newCDPSession(page);
    const result = (await cdp.send("Page.getInstallabilityErrors")) as {
      installabilityErrors: Array<{ errorId: string }>;
    };
    return result.installabilityErrors.map((e) => e.errorId);
  } finally {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const jsonOut = process.argv.includes("--json") ? process.argv[process.argv.indexOf("--json") + 1] : undefined;
  const dir = await mkdtemp(join(tmpdir(), "customer-lighthouse-"));
  const { server, url } = await (async () => {
    await build(dir);
    return serve(dir);
  })();
  const chrome = await launch({
    chromePath: CHROMIUM,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    // The default config is the mobile preset: a Moto G Power's screen, slow 4G and a 4x CPU slowdown, simulated.
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
    });
    if (!result) throw new Error("Lighthouse returned nothing");
    const { categories, audits } = result.lhr;
    const score = (id: string) => Math.round((categories[id]?.score ?? 0) * 100);
    const ms = (id: string) => Math.round(audits[id]?.numericValue ?? 0);
    const items = (audits["network-requests"]?.details as { items?: Array<Record<string, unknown>> } | undefined)
      ?.items;
    const scriptBytes = (items ?? [])
      .filter((r) => r.resourceType === "Script")
      .reduce((sum, r) => sum + Number(r.transferSize ?? 0), 0);
    const installable = await installabilityErrors(url);
    const figures = {
      url: "/ (sign-in, the first route)",
      lighthouse: result.lhr.lighthouseVersion,
      formFactor: result.lhr.configSettings.formFactor,
      performance: score("performance"),
      accessibility: score("accessibility"),
      bestPractices: score("best-practices"),
      seo: score("seo"),
      lcpMs: ms("largest-contentful-paint"),
      fcpMs: ms("first-contentful-paint"),
      totalBlockingTimeMs: ms("total-blocking-time"),
      cls: Number((audits["cumulative-layout-shift"]?.numericValue ?? 0).toFixed(3)),
      scriptKiBGzip: Math.round((scriptBytes / 1024) * 10) / 10,
      installable: installable.length === 0,
      installabilityErrors: installable,
    };
    console.log(JSON.stringify(figures, null, 2));
    chrome.kill();
    server.close();
    const signedIn = process.argv.includes("--first-route-only") ? [] : await signedInFigures(CHROMIUM);
    if (signedIn.length > 0) console.log(JSON.stringify({ signedIn }, null, 2));
    if (jsonOut) await writeFile(jsonOut, `${JSON.stringify({ ...figures, signedIn }, null, 2)}\n`);
  } finally {
    chrome.kill();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
