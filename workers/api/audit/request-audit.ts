// The audit log's safety net: any change made by staff or an admin that did
// not write its own audit row (those with before/after values do, in their
// transaction) is recorded here after it succeeded, with who, when, which
// operation on which entity, and what they sent. Changes to orders are left
// out: each is an event on the order, audited from the event stream
// (workers/events/operator-views.ts).
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { auditLog } from "../../../db/schema.ts";
import { auditable } from "../../../domain/audit/diff.ts";
import type { App, AppEnv } from "../context.ts";
import { log } from "../http/log.ts";

const AUDITED_ROLES = new Set(["admin", "restaurant_staff"]);
/** Order changes are audited from their events; auth and invitations write their own rows or none. */
const SKIPPED_PREFIXES = ["/v1/orders/", "/v1/admin/orders/", "/v1/auth/", "/v1/invitations/", "/v1/webhooks/"];
const MAX_BODY_CHARS = 8_000;

/** "/v1/restaurants/:id/menu/items/:itemId" against the request path: the entity is the last id-bearing segment pair. */
export function entityOf(pattern: string, path: string): { type: string; id: string } {
  const p = pattern.split("/").filter(Boolean);
  const a = path.split("/").filter(Boolean);
  let found = { type: p.filter((s) => !s.startsWith(":")).at(-1) ?? "api", id: "-" };
  for (let i = 1; i < p.length; i++) {
    const segment = p[i] as string;
    if (segment.startsWith(":") && a[i] !== undefined)
      found = { type: (p[i - 1] as string).replace(/s$/, ""), id: a[i] as string };
  }
  return found;
}

export function auditUnaudited(app: App): MiddlewareHandler<AppEnv> {
  let operationIds: Map<string, string> | undefined;
  const operationOf = (method: string, pattern: string): string => {
    operationIds ??= new Map(
      app.openAPIRegistry.definitions.flatMap((d) =>
        d.type === "route" && d.route.operationId
          ? [
              [
                `${d.route.method.toUpperCase()} ${d.route.path.replace(/\{(\w+)\}/g, ":$1")}`,
                d.route.operationId,
              ] as const,
            ]
          : [],
      ),
    );
    return operationIds.get(`${method} ${pattern}`) ?? `${method.toLowerCase()} ${pattern}`;
  };
  return async (c, next) => {
    await next();
    const method = c.req.method;
    if (method === "GET" || method === "HEAD" || method === "OPTIONS") return;
    if (c.res.status < 200 || c.res.status >= 300 || c.get("audited")) return;
    const principal = c.get("principal");
    if (!principal || !AUDITED_ROLES.has(principal.role)) return;
    if (SKIPPED_PREFIXES.some((prefix) => c.req.path.startsWith(prefix))) return;
    const pattern = routePath(c, -1);
    const entity = entityOf(pattern, c.req.path);
    let sent: Record<string, unknown> | null = null;
    if (c.req.header("content-type")?.includes("application/json")) {
      try {
        // Parsed already by the route's validator: this reads Hono's cached copy.
        const body = (await c.req.json()) as unknown;
        const text = JSON.stringify(body);
        sent =
          text.length > MAX_BODY_CHARS
            ? { truncated: text.slice(0, MAX_BODY_CHARS) }
            : typeof body === "object" && body !== null && !Array.isArray(body)
              ? auditable(body as Record<string, unknown>, ["password", "token", "refreshToken"])
              : { body };
      } catch {
        sent = null;
      }
    }
    try {
      await c.var.db.insert(auditLog).values({
        actorId: principal.userId,
        actorRole: principal.role,
        action: operationOf(method, pattern),
        entityType: entity.type,
        entityId: entity.id,
        before: null,
        after: sent,
        note: `${method} ${c.req.path}`,
        requestId: c.get("requestId") ?? null,
      });
    } catch (err) {
      // The change stands; a missing fallback row is logged loudly rather than failing a committed request.
      log(c, "error", "audit.fallback_failed", { path: c.req.path, error: String(err) });
    }
  };
}
