// The browser apps `npm start` serves beside the API: each app's own Vite dev
// server (hot reload while you edit), on the port its vite.config.ts names and
// the local Worker's CONSOLE_ORIGINS allows. One list, so a new app under web/
// is one line here and one origin in wrangler.toml.
import { join } from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { ROOT } from "./platform.ts";

export interface WebApp {
  /** What the banner calls it. */
  label: string;
  /** Its vite.config.ts, relative to the repository root. */
  config: string;
  /** The port its vite.config.ts pins (strictPort), for the banner. */
  port: number;
  /** Who signs in there, for the banner. */
  who: string;
}

export const WEB_APPS: readonly WebApp[] = [
  { label: "Console", config: "web/console/vite.config.ts", port: 5173, who: "restaurant staff and operators" },
  { label: "Courier app", config: "web/courier/vite.config.ts", port: 5174, who: "couriers" },
];

export interface RunningWebApp {
  app: WebApp;
  url: string;
}

/**
 * Starts every app's dev server; an app whose port is taken is reported and
 * skipped rather than failing the whole platform (another `npm run web:dev`
 * may already be serving it).
 */
export async function startWebApps(
  apiBase: string,
  log: (message: string) => void,
  /** Tests serve on free ports (0) instead of the pinned ones. */
  options: { anyPort?: boolean } = {},
): Promise<{ running: RunningWebApp[]; stop: () => Promise<void> }> {
  const servers: ViteDevServer[] = [];
  const running: RunningWebApp[] = [];
  // The apps read the API's origin from VITE_API_BASE at build (and dev) time.
  process.env.VITE_API_BASE ??= apiBase;
  for (const app of WEB_APPS) {
    try {
      const server = await createServer({
        configFile: join(ROOT, app.config),
        logLevel: "warn",
        clearScreen: false,
        ...(options.anyPort ? { server: { port: 0, strictPort: false } } : {}),
      });
      await server.listen();
      servers.push(server);
      const url = server.resolvedUrls?.local[0]?.replace(/\/$/, "") ?? `http://127.0.0.1:${app.port}`;
      running.push({ app, url });
    } catch (error) {
      log(`${app.label} not served: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    running,
    stop: async () => {
      await Promise.allSettled(servers.map((s) => s.close()));
    },
  };
}
