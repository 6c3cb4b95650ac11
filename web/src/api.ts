// The console's typed client for the Edge Delivery API. Every response and
// request body is typed from the server's code (see types.ts). It keeps the
// session, refreshes the access token shortly before it expires or when the
// API answers 401, and turns every failure into an ApiError carrying the
// API's own code and message, which the screens show as they are.
import type {
  ApiErrorBody,
  BoardOrder,
  DeadLetter,
  FieldIssue,
  Menu,
  MenuItemChange,
  MenuItemPatch,
  MenuOptionChange,
  MenuOptionPatch,
  OrderDetail,
  OrderPage,
  OrderState,
  OrderView,
  Session,
  User,
} from "./types.ts";

export const DEFAULT_API_BASE = "http://127.0.0.1:8787";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldIssue[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** The message with any per-field issues, as one line for the screen. */
  describe(): string {
    if (this.details.length === 0) return this.message;
    const issues = this.details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message));
    return `${this.message} (${issues.join("; ")})`;
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** Where the session survives a reload; the tab's sessionStorage by default. */
export interface SessionStore {
  load(): StoredSession | null;
  save(session: StoredSession | null): void;
}

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds when the access token stops working. */
  expiresAt: number;
  user: User;
}

const STORAGE_KEY = "edge-delivery.console.session";

export function browserSessionStore(storage: Storage = sessionStorage): SessionStore {
  return {
    load() {
      const raw = storage.getItem(STORAGE_KEY);
      if (!raw) return null;
      try {
        return JSON.parse(raw) as StoredSession;
      } catch {
        storage.removeItem(STORAGE_KEY);
        return null;
      }
    },
    save(session) {
      if (session) storage.setItem(STORAGE_KEY, JSON.stringify(session));
      else storage.removeItem(STORAGE_KEY);
    },
  };
}

export function memorySessionStore(): SessionStore {
  let current: StoredSession | null = null;
  return {
    load: () => current,
    save: (session) => {
      current = session;
    },
  };
}

export interface RestaurantOrdersQuery {
  cursor?: string | undefined;
  limit?: number;
  status?: readonly OrderState[];
}

interface RequestOptions {
  method?: "GET" | "POST" | "PATCH";
  body?: unknown;
  /** Off for sign-in and refresh themselves. */
  auth?: boolean;
  query?: Record<string, string | undefined>;
  cache?: RequestCache;
}

/** Refresh this long before expiry, so a request never leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

export class ApiClient {
  readonly baseUrl: string;
  private session: StoredSession | null;
  private refreshing: Promise<StoredSession> | null = null;
  private readonly listeners = new Set<(user: User | null) => void>();

  constructor(
    baseUrl: string,
    private readonly store: SessionStore = browserSessionStore(),
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.session = store.load();
  }

  get user(): User | null {
    return this.session?.user ?? null;
  }

  /** Called with the user after sign-in, and with null when the session ends (sign-out or a dead refresh token). */
  onSessionChange(listener: (user: User | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async signIn(email: string, password: string): Promise<User> {
    const session = await this.request<Session>("/v1/auth/sign-in", {
      method: "POST",
      body: { email, password },
      auth: false,
    });
    this.adopt(session);
    return session.user;
  }

  async signOut(): Promise<void> {
    const refreshToken = this.session?.refreshToken;
    this.end();
    if (!refreshToken) return;
    try {
      await this.request<null>("/v1/auth/sign-out", { method: "POST", body: { refreshToken }, auth: false });
    } catch {
      // The local session is gone either way; an unreachable API must not keep anyone signed in here.
    }
  }

  /** A valid access token, refreshed first when it is close to expiry (for the WebSocket URL). */
  async accessToken(): Promise<string> {
    const session = this.session;
    if (!session) throw new ApiError(401, "token_missing", "Sign in first.");
    if (session.expiresAt - Date.now() > REFRESH_MARGIN_MS) return session.accessToken;
    return (await this.refresh()).accessToken;
  }

  // --- the restaurant -------------------------------------------------------

  async board(restaurantId: string): Promise<BoardOrder[]> {
    const result = await this.request<{ orders: BoardOrder[] }>(`/v1/restaurants/${enc(restaurantId)}/board`);
    return result.orders;
  }

  /** The board's WebSocket URL; browsers cannot set headers on a WebSocket, so the token rides in the query. */
  async boardSocketUrl(restaurantId: string): Promise<string> {
    const url = new URL(`${this.baseUrl}/v1/restaurants/${enc(restaurantId)}/board/live`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("access_token", await this.accessToken());
    return url.toString();
  }

  restaurantOrders(restaurantId: string, query: RestaurantOrdersQuery = {}): Promise<OrderPage> {
    return this.request<OrderPage>(`/v1/restaurants/${enc(restaurantId)}/orders`, {
      query: {
        cursor: query.cursor,
        limit: query.limit === undefined ? undefined : String(query.limit),
        status: query.status && query.status.length > 0 ? query.status.join(",") : undefined,
      },
    });
  }

  order(orderId: string): Promise<OrderDetail> {
    return this.request<OrderDetail>(`/v1/orders/${enc(orderId)}`);
  }

  accept(orderId: string, prepTimeMinutes: number): Promise<OrderView> {
    return this.command(orderId, "accept", { prepTimeMinutes });
  }

  reject(orderId: string, reason: string): Promise<OrderView> {
    return this.command(orderId, "reject", { reason });
  }

  startPreparing(orderId: string): Promise<OrderView> {
    return this.command(orderId, "preparing", {});
  }

  adjustPrepTime(orderId: string, prepTimeMinutes: number): Promise<OrderView> {
    return this.command(orderId, "prep-time", { prepTimeMinutes });
  }

  markReady(orderId: string): Promise<OrderView> {
    return this.command(orderId, "ready", {});
  }

  cancel(orderId: string, reason: string): Promise<OrderView> {
    return this.command(orderId, "cancel", { reason });
  }

  // --- the menu -------------------------------------------------------------

  menu(restaurantId: string): Promise<Menu> {
    // The menu is cached by ETag; "no-cache" revalidates, so an edit shows at once.
    return this.request<Menu>(`/v1/restaurants/${enc(restaurantId)}/menu`, { auth: false, cache: "no-cache" });
  }

  updateMenuItem(restaurantId: string, itemId: string, patch: MenuItemPatch): Promise<MenuItemChange> {
    return this.request<MenuItemChange>(`/v1/restaurants/${enc(restaurantId)}/menu/items/${enc(itemId)}`, {
      method: "PATCH",
      body: patch,
    });
  }

  updateMenuOption(restaurantId: string, optionId: string, patch: MenuOptionPatch): Promise<MenuOptionChange> {
    return this.request<MenuOptionChange>(`/v1/restaurants/${enc(restaurantId)}/menu/options/${enc(optionId)}`, {
      method: "PATCH",
      body: patch,
    });
  }

  // --- operators --------------------------------------------------------------

  async deadLetters(pendingOnly = true): Promise<DeadLetter[]> {
    const result = await this.request<{ deadLetters: DeadLetter[] }>("/v1/admin/dead-letters", {
      query: { pending: String(pendingOnly) },
    });
    return result.deadLetters;
  }

  replayDeadLetter(id: number): Promise<DeadLetter> {
    return this.request<DeadLetter>(`/v1/admin/dead-letters/${id}/replay`, { method: "POST" });
  }

  // --- plumbing -------------------------------------------------------------

  private command(orderId: string, path: string, body: Record<string, unknown>): Promise<OrderView> {
    return this.request<OrderView>(`/v1/orders/${enc(orderId)}/${path}`, { method: "POST", body });
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
   * callers must share one rotation rather than each send the same token.
   */
  private refresh(): Promise<StoredSession> {
    this.refreshing ??= (async () => {
      const refreshToken = this.session?.refreshToken;
      if (!refreshToken) throw new ApiError(401, "token_missing", "Sign in first.");
      try {
        const session = await this.request<Session>("/v1/auth/refresh", {
          method: "POST",
          body: { refreshToken },
          auth: false,
        });
        return this.adopt(session);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) this.end();
        throw error;
      }
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async request<T>(path: string, options: RequestOptions = {}, retried = false): Promise<T> {
    const auth = options.auth ?? true;
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (auth) headers.authorization = `Bearer ${await this.accessToken()}`;
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, value);
    }

    let response: Response;
    try {
      response = await fetch(url, {
        method: options.method ?? "GET",
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        cache: options.cache ?? "default",
      });
    } catch {
      throw new ApiError(0, "network_error", `Cannot reach the API at ${this.baseUrl}. Check your connection.`);
    }

    // An access token can be revoked or expire early (clock skew); one rotation and one retry.
    if (response.status === 401 && auth && !retried && this.session) {
      await this.refresh();
      return this.request<T>(path, options, true);
    }
    if (response.status === 204) return null as T;

    const text = await response.text();
    let payload: unknown = null;
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = null;
      }
    }
    if (!response.ok) {
      if (isErrorBody(payload)) {
        const { code, message, details, requestId } = payload.error;
        throw new ApiError(response.status, code, message, details ?? [], requestId);
      }
      throw new ApiError(response.status, "http_error", `The API answered ${response.status} ${response.statusText}.`);
    }
    return payload as T;
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
