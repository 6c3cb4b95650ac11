// `npm run db:migrate`: applies db/migrations to DATABASE_URL (Neon in
// staging/production, or a local server).
import { migrateDatabase, withDatabaseAccess } from "./node.ts";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error("DATABASE_URL is not set.");
  process.exit(2);
}
await withDatabaseAccess(databaseUrl, ({ wsProxy }) => migrateDatabase(databaseUrl, wsProxy));
console.log("Migrations applied.");
