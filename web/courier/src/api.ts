// The courier app's calls to the API, behind one small interface. Temporary:
// once the shared client generated from the OpenAPI document lands in
// web/shared/api, these methods delegate to it and the hand-written types
// below go away. It keeps the session in localStorage (a PWA outlives its
// tab), refreshes the access token before it lapses or after a 401, and turns
// every failure into an ApiError with the API's own code and message.

export const API_BASE: string = (import.meta.env.VITE_API_BASE as string | undefined) ?? "http://127.0.0.1:8787";

export interface User {
  id: string;
  email: string;
  name: string;
  role: "customer" | "restaurant_staff" | "courier" | "admin";
}

interface Session {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

interface StoredSession {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  user: User;
}

export interface DeliveryAddress {
  line1: string;
  line2?: string;
  city: string;
  postcode: string;
  lat: number;
  lng: number;
  instructions?: string;
}

export interface CourierJob {
  orderId: string;
  status: string;
  delivery: string;
  lastSeq: number;
  restaurant: { id: string; name: string | null; address: string | null; lat: number; lng: number };
  dropoff: DeliveryAddress;
  items: Array<{ name: string; quantity: number; options: string[] }>;
  pay: { payMinor: number; tipMinor: number; totalMinor: number; currency: string };
  readyAt: string | null;
  customerWaitUntil: number | null;
  pinAttemptsLeft: number;
}

export interface Earnings {
  from: string;
  to: string;
  jobs: Array<{
    orderId: string;
    restaurantName: string;
    outcome: "delivered" | "failed";
    endedAt: string;
    currency: string;
    payMinor: number;
    tipMinor: number;
    totalMinor: number;
  }>;
  totals: Array<{ currency: string; jobs: number; payMinor: number; tipMinor: number; totalMinor: number }>;
}

export type CourierStep = "arrived-at-pickup" | "picked-up" | "arrived-at-dropoff" | "delivered";

export interface StepPosition {
  lat: number;
  lng: number;
  accuracyM: number;
  pin?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields of the error body, e.g. distanceM and radiusM of a geofence refusal. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const STORAGE_KEY = "edge-delivery.courier.session";
const REFRESH_MARGIN_MS = 60_000;

export class CourierApi {
  private session: StoredSession | null;
  private refreshing: Promise<StoredSession> | null = null;
  private readonly listeners = new Set<(user: User | null) => void>();

  constructor(
    readonly baseUrl: string = API_BASE,
    private readonly storage: Storage = localStorage,
  ) {
    this.session = this.load();
  }

  private load(): StoredSession | null {
    try {
      const raw = this.storage.getItem(STORAGE_KEY);
      return raw ? (JSON.parse(raw) as StoredSession) : null;
    } catch {
      return null;
    }
  }

  private adopt(session: Session): StoredSession {
    const stored = {
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      expiresAt: Date.now() + session.expiresIn * 1000,
      user: session.user,
    };
    this.session = stored;
    this.storage.setItem(STORAGE_KEY, JSON.stringify(stored));
    return stored;
  }

  private end(): void {
    this.session = null;
    this.storage.removeItem(STORAGE_KEY);
    for (const listener of this.listeners) listener(null);
  }

  get user(): User | null {
    return this.session?.user ?? null;
  }

  onSignOut(listener: () => void): () => void {
    const wrapped = (user: User | null) => {
      if (user === null) listener();
    };
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  async signIn(email: string, password: string): Promise<User> {
    const session = await this.request<Session>("POST", "/v1/auth/sign-in", { email, password }, false);
    if (session.user.role !== "courier") {
      throw new ApiError(403, "not_a_courier", "This account is not a courier account.");
    }
    return this.adopt(session).user;
  }

  async signOut(): Promise<void> {
    const refreshToken = this.session?.refreshToken;
    this.end();
    if (refreshToken) {
      await this.request("POST", "/v1/auth/sign-out", { refreshToken }, false).catch(() => {});
    }
  }

  /** A valid access token, refreshed first when close to expiry (the WebSocket URL carries it). */
  async accessToken(): Promise<string> {
    const session = this.session;
    if (!session) throw new ApiError(401, "token_missing", "Sign in first.");
    if (session.expiresAt - Date.now() > REFRESH_MARGIN_MS) return session.accessToken;
    return (await this.refresh()).accessToken;
  }

  private refresh(): Promise<StoredSession> {
    const session = this.session;
    if (!session) return Promise.reject(new ApiError(401, "token_missing", "Sign in first."));
    this.refreshing ??= this.request<Session>("POST", "/v1/auth/refresh", { refreshToken: session.refreshToken }, false)
      .then((next) => this.adopt(next))
      .catch((error: unknown) => {
        // Only a refused refresh token ends the session; a network failure keeps it for the next try.
        if (error instanceof ApiError && error.status === 401) this.end();
        throw error;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  /** The zone socket for a position: the server picks the cell's Zone DO. */
  async liveUrl(at: { lat: number; lng: number }): Promise<string> {
    const url = new URL(`${this.baseUrl}/v1/couriers/live`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("lat", at.lat.toFixed(6));
    url.searchParams.set("lng", at.lng.toFixed(6));
    url.searchParams.set("access_token", await this.accessToken());
    return url.toString();
  }

  job(orderId: string): Promise<CourierJob> {
    return this.request("GET", `/v1/couriers/me/orders/${encodeURIComponent(orderId)}`);
  }

  step(orderId: string, step: CourierStep, position: StepPosition): Promise<unknown> {
    return this.request("POST", `/v1/couriers/me/orders/${encodeURIComponent(orderId)}/${step}`, position);
  }

  handBack(orderId: string, reason: string, note?: string): Promise<unknown> {
    return this.request("POST", `/v1/couriers/me/orders/${encodeURIComponent(orderId)}/hand-back`, {
      reason,
      ...(note ? { note } : {}),
    });
  }

  startWait(orderId: string): Promise<unknown> {
    return this.request("POST", `/v1/couriers/me/orders/${encodeURIComponent(orderId)}/customer-wait`, {});
  }

  async uploadPhoto(orderId: string, photo: Blob): Promise<string> {
    const result = await this.request<{ photoKey: string }>(
      "PUT",
      `/v1/couriers/me/orders/${encodeURIComponent(orderId)}/failure-photo`,
      photo,
    );
    return result.photoKey;
  }

  failDelivery(orderId: string, reason: string, note?: string, photoKey?: string): Promise<unknown> {
    return this.request("POST", `/v1/couriers/me/orders/${encodeURIComponent(orderId)}/delivery-failed`, {
      reason,
      ...(note ? { note } : {}),
      ...(photoKey ? { photoKey } : {}),
    });
  }

  earnings(from: Date): Promise<Earnings> {
    return this.request("GET", `/v1/couriers/me/earnings?from=${encodeURIComponent(from.toISOString())}`);
  }

  private async request<T>(method: string, path: string, body?: unknown, auth = true, retried = false): Promise<T> {
    const headers: Record<string, string> = {};
    if (auth) headers.authorization = `Bearer ${await this.accessToken()}`;
    let payload: BodyInit | undefined;
    if (body instanceof Blob) {
      payload = body;
      headers["content-type"] = body.type || "application/octet-stream";
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload ?? null });
    } catch {
      throw new ApiError(0, "network_error", "No connection to the server.");
    }
    if (response.status === 401 && auth && !retried && this.session) {
      await this.refresh();
      return this.request(method, path, body, auth, true);
    }
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!response.ok) {
      const error = (json as { error?: Record<string, unknown> } | null)?.error ?? {};
      const { code, message, ...extra } = error;
      throw new ApiError(
        response.status,
        typeof code === "string" ? code : "http_error",
        typeof message === "string" ? message : `HTTP ${response.status}`,
        extra,
      );
    }
    return json as T;
  }
}
