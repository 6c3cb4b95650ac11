// The API's operations as its own OpenAPI document lists them: what the
// authorization matrix, the fuzzer and the rate-limit checks iterate over, so
// an endpoint added later is covered (or, lacking a declared rule, fails).
import { api } from "../world.ts";

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  default?: unknown;
  additionalProperties?: boolean | JsonSchema;
  nullable?: boolean;
};

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** The operationId; "METHOD /path" for a route that has none (which the API lint refuses). */
  key: string;
  method: string;
  path: string;
  operationId: string | undefined;
  parameters: Parameter[];
  body: JsonSchema | undefined;
  responses: Record<string, { headers?: Record<string, unknown> }>;
  /** Needs a bearer token. */
  authenticated: boolean;
  /** Opens a WebSocket. */
  socket: boolean;
  /** State-changing or a socket upgrade: the rate limits apply. */
  limited: boolean;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, JsonSchema> };
}

let cached: Promise<{ doc: OpenApiDocument; operations: Operation[] }> | undefined;

export function loadOperations(): Promise<{ doc: OpenApiDocument; operations: Operation[] }> {
  cached ??= (async () => {
    const res = await api("/v1/openapi.json");
    if (res.status !== 200) throw new Error(`openapi.json: ${res.status}`);
    const doc = (await res.json()) as OpenApiDocument;
    const operations: Operation[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, raw] of Object.entries(methods)) {
        const op = raw as {
          operationId?: string;
          parameters?: Parameter[];
          requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
          responses: Record<string, { headers?: Record<string, unknown> }>;
          security?: unknown[];
        };
        const socket = "101" in op.responses;
        const upper = method.toUpperCase();
        operations.push({
          key: op.operationId ?? `${upper} ${path}`,
          method: upper,
          path,
          operationId: op.operationId,
          parameters: op.parameters ?? [],
          body: op.requestBody?.content?.["application/json"]?.schema,
          responses: op.responses,
          authenticated: (op.security?.length ?? 0) > 0,
          socket,
          limited: socket || !["GET", "HEAD", "OPTIONS"].includes(upper),
        });
      }
    }
    return { doc, operations };
  })();
  return cached;
}

/** Resolves `#/components/schemas/X` references. */
export function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let depth = 0; s.$ref && depth < 10; depth++) {
    const name = s.$ref.replace("#/components/schemas/", "");
    s = doc.components.schemas[name] ?? {};
  }
  return s;
}

export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? crypto.randomUUID()));
}
