// Monthly statements (a restaurant's: its staff or an admin; a courier's: the
// courier) as JSON, a CSV download or a printable HTML page (English or
// Portuguese), and the daily reconciliation's reports
// for admins. Reads only.
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { users } from "../../../db/schema-accounts.ts";
import { restaurants } from "../../../db/schema-restaurants.ts";
import { courierAccount, restaurantAccount } from "../../../domain/ledger/accounts.ts";
import { monthWindow, statementCsv } from "../../../domain/ledger/monthly-statement.ts";
import { statementHtml, statementLanguage } from "../../../domain/ledger/statement-html.ts";
import { latestRuns } from "../../ledger/reconciliation-runs.ts";
import { type MonthlyStatement as Monthly, monthlyStatementOf } from "../../ledger/statements.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { validationError } from "../http/errors.ts";
import { bearerSecurity, errorResponses, jsonResponse, urlNumber } from "../http/openapi.ts";
import { assertRestaurantEditor } from "../restaurants/editing.ts";
import { Uuid } from "../restaurants/schemas.ts";

const Month = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "A month as YYYY-MM.")
  .openapi({ example: "2026-11" });

const FormatQuery = z.object({
  format: z
    .enum(["json", "csv", "html"])
    .default("json")
    .openapi({ description: "csv answers a text/csv download; html a printable page." }),
  lang: z
    .enum(["en", "pt"])
    .optional()
    .openapi({ description: "The HTML page's language; default from Accept-Language, else English." }),
});

const MonthlyStatement = z
  .object({
    account: z.string(),
    month: z.string(),
    from: z.string(),
    to: z.string(),
    totals: z.array(
      z.object({
        currency: z.string(),
        openingMinor: z.number().int(),
        earningsMinor: z.number().int(),
        tipsMinor: z.number().int(),
        deductionsMinor: z.number().int(),
        payoutsMinor: z.number().int(),
        otherMinor: z.number().int(),
        closingMinor: z.number().int(),
      }),
    ),
    lines: z.array(
      z.object({
        at: z.string(),
        kind: z.string(),
        orderId: z.string().nullable(),
        memo: z.string(),
        currency: z.string(),
        amountMinor: z.number().int().openapi({ description: "Positive: money for the account holder." }),
      }),
    ),
    truncated: z.boolean(),
  })
  .openapi("MonthlyStatement");

const statementResponses = {
  200: {
    description: "The month's statement",
    content: {
      "application/json": { schema: MonthlyStatement },
      "text/csv": { schema: z.string().openapi({ description: "One row per line, then opening and closing." }) },
      "text/html": {
        schema: z.string().openapi({ description: "A printable page: account, period, totals, payouts, entries." }),
      },
    },
  },
};

const restaurantMonthly = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/statements/{month}",
  operationId: "getRestaurantMonthlyStatement",
  tags: ["payouts"],
  summary: "The restaurant's statement for a calendar month (UTC), JSON or CSV (its staff or an admin)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid, month: Month }), query: FormatQuery },
  responses: { ...statementResponses, ...errorResponses(400, 401, 403) },
});

const courierMonthly = createRoute({
  method: "get",
  path: "/v1/couriers/me/statements/{month}",
  operationId: "getCourierMonthlyStatement",
  tags: ["payouts"],
  summary: "The signed-in courier's statement for a calendar month (UTC), JSON or CSV",
  security: bearerSecurity,
  middleware: [requireAuth("courier")] as const,
  request: { params: z.object({ month: Month }), query: FormatQuery },
  responses: { ...statementResponses, ...errorResponses(400, 401, 403) },
});

const ReconciliationRuns = z
  .object({
    runs: z.array(
      z.object({
        period: z.string(),
        ranAt: z.string(),
        differences: z.number().int(),
        report: z.record(z.string(), z.unknown()).openapi({ description: "As GET /v1/admin/reconciliation." }),
      }),
    ),
  })
  .openapi("ReconciliationRuns");

const reconciliationRuns = createRoute({
  method: "get",
  path: "/v1/admin/reconciliation/runs",
  operationId: "listReconciliationRuns",
  tags: ["payouts"],
  summary: "The daily reconciliation's reports, newest day first (admins)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { query: z.object({ limit: urlNumber({ min: 1, max: 90, int: true }).default(14) }) },
  responses: { 200: jsonResponse(ReconciliationRuns, "The reports"), ...errorResponses(400, 401, 403) },
});

function windowOf(month: string) {
  const window = monthWindow(month);
  if (!window) throw validationError([{ path: "month", code: "invalid_month", message: "a month as YYYY-MM" }]);
  return window;
}

/** The statement as a printable page; nothing on it runs (names and memos are escaped, no script may load). */
function htmlPage(
  statement: Monthly,
  holder: string,
  lang: "en" | "pt" | undefined,
  acceptLanguage: string | undefined,
) {
  return {
    html: statementHtml(statement, holder, statementLanguage(lang, acceptLanguage)),
    headers: {
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      "cache-control": "private, no-store",
      vary: "accept-language",
    },
  };
}

/** The statement as a text/csv download: its body and headers. */
function csvDownload(statement: Monthly): { csv: string; headers: Record<string, string> } {
  const name = `statement-${statement.account.replace(":", "-")}-${statement.month}.csv`;
  return {
    csv: statementCsv(statement.lines, statement.totals),
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}"` },
  };
}

export function registerMonthlyStatementRoutes(app: App): void {
  app.openapi(restaurantMonthly, async (c) => {
    const { id, month } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const statement = await monthlyStatementOf(c.var.db, restaurantAccount(id), month, windowOf(month));
    const query = c.req.valid("query");
    if (query.format === "json") return c.json(statement, 200);
    if (query.format === "html") {
      const [row] = await c.var.db.select({ name: restaurants.name }).from(restaurants).where(eq(restaurants.id, id));
      const { html, headers } = htmlPage(statement, row?.name ?? id, query.lang, c.req.header("accept-language"));
      return c.html(html, 200, headers);
    }
    const { csv, headers } = csvDownload(statement);
    return c.body(csv, 200, headers);
  });

  app.openapi(courierMonthly, async (c) => {
    const { month } = c.req.valid("param");
    const account = courierAccount(principalOf(c).userId);
    const statement = await monthlyStatementOf(c.var.db, account, month, windowOf(month));
    const query = c.req.valid("query");
    if (query.format === "json") return c.json(statement, 200);
    if (query.format === "html") {
      const userId = principalOf(c).userId;
      const [row] = await c.var.db.select({ name: users.name }).from(users).where(eq(users.id, userId));
      const { html, headers } = htmlPage(statement, row?.name ?? "", query.lang, c.req.header("accept-language"));
      return c.html(html, 200, headers);
    }
    const { csv, headers } = csvDownload(statement);
    return c.body(csv, 200, headers);
  });

  app.openapi(reconciliationRuns, async (c) => {
    const runs = await latestRuns(c.var.db, c.req.valid("query").limit);
    return c.json({ runs: runs.map((r) => ({ ...r, report: { ...r.report } })) }, 200);
  });
}
