// A bench-only Worker for (5): the uncached menu path, i.e. what the API's
// GET /v1/restaurants/{id}/menu does on a KV miss (open a pool, loadMenu from
// PostgreSQL, serialise, ETag; close the pool after the response), without
// the KV read that misses and the KV write that follows. The API has no way
// to bypass its cache yet, so this is the uncached path's best case: the
// speed-up measured against it is, if anything, understated.
import { openDb } from "../../db/client.ts";
import { menuEtag } from "../../workers/api/menus/menu-cache.ts";
import { loadMenu } from "../../workers/api/menus/menu-repository.ts";

interface ProbeEnv {
  DATABASE_URL: string;
  NEON_WS_PROXY?: string;
}

export default {
  async fetch(request: Request, env: ProbeEnv, ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/v1/health") return Response.json({ ok: true });
    const match = /^\/menu\/([0-9a-f-]{36})$/.exec(path);
    if (!match) return new Response("not found", { status: 404 });
    const handle = openDb(env);
    try {
      const menu = await loadMenu(handle.db, match[1] as string);
      if (!menu) return new Response("no such restaurant", { status: 404 });
      return new Response(JSON.stringify(menu), {
        headers: {
          etag: menuEtag(menu),
          "cache-control": "public, max-age=0, must-revalidate",
          "content-type": "application/json; charset=utf-8",
        },
      });
    } finally {
      ctx.waitUntil(handle.close().catch(() => {}));
    }
  },
} satisfies ExportedHandler<ProbeEnv>;
