// A local stand-in for Workers Analytics Engine (decision 0054): Miniflare
// drops writeDataPoint, so the Worker mirrors each point here (POST /write,
// platform/metrics.ts), and the health view queries it through the same SQL
// API shape Cloudflare serves (POST /client/v4/accounts/{id}/analytics_engine/sql,
// the SQL as the body, a Bearer token). Points live in memory for a day.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { METRICS_DATASET } from "../../../domain/metrics/health-metrics.ts";
import { runAnalyticsSql, SqlError, type StoredPoint } from "./sql.ts";

const KEEP_MS = 86_400_000;
const MAX_BODY = 64 * 1024;

export interface AnalyticsStandinOptions {
  port?: number;
  /** The token the SQL API asks for; any other is refused as Cloudflare would. */
  apiToken: string;
  log?: (message: string) => void;
}

export interface AnalyticsStandin {
  url: string;
  points(): readonly StoredPoint[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function strings(v: unknown, max: number): string[] {
  return Array.isArray(v) ? v.slice(0, max).map((x) => String(x ?? "")) : [];
}

export async function startAnalyticsStandin(options: AnalyticsStandinOptions): Promise<AnalyticsStandin> {
  let stored: StoredPoint[] = [];
  const server = createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const path = new URL(req.url ?? "/", "http://standin").pathname;
      if (req.method === "POST" && path === "/write") {
        const p = JSON.parse(await bodyOf(req)) as { blobs?: unknown; doubles?: unknown; indexes?: unknown };
        const now = Date.now();
        stored = stored.filter((s) => s.timestamp > now - KEEP_MS);
        stored.push({
          dataset: METRICS_DATASET,
          timestamp: now,
          blobs: strings(p.blobs, 20),
          doubles: (Array.isArray(p.doubles) ? p.doubles.slice(0, 20) : []).map(Number),
          indexes: strings(p.indexes, 1),
        });
        return send(202, { ok: true });
      }
      if (req.method === "POST" && /^\/client\/v4\/accounts\/[^/]+\/analytics_engine\/sql$/.test(path)) {
        if (req.headers.authorization !== `Bearer ${options.apiToken}`) {
          return send(401, { success: false, errors: [{ code: 10000, message: "Authentication error" }] });
        }
        const sql = await bodyOf(req);
        try {
          return send(200, runAnalyticsSql(sql, stored));
        } catch (err) {
          if (err instanceof SqlError) return send(422, { error: err.message });
          throw err;
        }
      }
      if (req.method === "GET" && path === "/points") return send(200, stored);
      send(404, { error: "not found" });
    } catch (err) {
      options.log?.(`request failed: ${String(err)}`);
      send(400, { error: String(err) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  options.log?.(`Analytics Engine stand-in at ${url}`);
  return {
    url,
    points: () => stored,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
