import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: [
    "./db/schema.ts",
    "./db/schema-ledger.ts",
    "./db/schema-notifications.ts",
    "./db/schema-surge.ts",
    "./db/schema-promotions.ts",
  ],
  out: "./db/migrations",
});
