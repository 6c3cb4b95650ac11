// The typed client every web app uses: openapi-fetch over the types generated
// from the API's own OpenAPI document (schema.d.ts, `npm run api:generate`),
// plus the session the API's auth routes define. It keeps the session, puts
// the bearer token on every call, refreshes the access token shortly before
// it expires, and when the API still answers 401 it rotates the refresh
// token once and retries. Failures become `ApiError`s carrying the API's own
// `{ error: { code, message, details, requestId } }`.
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type User = Schemas["User"];
export type Role = User["role"];
export type Session = Schemas["Session"];
export type ApiErrorBody = Schemas["Error"];
export type FieldIssue = NonNullable<ApiErrorBody["error"]["details"]>[number];
export type ApiPaths = paths;
export type HttpClient = Client<paths>;

/** Where `npm start` serves the API; used when VITE_API_BASE is not set. */
export const DEFAULT_API_BASE = "http://127.0.0.1:8787";

/** The API's origin from the build's VITE_API_BASE, else the local one. */
export function apiBaseFromEnv(): string {
  return import.meta.env?.VITE_API_BASE || DEFAULT_API_BASE;
}

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the API could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
    readonly requestId?: string,
    /** Whatever else the error carried (e.g. `distanceM` and `radiusM` of `outside_geofence`). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Builds the error from a failed response and its parsed body. */
  static from(response: Response, body: unknown): ApiError {
    if (isErrorBody(body)) {
      const { code, message, details, requestId, ...extra } = body.error;
      return new ApiError(response.status, code, message, details ?? [], requestId, extra);
    }
    return new ApiError(response.status, "http_error", `The API answered ${response.status} ${response.statusText}.`);
  }

  /** The message with any per-field issues, as one line for a screen. */
  describe(): string {
    if (this.details.length === 0) return this.message;
    const issues = this.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message));
    return `${this.message} (${issues.join("; ")})`;
  }
}

export function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/**
 * The data of a successful call, or the API's error thrown as an ApiError:
 * `const board = await unwrap(api.http.GET("/v1/restaurants/{id}/board", ...))`.
 */
export async function unwrap<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await pending;
  if (!response.ok) throw ApiError.from(response, error);
  return data as D;
}

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token stops working. */
  expiresAt: number;
  user: User;
}

/** Where the session survives a reload. */
export interface SessionStore {
  load(): StoredSession | null;
  save(session: StoredSession | null): void;
}

/** The tab's sessionStorage by default: closing the tab signs out, and apps keep separate sessions by key. */
export function browserSessionStore(key: string, storage: Storage = sessionStorage): SessionStore {
  return {
    load() {
      const raw = storage.getItem(key);
      if (!raw) return null;
      try {
        return JSON.parse(raw) as StoredSession;
      } catch {
        storage.removeItem(key);
        return null;
      }
    },
    save(session) {
      if (session) storage.setItem(key, JSON.stringify(session));
      else storage.removeItem(key);
    },
  };
}

export function memorySessionStore(initial: StoredSession | null = null): SessionStore {
  let current = initial;
  return {
    load: () => current,
    save: (session) => {
      current = session;
    },
  };
}

export interface ApiClientOptions {
  baseUrl?: string;
  store?: SessionStore;
  /** Refresh this long before expiry, so no request leaves with a token about to lapse. */
  refreshMarginMs?: number;
  /** Seam for tests; the browser's fetch otherwise. */
  fetch?: (request: Request) => Promise<Response>;
}

/** The sign-in, refresh and sign-out calls carry tokens in their bodies, never a bearer. */
const NO_BEARER = /^\/v1\/auth\//;

export class ApiClient {
  readonly baseUrl: string;
  /** Typed calls: `api.http.GET("/v1/orders/{id}", { params: { path: { id } } })`. */
  readonly http: HttpClient;
  private session: StoredSession | null;
  private refreshing: Promise<StoredSession> | null = null;
  private readonly listeners = new Set<(user: User | null) => void>();
  private readonly store: SessionStore;
  private readonly refreshMarginMs: number;
  private readonly send: (request: Request) => Promise<Response>;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? apiBaseFromEnv()).replace(/\/+$/, "");
    this.store = options.store ?? memorySessionStore();
    this.refreshMarginMs = options.refreshMarginMs ?? 60_000;
    const send = options.fetch ?? ((request: Request) => fetch(request));
    this.send = async (request) => {
      try {
        return await send(request);
      } catch {
        throw new ApiError(0, "network_error", `Cannot reach the API at ${this.baseUrl}. Check your connection.`);
      }
    };
    this.session = this.store.load();
    this.http = createClient<paths>({ baseUrl: this.baseUrl, fetch: (request) => this.authorised(request) });
  }

  get user(): User | null {
    return this.session?.user ?? null;
  }

  /** Called with the user after sign-in, and with null when the session ends (sign-out or a refused refresh). */
  onSessionChange(listener: (user: User | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async signIn(email: string, password: string): Promise<User> {
    const session = await unwrap(this.http.POST("/v1/auth/sign-in", { body: { email, password } }));
    return this.adopt(session).user;
  }

  /** Chooses a password with an invitation link and starts the session it opens. */
  async acceptInvitation(token: string, password: string): Promise<User> {
    const session = await unwrap(this.http.POST("/v1/invitations/accept", { body: { token, password } }));
    return this.adopt(session).user;
  }

  async signOut(): Promise<void> {
    const refreshToken = this.session?.refreshToken;
    this.end();
    if (!refreshToken) return;
    try {
      await unwrap(this.http.POST("/v1/auth/sign-out", { body: { refreshToken } }));
    } catch {
      // The local session is gone either way; an unreachable API must not keep anyone signed in here.
    }
  }

  /** A valid access token, refreshed first when it is close to expiry. */
  async accessToken(): Promise<string> {
    const session = this.session;
    if (!session) throw new ApiError(401, "token_missing", "Sign in first.");
    if (session.expiresAt - Date.now() > this.refreshMarginMs) return session.accessToken;
    return (await this.refresh()).accessToken;
  }

  /**
   * A WebSocket URL for `path` (e.g. `/v1/restaurants/{id}/board/live`, filled in).
   * Browsers cannot set headers on a WebSocket, so the token rides in the query;
   * ask for a fresh URL per connection attempt, since the token rotates.
   */
  async socketUrl(path: string, query: Record<string, string | number> = {}): Promise<string> {
    const url = new URL(this.baseUrl + path);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
    url.searchParams.set("access_token", await this.accessToken());
    return url.toString();
  }

  private adopt(session: Session): StoredSession {
    const stored: StoredSession = {
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      expiresAt: Date.now() + session.expiresIn * 1000,
      user: session.user,
    };
    const changedUser = this.session?.user.id !== stored.user.id;
    this.session = stored;
    this.store.save(stored);
    if (changedUser) for (const listener of this.listeners) listener(stored.user);
    return stored;
  }

  private end(): void {
    const hadSession = this.session !== null;
    this.session = null;
    this.store.save(null);
    if (hadSession) for (const listener of this.listeners) listener(null);
  }

  /**
   * Rotates the refresh token. Single-flight: the API treats a second use of
   * one refresh token as theft and revokes the whole family, so concurrent
   * callers share one rotation rather than each send the same token.
   */
  private refresh(): Promise<StoredSession> {
    this.refreshing ??= (async () => {
      const refreshToken = this.session?.refreshToken;
      if (!refreshToken) throw new ApiError(401, "token_missing", "Sign in first.");
      try {
        return this.adopt(await unwrap(this.http.POST("/v1/auth/refresh", { body: { refreshToken } })));
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) this.end();
        throw error;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** The transport under `http`: adds the bearer, and on a 401 rotates once and retries. */
  private async authorised(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (NO_BEARER.test(path) || !this.session) return this.send(request);
    // A body can be read only once, and a cloned one goes out as a stream (which
    // browsers refuse over HTTP/1.1), so both attempts get plain copies of its bytes.
    const body = request.body === null ? null : await request.arrayBuffer();
    const first = copyRequest(request, body);
    const retry = copyRequest(request, body);
    const token = await this.accessToken();
    first.headers.set("authorization", `Bearer ${token}`);
    const response = await this.send(first);
    // An access token can be revoked or expire early (clock skew): one rotation, one retry.
    const current = this.session;
    if (response.status !== 401 || !current) return response;
    // Another call may have rotated while this one was out; its token is the one to retry with.
    const fresh = current.accessToken !== token ? current.accessToken : (await this.refresh()).accessToken;
    retry.headers.set("authorization", `Bearer ${fresh}`);
    return this.send(retry);
  }
}

/** A fresh request to the same place with the same options and these body bytes. */
function copyRequest(request: Request, body: ArrayBuffer | null): Request {
  return new Request(request.url, {
    method: request.method,
    headers: new Headers(request.headers),
    body,
    cache: request.cache,
    credentials: request.credentials,
    redirect: request.redirect,
    referrerPolicy: request.referrerPolicy,
    integrity: request.integrity,
    keepalive: request.keepalive,
    signal: request.signal,
  });
}
