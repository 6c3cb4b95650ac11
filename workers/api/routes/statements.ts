// Statements: a restaurant's (its staff or an admin) and a courier's own
// (the courier) ledger lines, balance and payouts for a window of at most 92
// days and 500 lines. Reads only.
import { createRoute, z } from "@hono/zod-openapi";
import { courierAccount, restaurantAccount } from "../../../domain/ledger/accounts.ts";
import { reconciliationReport } from "../../ledger/reconciliation.ts";
import { STATEMENT_MAX_LINES, statementOf } from "../../ledger/statements.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App } from "../context.ts";
import { ApiError, validationError } from "../http/errors.ts";
import { log } from "../http/log.ts";
import { bearerSecurity, errorResponses, jsonResponse, urlNumber } from "../http/openapi.ts";
import { assertRestaurantEditor } from "../restaurants/editing.ts";
import { Uuid } from "../restaurants/schemas.ts";

const MAX_WINDOW_DAYS = 92;

export const StatementQuery = z.object({
  from: z.string().datetime({ offset: true }).optional().openapi({ description: "Default: 30 days before `to`." }),
  to: z.string().datetime({ offset: true }).optional().openapi({ description: "Default: now." }),
  limit: urlNumber({ min: 1, max: STATEMENT_MAX_LINES, int: true }).default(200),
});

const Statement = z
  .object({
    account: z.string(),
    from: z.string(),
    to: z.string(),
    balances: z.array(
      z.object({
        currency: z.string(),
        owedMinor: z
          .number()
          .int()
          .openapi({ description: "What the platform owes the account now (negative: it owes the platform)." }),
        heldForDisputesMinor: z.number().int().openapi({ description: "Part of it held back by open disputes." }),
      }),
    ),
    lines: z.array(
      z.object({
        id: z.number().int(),
        at: z.string(),
        kind: z.string(),
        orderId: z.string().nullable(),
        memo: z.string(),
        currency: z.string(),
        amountMinor: z.number().int().openapi({ description: "Positive: money for the account holder." }),
      }),
    ),
    payouts: z.array(
      z.object({
        period: z.string(),
        currency: z.string(),
        amountMinor: z.number().int(),
        status: z.string(),
        transferId: z.string().nullable(),
        at: z.string(),
      }),
    ),
    truncated: z.boolean(),
  })
  .openapi("Statement");

export function statementWindow(query: { from?: string | undefined; to?: string | undefined }): {
  from: Date;
  to: Date;
} {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (from >= to) throw validationError([{ path: "from", code: "invalid_window", message: "from must be before to" }]);
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000) {
    throw validationError([
      { path: "from", code: "window_too_long", message: `a statement covers at most ${MAX_WINDOW_DAYS} days` },
    ]);
  }
  return { from, to };
}

const restaurantStatement = createRoute({
  method: "get",
  path: "/v1/restaurants/{id}/statement",
  operationId: "getRestaurantStatement",
  tags: ["payouts"],
  summary: "The restaurant's balance, ledger lines and payouts (its staff or an admin)",
  security: bearerSecurity,
  middleware: [requireAuth("restaurant_staff", "admin")] as const,
  request: { params: z.object({ id: Uuid }), query: StatementQuery },
  responses: { 200: jsonResponse(Statement, "The statement"), ...errorResponses(400, 401, 403) },
});

const courierStatement = createRoute({
  method: "get",
  path: "/v1/couriers/me/statement",
  operationId: "getCourierStatement",
  tags: ["payouts"],
  summary: "The signed-in courier's balance, ledger lines and payouts",
  security: bearerSecurity,
  middleware: [requireAuth("courier")] as const,
  request: { query: StatementQuery },
  responses: { 200: jsonResponse(Statement, "The statement"), ...errorResponses(400, 401, 403) },
});

const Reconciliation = z
  .object({
    from: z.string(),
    to: z.string(),
    stripeItems: z.number().int(),
    ledgerItems: z.number().int(),
    differences: z.array(
      z.object({
        ref: z.string(),
        kind: z.enum(["missing_in_ledger", "missing_in_stripe", "amount_mismatch"]),
        currency: z.string(),
        stripeMinor: z.number().int().nullable(),
        ledgerMinor: z.number().int().nullable(),
      }),
    ),
    cardFees: z.array(z.object({ currency: z.string(), feesMinor: z.number().int() })),
    truncated: z.boolean(),
  })
  .openapi("Reconciliation");

const ReconciliationQuery = z.object({
  from: z.string().datetime({ offset: true }).optional().openapi({ description: "Default: 24 hours before `to`." }),
  to: z.string().datetime({ offset: true }).optional().openapi({ description: "Default: now." }),
});

const reconciliation = createRoute({
  method: "get",
  path: "/v1/admin/reconciliation",
  operationId: "getReconciliation",
  tags: ["payouts"],
  summary: "Ledger against Stripe balance transactions for a window of at most 31 days: every difference (admins)",
  security: bearerSecurity,
  middleware: [requireAuth("admin")] as const,
  request: { query: ReconciliationQuery },
  responses: { 200: jsonResponse(Reconciliation, "The report"), ...errorResponses(400, 401, 403) },
});

export function registerStatementRoutes(app: App): void {
  app.openapi(reconciliation, async (c) => {
    const query = c.req.valid("query");
    const to = query.to ? new Date(query.to) : new Date();
    const from = query.from ? new Date(query.from) : new Date(to.getTime() - 86_400_000);
    if (from >= to || to.getTime() - from.getTime() > 31 * 86_400_000) {
      throw validationError([
        { path: "from", code: "invalid_window", message: "from must be before to, at most 31 days" },
      ]);
    }
    try {
      return c.json(await reconciliationReport(c.env, c.var.db, from, to), 200);
    } catch (err) {
      log(c, "error", "reconciliation.failed", { error: String(err) });
      throw new ApiError(503, "payments_unavailable", "Stripe could not be reached; try again shortly.");
    }
  });

  app.openapi(restaurantStatement, async (c) => {
    const { id } = c.req.valid("param");
    assertRestaurantEditor(principalOf(c), id);
    const query = c.req.valid("query");
    const { from, to } = statementWindow(query);
    return c.json(await statementOf(c.var.db, restaurantAccount(id), from, to, query.limit), 200);
  });

  app.openapi(courierStatement, async (c) => {
    const query = c.req.valid("query");
    const { from, to } = statementWindow(query);
    return c.json(await statementOf(c.var.db, courierAccount(principalOf(c).userId), from, to, query.limit), 200);
  });
}
