// `npm start` serves every app through Vite; this checks that each app's dev
// server answers with its page and can compile its entry module (a broken
// import or a config that points at the wrong root fails here, not in a
// newcomer's browser).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningWebApp, startWebApps, WEB_APPS } from "./web-apps.ts";

describe("the apps npm start serves", () => {
  let running: RunningWebApp[] = [];
  let stop: () => Promise<void> = async () => {};
  const problems: string[] = [];

  beforeAll(async () => {
    const web = await startWebApps("http://127.0.0.1:8787", (m) => problems.push(m), { anyPort: true });
    running = web.running;
    stop = web.stop;
  }, 60_000);
  afterAll(() => stop());

  it("serves every app listed", () => {
    expect(problems).toEqual([]);
    expect(running.map((r) => r.app.label)).toEqual(WEB_APPS.map((a) => a.label));
  });

  it("answers each app's page and compiles its entry module", async () => {
    for (const { app, url } of running) {
      const page = await fetch(`${url}/`);
      expect(page.status, app.label).toBe(200);
      const html = await page.text();
      const entry = html.match(/<script type="module" src="(\/src\/[^"]+)"/)?.[1];
      expect(entry, `${app.label} names its entry module`).toBeDefined();
      const module = await fetch(`${url}${entry}`);
      expect(module.status, `${app.label} ${entry}`).toBe(200);
      expect(await module.text(), app.label).toMatch(/import .* from "\/@fs\/|import .* from "\//);
    }
  }, 60_000);
});
