// Node-side access (migrations, seed, tests' global set-up, benchmarks): the
// same Neon driver as the Workers, given Node's `ws` as its WebSocket.
import { neonConfig } from "@neondatabase/serverless";
import { migrate } from "drizzle-orm/neon-serverless/migrator";
import { WebSocket } from "ws";
import { openDb } from "./client.ts";

neonConfig.webSocketConstructor = WebSocket;

export { openDb };

export const MIGRATIONS_FOLDER = new URL("./migrations", import.meta.url).pathname;

export async function migrateDatabase(databaseUrl: string, wsProxy: string): Promise<void> {
  const { db, close } = openDb({ DATABASE_URL: databaseUrl, NEON_WS_PROXY: wsProxy }, 1);
  try {
    await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await close();
  }
}
