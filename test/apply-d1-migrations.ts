// Setup file of the "workers" test project: every test file gets its own D1
// storage, so the discovery schema (db/d1) is applied before each file runs.
// Applying is idempotent (recorded in d1_migrations).
import { applyD1Migrations, type D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";

const { DISCOVERY, TEST_D1_MIGRATIONS } = env as unknown as {
  DISCOVERY: D1Database;
  TEST_D1_MIGRATIONS: D1Migration[];
};
await applyD1Migrations(DISCOVERY, TEST_D1_MIGRATIONS);
