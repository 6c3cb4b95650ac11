import { z } from "@hono/zod-openapi";

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed" }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
      requestId: z.string().optional(),
    }),
  })
  .openapi("Error");

const errorContent = { "application/json": { schema: ErrorResponse } };

/** The error responses most routes share, for the OpenAPI document. */
export function errorResponses(...statuses: Array<400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429>) {
  const descriptions: Record<number, string> = {
    400: "Invalid request (validation_failed, malformed_json)",
    401: "Missing, invalid or expired token",
    403: "Authenticated, but not allowed (role or ownership)",
    404: "Not found",
    409: "Conflicts with the current state",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Well-formed but not acceptable",
    429: "Rate limited",
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s] ?? "Error", content: errorContent }]),
  );
}

export const bearerSecurity = [{ bearerAuth: [] }];

export function jsonBody<T extends z.ZodType>(schema: T) {
  return { body: { content: { "application/json": { schema } }, required: true } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/** The money of an order, in minor units of its currency: the same fields in every order schema. */
export const orderTotalsFields = {
  subtotalMinor: z.number().int(),
  deliveryFeeMinor: z.number().int(),
  serviceFeeMinor: z.number().int(),
  taxMinor: z
    .number()
    .int()
    .openapi({ description: "All tax: contained in the prices when taxIncluded, else added to the total." }),
  taxIncluded: z.boolean().openapi({ description: "The delivery area's prices include VAT (shown as “incl. VAT”)." }),
  smallOrderFeeMinor: z
    .number()
    .int()
    .openapi({ description: "Charged when the subtotal is below the area's minimum." }),
  tipMinor: z.number().int(),
  totalMinor: z.number().int(),
  discountMinor: z.number().int().openapi({ description: "A promotion's discount, already taken off the total." }),
  roundingMinor: z.number().int().openapi({
    description:
      "Added to the total so it can be charged: BHD, JOD, KWD, OMR and TND totals are rounded to 10 fils (−4..+5); 0 elsewhere.",
  }),
};

/** The live sockets; each has a `<Name>ClientMessage` and a `<Name>ServerMessage` component. */
export type LiveProtocol = "Order" | "Board" | "Courier" | "CityMap";

/**
 * Where a WebSocket route's messages are described. OpenAPI has no words for
 * what flows after the upgrade, so the message schemas are components
 * (routes/live-protocols.ts registers them) and this extension points at them.
 */
export function webSocketProtocol(protocol: LiveProtocol, binaryClientFrames?: string) {
  return {
    "x-websocket": {
      clientMessages: { $ref: `#/components/schemas/${protocol}ClientMessage` },
      serverMessages: { $ref: `#/components/schemas/${protocol}ServerMessage` },
      ...(binaryClientFrames ? { binaryClientFrames } : {}),
      heartbeat: "Send the text `ping`; the server answers `pong`.",
    },
  };
}

/**
 * The upgrade's answer. 101, never 2xx: a plain GET of these URLs is refused with 426 upgrade_required.
 * `binaryClientFrames`: what a client may send as binary frames besides its JSON messages.
 */
export function switchingProtocols(protocol: LiveProtocol, binaryClientFrames?: string) {
  return {
    101: {
      description: `Switching protocols. Then the client sends \`${protocol}ClientMessage\` and receives \`${protocol}ServerMessage\` as JSON text frames.${binaryClientFrames ? ` Binary frames from the client: ${binaryClientFrames}` : ""}`,
    },
  };
}

/** A blank query value ("?lat=") is a missing one, not 0 as `z.coerce.number()` would read it (nor is null). */
const blankIsMissing = (value: unknown) =>
  value === null || (typeof value === "string" && value.trim() === "") ? undefined : value;

/**
 * A number read from a query string or path segment: blank is missing, and
 * it is a finite number within the bounds given. Integers stay within what a
 * double holds exactly (and so within Postgres' bigint).
 */
export function urlNumber(bounds: { min: number; max: number; int?: boolean }) {
  const base = z.coerce.number().min(bounds.min).max(Math.min(bounds.max, Number.MAX_SAFE_INTEGER));
  return z.preprocess(blankIsMissing, bounds.int ? base.int() : base);
}

// A point in a query string. Marked required in the document, which otherwise takes a
// coercing schema for an optional one.
export const QueryLat = urlNumber({ min: -90, max: 90 }).openapi({ param: { required: true } });
export const QueryLng = urlNumber({ min: -180, max: 180 }).openapi({ param: { required: true } });
