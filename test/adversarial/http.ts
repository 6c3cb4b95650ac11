// Sending an operation's call as a given caller, and sorting the answer into
// the outcomes the access rules speak of.
import { api } from "../world.ts";
import type { Call, Outcome } from "./access-rules.ts";
import { fillPath, type Operation } from "./operations.ts";

/** The answer to someone who may not see a resource: the same as for one that does not exist. */
const HIDDEN_CODES = new Set(["order_not_found", "address_not_found", "webhook_endpoint_not_found"]);

export async function send(op: Operation, call: Call, token: string | undefined): Promise<Response> {
  const path = fillPath(op.path, call.params ?? {});
  const query = call.query ? `?${new URLSearchParams(call.query)}` : "";
  const headers: Record<string, string> = { ...call.headers };
  if (op.socket) headers.upgrade = "websocket";
  const init: RequestInit & { token?: string; json?: unknown } = { method: op.method, headers };
  if (token) init.token = token;
  if (call.form) {
    // multipart: fetch writes the boundary into the content type itself.
    init.body = call.form();
  } else if (call.rawBody !== undefined) {
    init.body = call.rawBody;
    headers["content-type"] ??= "application/json";
  } else if (call.body !== undefined) {
    // A call that names its own content type (a fuzzer mutation) keeps it.
    if (headers["content-type"]) init.body = JSON.stringify(call.body);
    else init.json = call.body;
  }
  return api(`${path}${query}`, init);
}

export async function classify(
  res: Response,
  allowedNotFound: string[],
): Promise<{ outcome: Outcome | "other"; detail: string }> {
  if (res.status === 101) {
    res.webSocket?.accept();
    res.webSocket?.close(1000, "matrix");
    return { outcome: "allow", detail: "101" };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  const detail = `${res.status} ${code ?? text.slice(0, 80)}`;
  if (res.status === 401) return { outcome: "unauthenticated", detail };
  if (res.status === 403) return { outcome: "forbidden", detail };
  if (res.status === 404) {
    if (code && allowedNotFound.includes(code)) return { outcome: "allow", detail };
    return { outcome: HIDDEN_CODES.has(code ?? "") ? "hidden" : "other", detail };
  }
  // Reached the handler: an answer, or a refusal about the state (409) or the content (422).
  if ((res.status >= 200 && res.status < 300) || res.status === 304 || res.status === 409 || res.status === 422) {
    return { outcome: "allow", detail };
  }
  return { outcome: "other", detail };
}
