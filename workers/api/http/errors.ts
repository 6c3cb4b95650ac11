// One error shape for every failure the API returns:
//   { "error": { "code": "stable_machine_code", "message": "...", "details": [...], "requestId": "..." } }
// Handlers throw ApiError; the app's onError turns anything thrown into this
// shape, so no failure ever leaks as an unshaped 500.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { log } from "./log.ts";

export interface FieldIssue {
  path: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: FieldIssue[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function fieldIssuesFromZod(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    code: issue.code,
    message: issue.message,
  }));
}

export function validationError(issues: FieldIssue[], message = "The request is not valid."): ApiError {
  return new ApiError(400, "validation_failed", message, issues);
}

export function errorBody(c: Context, error: ApiError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...(error.extra ?? {}),
      requestId: c.get("requestId") as string | undefined,
    },
  };
}

/** Connection-level failures say nothing about the request: the client should retry, not give up. */
function isDatabaseUnavailable(err: unknown): boolean {
  const texts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) texts.push(e.message);
  return texts.some((t) =>
    /Connection terminated|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|too many clients/i.test(t),
  );
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    if (status === 400 && /json/i.test(err.message))
      return new ApiError(400, "malformed_json", "The request body is not valid JSON.");
    if (status === 413) return new ApiError(413, "body_too_large", err.message || "The request body is too large.");
    if (status === 401) return new ApiError(401, "unauthorized", err.message || "Authentication required.");
    return new ApiError(status, "http_error", err.message || "Request failed.");
  }
  if (isDatabaseUnavailable(err)) {
    return new ApiError(503, "database_unavailable", "The database is briefly unreachable; retry shortly.");
  }
  return new ApiError(500, "internal_error", "An unexpected error occurred.");
}

export function handleError(err: unknown, c: Context): Response {
  const apiError = toApiError(err);
  if (apiError.status >= 500) {
    const cause =
      err instanceof Error && err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : undefined;
    log(c, "error", "request.failed", {
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      ...(cause ? { cause } : {}),
    });
  }
  const retryAfter = apiError.extra?.retryAfterSeconds;
  if (typeof retryAfter === "number") c.header("retry-after", String(Math.max(1, Math.ceil(retryAfter))));
  else if (apiError.status === 503 || apiError.status === 429) c.header("retry-after", "1");
  return c.json(errorBody(c, apiError), apiError.status);
}

/**
 * A Durable Object's answer to a socket upgrade, passed on: the 101 as it is,
 * any refusal rewritten into the API's error shape (with the request id), so
 * a client sees one shape whichever layer said no.
 */
export async function relayUpgrade(res: Response): Promise<Response> {
  if (res.status === 101) return res;
  const text = await res.text();
  let code = "upgrade_refused";
  let message = text || "The connection was refused.";
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") code = body.error.code;
    if (typeof body.error?.message === "string") message = body.error.message;
  } catch {
    // plain text: kept as the message
  }
  const status = (res.status >= 400 && res.status < 600 ? res.status : 502) as ContentfulStatusCode;
  throw new ApiError(status, code, message);
}
