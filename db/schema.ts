// System of record, PostgreSQL through drizzle, by concern (one file each;
// drizzle.config.ts lists them). Importers use this one entry point.
// Money is always integer minor units next to an ISO 4217 currency.
export * from "./schema-accounts.ts";
export * from "./schema-common.ts";
export * from "./schema-operations.ts";
export * from "./schema-orders.ts";
export * from "./schema-restaurants.ts";
