// `tsx db/seed/main.ts`: migrates and seeds the database named by
// DATABASE_URL (a local server through a proxy started for the run, or Neon
// directly).
import { migrateDatabase, openDb, withDatabaseAccess } from "../node.ts";
import { seedDemoCity } from "./index.ts";

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error("DATABASE_URL is not set (npm start seeds the embedded database by itself).");
    process.exitCode = 2;
    return;
  }
  await withDatabaseAccess(databaseUrl, async ({ wsProxy }) => {
    await migrateDatabase(databaseUrl, wsProxy);
    const { db, close } = openDb({ DATABASE_URL: databaseUrl, NEON_WS_PROXY: wsProxy }, 1);
    try {
      const summary = await seedDemoCity(db);
      console.log(`Seeded ${summary.city}:`);
      console.table({ total: summary.total, inserted: summary.inserted });
    } finally {
      await close();
    }
  });
}

await main();
