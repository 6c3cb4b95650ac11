// What every browser test needs, once: the API as a client (call, signIn),
// Chromium launched the same way, a page on a desktop or a phone whose
// uncaught errors are kept, and screenshots (the folder, and a picture of
// the screen whenever a test fails). The platform itself comes from
// web/e2e/global-setup.ts.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { afterEach, expect, inject } from "vitest";
import type { components } from "../shared/api/schema";
import type {} from "./global-setup.ts";

export type Schemas = components["schemas"];
export type Session = Schemas["Session"];
export interface Credentials {
  email: string;
  password: string;
}

const API_TIMEOUT_MS = 15_000;

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request to the platform's API; the body parsed as JSON when it is JSON, else null. */
export async function call<T>(
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${inject("apiBase")}${path}`, {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(API_TIMEOUT_MS),
  });
  const text = await response.text();
  const json = (response.headers.get("content-type") ?? "").includes("json") && text !== "";
  return { status: response.status, body: (json ? JSON.parse(text) : null) as T, headers: response.headers };
}

export async function signIn(who: Credentials): Promise<Session> {
  const { status, body } = await call<Session>("/v1/auth/sign-in", { method: "POST", body: who });
  expect(status).toBe(200);
  return body;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The Debian Chromium, headless, with nothing of its own reaching the network. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
    timeout: 20_000,
  });
}

const LISBON = { locale: "en-GB", timezoneId: "Europe/Lisbon" } as const;
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1440, height: 900 }, ...LISBON };
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  ...LISBON,
};

/**
 * A page in a context of its own (axe opens a helper page in the same
 * context), waiting `timeoutMs` for the UI by default; uncaught page errors go to `errors`.
 */
export async function openPage(
  browser: Browser,
  options: BrowserContextOptions,
  errors: string[],
  timeoutMs: number,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page };
}

/**
 * The screenshot folder beside the test file (`import.meta.url`), made if
 * missing; what the browser showed when a test failed is saved there as
 * `<failurePrefix><test name>.png`.
 */
export function screenshots(
  testFileUrl: string,
  currentPage: () => Page | undefined = () => undefined,
  failurePrefix = "failed-",
): string {
  const dir = fileURLToPath(new URL("./screenshots/", testFileUrl));
  afterEach(async (context) => {
    const page = currentPage();
    if (context.task.result?.state === "fail" && page) {
      const name = context.task.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      await page.screenshot({ path: `${dir}${failurePrefix}${name}.png`, fullPage: true }).catch(() => {});
    }
  });
  mkdirSync(dir, { recursive: true });
  return dir;
}
