// The OpenAPI 3.1 document, built from the app's zod-openapi routes. One
// function builds it for the Worker (`/v1/openapi.json`) and for
// `npm run api:generate`, which writes it beside the web client generated
// from it, so the served document and the committed one are the same bytes.
import type { App } from "../context.ts";

type OpenApiDocument = ReturnType<App["getOpenAPI31Document"]>;

const TAGS = [
  { name: "health", description: "Liveness, Postgres reachability and the projection's lag." },
  { name: "auth", description: "Accounts and sessions: short-lived access tokens, rotating refresh tokens." },
  { name: "discovery", description: "Public: restaurants that deliver to a point, and their menus." },
  { name: "orders", description: "Placing, reading, watching and moving orders through their states." },
  { name: "payments", description: "Stripe: paying for an order, and Stripe's signed webhooks." },
  { name: "restaurants", description: "Restaurant staff: profile, menu edits and the live board." },
  { name: "couriers", description: "Couriers: the live socket to their zone, and delivery steps." },
  { name: "admin", description: "Operators: delivery zones, dispatch cells, discovery index, dead letters." },
  {
    name: "notifications",
    description: "Your notification preferences, web push subscriptions, and what was sent to you.",
  },
  {
    name: "webhooks",
    description: "Partner webhooks: endpoints for order events, signed per Standard Webhooks, with a delivery log.",
  },
];

const CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "Edge Delivery API",
    version: "1.0.0",
    description: [
      "Customers, restaurants, couriers and operators.",
      "",
      "Authenticate with `Authorization: Bearer <accessToken>` from `POST /v1/auth/sign-in`; WebSockets, which browsers",
      "cannot give headers, take `?access_token=`. Every failure answers",
      "`{ error: { code, message, details?, requestId } }`, where `code` is stable and machine-readable.",
      "WebSocket routes name their message schemas in `x-websocket` (`*ClientMessage`, `*ServerMessage`).",
    ].join("\n"),
  },
  servers: [
    { url: "/", description: "The origin that serves this document" },
    { url: "http://127.0.0.1:8787", description: "Local development (`npm start`)" },
  ],
  tags: TAGS,
} satisfies Parameters<App["getOpenAPI31Document"]>[0];

/**
 * Coerced query numbers (`z.coerce.number()`) also accept `null` in zod
 * (Number(null) is 0), which the generator reports as a nullable type; a query
 * string can never be JSON null, so the type is narrowed back.
 */
function withoutNullParameterTypes(doc: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(doc.paths ?? {})) {
    for (const operation of Object.values(item)) {
      if (typeof operation !== "object" || operation === null || !("parameters" in operation)) continue;
      for (const parameter of (operation.parameters ?? []) as Array<{ schema?: { type?: unknown } }>) {
        const type = parameter.schema?.type;
        if (!Array.isArray(type) || !type.includes("null")) continue;
        const rest = type.filter((t) => t !== "null");
        parameter.schema = { ...parameter.schema, type: rest.length === 1 ? rest[0] : rest };
      }
    }
  }
  return doc;
}

export function openApiDocument(app: App): OpenApiDocument {
  return withoutNullParameterTypes(app.getOpenAPI31Document(CONFIG));
}
