// `tsx db/seed/main.ts`: migrates and seeds the database named by
// DATABASE_URL. The Neon driver only speaks WebSocket, so this starts its own
// proxy in front of the server for the duration of the run.
import { startWsProxy } from "../../scripts/dev/ws-proxy.ts";
import { migrateDatabase, openDb } from "../node.ts";
import { seedDemoCity } from "./index.ts";

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set (npm start seeds the embedded database by itself).");
    process.exitCode = 2;
    return;
  }
  const proxy = await startWsProxy();
  const wsProxy = `127.0.0.1:${proxy.port}`;
  try {
    await migrateDatabase(databaseUrl, wsProxy);
    const { db, close } = openDb({ DATABASE_URL: databaseUrl, NEON_WS_PROXY: wsProxy }, 1);
    try {
      const summary = await seedDemoCity(db);
      console.log(`Seeded ${summary.city}:`);
      console.table({ total: summary.total, inserted: summary.inserted });
    } finally {
      await close();
    }
  } finally {
    await proxy.close();
  }
}

await main();
