// The embedded default database: PGlite (Postgres compiled to WASM) served on
// a TCP port with the Postgres wire protocol, so the same Neon driver and
// WebSocket proxy reach it exactly as they would a real server.
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/** `dataDir` persists between runs; omit it for an in-memory database. */
export async function startEmbeddedPostgres(
  options: { dataDir?: string; port?: number } = {},
): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const port = options.port ?? 0;
  // Every request and queue batch opens its own small pool, so under load there are many
  // short-lived connections at once; PGlite multiplexes them, and refuses any above the cap.
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 1000 });
  await server.start();
  const address = server.getServerConn();
  const bound = Number(address.split(":").pop());
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${bound}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
