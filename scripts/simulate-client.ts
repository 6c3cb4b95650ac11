// The simulator's HTTP side (scripts/simulate.ts): JSON calls to the platform
// with a bounded timeout, signing in, and what it tracks per order.

export type Call = <T>(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: T }>;

export function apiClient(base: string): { call: Call; signIn(email: string, password: string): Promise<string> } {
  async function call<T>(
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      // Bounded: a hung request must not freeze a simulated courier.
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async function signIn(email: string, password: string): Promise<string> {
    const res = await call<{ accessToken: string }>("POST", "/v1/auth/sign-in", undefined, { email, password });
    if (res.status !== 200) throw new Error(`sign-in ${email}: ${res.status}`);
    return res.body.accessToken;
  }

  return { call, signIn };
}

export interface OrderTrack {
  id: string;
  customerToken: string;
  restaurantSlug: string;
  events: Map<string, number>;
  offers: number;
  done: boolean;
}

export interface SimCounters {
  placeFailed: number;
  fixesSent: number;
  fixesDropped: number;
  offersDeclined: number;
  stepRetries: number;
  handovers: number;
}
