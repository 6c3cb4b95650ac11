import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Database } from "../../db/client.ts";
import type { Principal } from "../../domain/auth/principal.ts";
import type { Env } from "../env.ts";

export interface AppVariables {
  requestId: string;
  /** This request's W3C trace context (domain/trace/traceparent.ts), passed on to the DOs it calls. */
  traceparent: string;
  principal: Principal | undefined;
  db: Database;
  /** Set once the request wrote its own audit row (see audit/request-audit.ts). */
  audited?: boolean;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
export type AppContext = Context<AppEnv>;
export type App = OpenAPIHono<AppEnv>;
