import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  // The parts, not db/schema.ts (it only re-exports them for importers).
  schema: [
    "./db/schema-common.ts",
    "./db/schema-restaurants.ts",
    "./db/schema-accounts.ts",
    "./db/schema-orders.ts",
    "./db/schema-operations.ts",
    "./db/schema-ledger.ts",
    "./db/schema-notifications.ts",
    "./db/schema-surge.ts",
    "./db/schema-promotions.ts",
  ],
  out: "./db/migrations",
});
