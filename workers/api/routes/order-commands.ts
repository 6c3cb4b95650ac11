// The order's state-machine commands as routes (accept, reject, preparing,
// prep-time, ready, cancel, problems, refunds): one table, each entry its
// roles, body schema and the command it becomes; the Order DO decides.
// Registered right after routes/orders.ts (app.ts), in the same order as before.
import { createRoute, z } from "@hono/zod-openapi";
import type { Principal } from "../../../domain/auth/principal.ts";
import { CUSTOMER_PROBLEMS, MAX_NOTE } from "../../../domain/order/operator-commands.ts";
import type { OrderCommand } from "../../../domain/order/state-machine.ts";
import { principalOf, requireAuth } from "../auth/authenticate.ts";
import type { App, AppContext } from "../context.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "../http/openapi.ts";
import { assertProblemPhotosStored, ProblemPhotoKeys } from "../orders/problem-photo-store.ts";
import { Order, orderStubFor, throwRefusal } from "./orders.ts";

const Uuid = z.string().uuid();

interface CommandRoute<B extends z.ZodType> {
  path: string;
  operationId: string;
  summary: string;
  roles: Principal["role"][];
  body: B;
  toCommand: (body: z.infer<B>) => OrderCommand;
  /** What must hold outside the order's object before the command is sent (e.g. stored photos). */
  check?: (c: AppContext, orderId: string, body: z.infer<B>) => Promise<void>;
}

function commandRoute<B extends z.ZodType>(route: CommandRoute<B>): CommandRoute<B> {
  return route;
}

const Reason = z.string().trim().min(1).max(300);
const PrepTime = z.number().int().min(1).max(120);
const Empty = z.strictObject({});

const COMMANDS = [
  commandRoute({
    path: "accept",
    operationId: "acceptOrder",
    summary: "Restaurant accepts the order with a prep time",
    roles: ["restaurant_staff"],
    body: z.strictObject({ prepTimeMinutes: PrepTime }),
    toCommand: (b) => ({ type: "accept", prepTimeMinutes: b.prepTimeMinutes }),
  }),
  commandRoute({
    path: "reject",
    operationId: "rejectOrder",
    summary: "Restaurant rejects the order (refunded in full)",
    roles: ["restaurant_staff"],
    body: z.strictObject({ reason: Reason }),
    toCommand: (b) => ({ type: "reject", reason: b.reason }),
  }),
  commandRoute({
    path: "preparing",
    operationId: "startPreparingOrder",
    summary: "Restaurant starts preparing",
    roles: ["restaurant_staff"],
    body: Empty,
    toCommand: () => ({ type: "start_preparing" }),
  }),
  commandRoute({
    path: "prep-time",
    operationId: "adjustOrderPrepTime",
    summary: "Restaurant adjusts the prep time (the customer's ETA follows)",
    roles: ["restaurant_staff"],
    body: z.strictObject({ prepTimeMinutes: PrepTime }),
    toCommand: (b) => ({ type: "adjust_prep_time", prepTimeMinutes: b.prepTimeMinutes }),
  }),
  commandRoute({
    path: "ready",
    operationId: "markOrderReady",
    summary: "Restaurant marks the food ready",
    roles: ["restaurant_staff"],
    body: Empty,
    toCommand: () => ({ type: "mark_ready" }),
  }),
  commandRoute({
    path: "cancel",
    operationId: "cancelOrder",
    summary: "Cancel: the customer before acceptance, the restaurant before pickup, an admin any time",
    roles: ["customer", "restaurant_staff", "admin"],
    body: z.strictObject({ reason: Reason }),
    toCommand: (b) => ({ type: "cancel", reason: b.reason }),
  }),
  commandRoute({
    path: "problems",
    operationId: "reportOrderProblem",
    summary:
      "The customer reports a problem (missing or wrong items, late, never arrived…); it joins the operators' exceptions queue",
    roles: ["customer"],
    body: z.strictObject({
      problem: z.enum(CUSTOMER_PROBLEMS),
      note: z.string().max(MAX_NOTE).default("").openapi({ description: "What happened, in the customer's words." }),
      photoKeys: ProblemPhotoKeys,
    }),
    toCommand: (b) => ({ type: "report_problem", problem: b.problem, note: b.note, photoKeys: b.photoKeys }),
    check: (c, orderId, b) => assertProblemPhotosStored(c, orderId, b.photoKeys ?? []),
  }),
  commandRoute({
    path: "refunds",
    operationId: "refundOrder",
    summary: "Admin refund, full or partial",
    roles: ["admin"],
    body: z.strictObject({ amountMinor: z.number().int().min(1), reason: Reason }),
    toCommand: (b) => ({ type: "refund", amountMinor: b.amountMinor, reason: b.reason }),
  }),
];

export function registerOrderCommands(app: App): void {
  for (const spec of COMMANDS) registerCommand(app, spec);
}

/** One command route; generic in its body schema, so the handler sees the body that schema validated. */
function registerCommand<B extends z.ZodType>(app: App, spec: CommandRoute<B>): void {
  const route = createRoute({
    method: "post",
    path: `/v1/orders/{id}/${spec.path}`,
    operationId: spec.operationId,
    tags: ["orders"],
    summary: spec.summary,
    security: bearerSecurity,
    middleware: [requireAuth(...spec.roles)] as const,
    request: { params: z.object({ id: Uuid }), ...jsonBody(spec.body) },
    responses: {
      200: jsonResponse(Order, "The order after the transition"),
      ...errorResponses(400, 401, 403, 404, 409, 422),
    },
  });
  app.openapi(route, async (c) => {
    // The route has validated both already; read again because a handler generic in its body
    // schema cannot name the validated types (hono's inference needs a concrete schema).
    const body = spec.body.parse(await c.req.json());
    if (spec.check) await spec.check(c, c.req.param("id"), body);
    const result = await orderStubFor(c.env, c.req.param("id")).command(
      principalOf(c),
      spec.toCommand(body),
      c.get("traceparent"),
    );
    if (!result.ok) throwRefusal(result);
    return c.json(result.order, 200);
  });
}
