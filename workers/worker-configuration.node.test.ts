// Runs in Node: the bindings file (worker-configuration.d.ts) is what
// `wrangler types` makes of wrangler.toml today. Fails after a change to
// wrangler.toml until `npm run types:generate` is run and its result committed.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("worker-configuration.d.ts", () => {
  it("is up to date with wrangler.toml", async () => {
    // The same command as `npm run types:check`, through npm so wrangler gets the Node it needs.
    const run = promisify(execFile)("npm", ["run", "-s", "types:check"], {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    });
    await expect(run.then(({ stdout }) => stdout)).resolves.toContain("up to date");
  }, 60_000);
});
