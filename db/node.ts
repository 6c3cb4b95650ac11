// Node-side access (migrations, seed, tests' global set-up, benchmarks): the
// same Neon driver as the Workers, given Node's `ws` as its WebSocket.
import { neonConfig } from "@neondatabase/serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { WebSocket } from "ws";
import { openDb } from "./client.ts";

neonConfig.webSocketConstructor = WebSocket;

export { openDb };

export const MIGRATIONS_FOLDER = new URL("./migrations", import.meta.url).pathname;

export async function migrateDatabase(databaseUrl: string, wsProxy: string | undefined): Promise<void> {
  const { db, close } = openDb({ DATABASE_URL: databaseUrl, NEON_WS_PROXY: wsProxy }, 1);
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await close();
  }
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * How a Node script reaches `databaseUrl`: a local server goes through a
 * proxy started for the duration of the script; Neon is reached directly.
 */
export async function withDatabaseAccess<T>(
  databaseUrl: string,
  run: (access: { databaseUrl: string; wsProxy: string | undefined }) => Promise<T>,
): Promise<T> {
  if (!LOOPBACK_HOSTS.has(new URL(databaseUrl).hostname)) return run({ databaseUrl, wsProxy: undefined });
  const { startWsProxy } = await import("../scripts/dev/ws-proxy.ts");
  const proxy = await startWsProxy();
  try {
    return await run({ databaseUrl, wsProxy: `127.0.0.1:${proxy.port}` });
  } finally {
    await proxy.close();
  }
}
