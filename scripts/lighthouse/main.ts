// `npm run lighthouse`: page-speed and quality figures for the built customer
// app, the way a phone first meets it. Builds web/customer, serves it like
// Pages (static files, gzip, `/` is index.html), runs Lighthouse's mobile
// preset (simulated slow 4G and a mid-range CPU) in Debian's Chromium, and asks
// Chromium itself whether the app is installable (Lighthouse 12 dropped its
// PWA category). A benchmark, not a test: figures vary with the machine.
//   npm run lighthouse [-- --json out.json]
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { launch } from "chrome-launcher";
import lighthouse from "lighthouse";
import { chromium } from "playwright-core";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".webmanifest": "application/manifest+json",
  ".json": "application/json",
};

function build(outDir: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      join(ROOT, "node_modules", ".bin", "vite"),
      ["build", "--config", "web/customer/vite.config.ts", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"],
      { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } },
    );
    child.on("exit", (code) => (code === 0 ? done() : fail(new Error(`vite build exited ${code}`))));
  });
}

/** Static files as Pages serves them: compressed, index.html for `/`, nothing outside the build. */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://app").pathname);
    const file = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
    if (!file.startsWith(`${root}${sep}`)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
      const hashed = path.startsWith("/assets/");
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
        ...(gzip ? { "content-encoding": "gzip" } : {}),
      });
      res.end(gzip ? gzipSync(body) : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/` };
}

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
    if (jsonOut) await writeFile(jsonOut, `${JSON.stringify(figures, null, 2)}\n`);
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
