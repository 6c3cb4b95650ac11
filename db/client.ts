// The one way to reach Postgres from every environment: drizzle over
// @neondatabase/serverless. In production the driver talks to Neon directly;
// locally `NEON_WS_PROXY` points it at scripts/dev/ws-proxy.ts in front of a
// plain Postgres or the embedded PostgreSQL server.
import { neonConfig, Pool } from "@neondatabase/serverless";
import {
  createTableRelationsHelpers,
  type ExtractTablesWithRelations,
  extractTablesRelationalConfig,
  type RelationalSchemaConfig,
} from "drizzle-orm";
import { NeonDatabase, NeonDriver } from "drizzle-orm/neon-serverless";
import { PgDialect } from "drizzle-orm/pg-core";
import * as mainSchema from "./schema.ts";
import * as notificationSchema from "./schema-notifications.ts";
import * as promotionSchema from "./schema-promotions.ts";

const schema = { ...mainSchema, ...notificationSchema, ...promotionSchema };

export type Database = NeonDatabase<typeof schema>;

export interface DbConfig {
  DATABASE_URL: string;
  NEON_WS_PROXY?: string;
}

function configureDriver(wsProxy: string | undefined): void {
  if (wsProxy) {
    neonConfig.wsProxy = (host, port) => `${wsProxy}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
  }
}

/**
 * Opens a pool for the lifetime of one request or one queue batch. Workers
 * cannot share sockets across requests, so the caller must `close()` it
 * (usually in `ctx.waitUntil`).
 */
/**
 * Every Postgres call is bounded, so an unreachable or stuck database fails a
 * request or a queue batch visibly instead of hanging it (and its socket)
 * until the runtime gives up. The server-side limit is the shorter one, so a
 * slow statement is cancelled in Postgres before the client abandons it.
 */
export const DB_TIMEOUTS = { connectMs: 5_000, statementMs: 10_000, queryMs: 15_000 } as const;

export function openDb(config: DbConfig, max = 4): { db: Database; close: () => Promise<void> } {
  configureDriver(config.NEON_WS_PROXY || undefined);
  const pool = new Pool({
    connectionString: config.DATABASE_URL,
    max,
    connectionTimeoutMillis: DB_TIMEOUTS.connectMs,
    statement_timeout: DB_TIMEOUTS.statementMs,
    query_timeout: DB_TIMEOUTS.queryMs,
  });
  // An idle client whose socket drops (isolate teardown, server restart) must
  // not surface as an uncaught error; the next query opens a fresh one.
  pool.on("error", () => {});
  // What `drizzle({ client: pool, schema })` does, with the schema's relational config built once per
  // isolate instead of per call: the API opens a pool for every request, and rebuilding that config (every
  // table's columns, indexes and relations) was about a fifth of the workerd CPU of a cached menu read,
  // a route that never queries (bench/results/menus.md, decision 55).
  const dialect = new PgDialect();
  const relational = relationalSchema();
  const db: Database = new NeonDatabase(dialect, new NeonDriver(pool, dialect).createSession(relational), relational);
  return { db, close: () => pool.end() };
}

type Tables = ExtractTablesWithRelations<typeof schema>;
let relationalConfig: RelationalSchemaConfig<Tables> | undefined;

function relationalSchema(): RelationalSchemaConfig<Tables> {
  if (!relationalConfig) {
    const extracted = extractTablesRelationalConfig<Tables>(schema, createTableRelationsHelpers);
    relationalConfig = { fullSchema: schema, schema: extracted.tables, tableNamesMap: extracted.tableNamesMap };
  }
  return relationalConfig;
}
