// Picks the Postgres the tests run against: TEST_DATABASE_URL or DATABASE_URL
// when named (CI names the machine's real PostgreSQL), else a local server on
// 127.0.0.1:5432 if one answers, else the embedded PostgreSQL server (the same
// one `npm start` uses). Every run gets a fresh database so tests never see
// yesterday's rows.
import { rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrateDatabase, openDb } from "../db/node.ts";
import { startEmbeddedPostgres } from "../scripts/dev/embedded-postgres.ts";

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(500);
    socket.on("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface TestDatabase {
  url: string;
  kind: "postgres" | "embedded";
  dispose(): Promise<void>;
}

// One database per test run (by pid), so runs in parallel never clobber each other.
export async function prepareTestDatabase(
  wsProxy: string,
  name = `delivery_test_${process.pid}`,
): Promise<TestDatabase> {
  let serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!serverUrl && (await portOpen("127.0.0.1", 5432))) serverUrl = "postgres://postgres@127.0.0.1:5432/postgres";
  if (!serverUrl || process.env.TEST_EMBEDDED_POSTGRES === "1") {
    // Throwaway and unsynced: a test run needs speed, not crash safety.
    const embedded = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `edge-delivery-pg-${process.pid}`),
      durable: false,
    });
    const dispose = async () => {
      await embedded.stop();
      await rm(embedded.dataDir, { recursive: true, force: true });
    };
    try {
      return await freshDatabase(embedded.url, wsProxy, name, "embedded", dispose);
    } catch (error) {
      await dispose();
      throw error;
    }
  }
  return freshDatabase(serverUrl, wsProxy, name, "postgres", async () => {});
}

async function freshDatabase(
  serverUrl: string,
  wsProxy: string,
  name: string,
  kind: TestDatabase["kind"],
  stopServer: () => Promise<void>,
): Promise<TestDatabase> {
  const admin = openDb({ DATABASE_URL: serverUrl, NEON_WS_PROXY: wsProxy }, 1);
  // Identifiers cannot be bound as parameters; `name` is a constant of ours.
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  await admin.db.execute(sql.raw(`drop database if exists ${name} with (force)`));
  await admin.db.execute(sql.raw(`create database ${name}`));
  await admin.close();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString(), wsProxy);
  return {
    url: url.toString(),
    kind,
    dispose: async () => {
      const cleanup = openDb({ DATABASE_URL: serverUrl, NEON_WS_PROXY: wsProxy }, 1);
      await cleanup.db.execute(sql.raw(`drop database if exists ${name} with (force)`));
      await cleanup.close();
      await stopServer();
    },
  };
}
