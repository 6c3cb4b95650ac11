// Every variable the local platform gives its Worker must reach it. Checked
// against wrangler's own derivation of a Worker's bindings from wrangler.toml
// plus an env file (what `wrangler dev --env-file` does), so a new
// `[secrets]` rule, an undeclared name or a wrangler upgrade that drops
// something fails here, not as "the URL must use https" in a browser test.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { generateDevKeys } from "./dev-keys.ts";
import { ROOT } from "./platform.ts";
import { envFileNames, localWorkerVars, withoutWorkerVars, workerVarChannels } from "./worker-vars.ts";

const CONFIG = join(ROOT, "wrangler.toml");
let dir = "";
let vars: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "worker-vars-"));
  vars = localWorkerVars({
    databaseUrl: "postgres://postgres@127.0.0.1:5432/delivery_check",
    wsProxy: "127.0.0.1:18788",
    keys: await generateDevKeys(),
    stripeUrl: "http://127.0.0.1:12199",
    notifyUrl: "http://127.0.0.1:12198",
    notifyCredentials: { emailApiKey: "SG.check", twilioSid: "AC0check", twilioToken: "check" },
    extra: { CONSOLE_ORIGINS: "http://127.0.0.1:5999", COURIER_MESSAGE_RATE: "100/10" },
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The bindings wrangler derives for the local Worker from wrangler.toml and `envFile`, as wrangler dev would. */
async function bindingsFrom(envFileText: string): Promise<Record<string, unknown>> {
  const envFile = join(dir, `${crypto.randomUUID()}.env`);
  await writeFile(envFile, envFileText);
  // wrangler also reads its own environment (with `secrets` declared); bootPlatform strips these names from it.
  const saved = { ...process.env };
  for (const name of Object.keys(vars)) delete process.env[name];
  try {
    const derived = unstable_getMiniflareWorkerOptions(unstable_readConfig({ config: CONFIG }), undefined, {
      envFiles: [envFile],
    } as Parameters<typeof unstable_getMiniflareWorkerOptions>[2]);
    return (derived.workerOptions.bindings ?? {}) as Record<string, unknown>;
  } finally {
    Object.assign(process.env, saved);
  }
}

/** What wrangler binds for `--var NAME:VALUE`: split at the first colon. */
function cliVars(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    expect(args[i]).toBe("--var");
    const [name, ...rest] = (args[i + 1] ?? "").split(":");
    out[name ?? ""] = rest.join(":");
  }
  return out;
}

describe("the local Worker's variables", () => {
  it("all reach the Worker, through the env file or --var", async () => {
    const channels = workerVarChannels(vars, await envFileNames(CONFIG));
    const bindings = { ...(await bindingsFrom(channels.envFile)), ...cliVars(channels.args) };
    for (const [name, value] of Object.entries(vars)) expect({ name, value: bindings[name] }).toEqual({ name, value });
    // The secrets wrangler.toml requires stay in the env file, out of the process list.
    for (const secret of unstable_readConfig({ config: CONFIG }).secrets?.required ?? []) {
      expect(channels.onCommandLine).not.toContain(secret);
    }
    expect(channels.onCommandLine).toContain("WEBHOOK_ALLOW_LOOPBACK");
  });

  it("would lose the undeclared ones if all went in the env file (why --var is needed)", async () => {
    const everythingInFile = workerVarChannels(vars, new Set(Object.keys(vars)));
    const bindings = await bindingsFrom(everythingInFile.envFile);
    expect(bindings.DATABASE_URL).toBe(vars.DATABASE_URL);
    expect(bindings.WEBHOOK_ALLOW_LOOPBACK).toBeUndefined();
    expect(bindings.VAPID_PRIVATE_JWK).toBeUndefined();
  });

  it("keeps wrangler's own environment from overriding them", () => {
    const env = withoutWorkerVars({ DATABASE_URL: "postgres://elsewhere/db", PATH: "/bin" }, vars);
    expect(env).toEqual({ PATH: "/bin" });
  });
});
