// The courier app's calls, through the shared typed client (web/shared/api):
// every path, body and result is typed from the API's OpenAPI document. The
// session lives in localStorage rather than the tab's sessionStorage, because
// an installed PWA outlives its tab and a courier must not sign in again
// after the phone closes the app mid-shift.
import { ApiClient, ApiError, browserSessionStore, type Schemas, type User, unwrap } from "../../shared/api/index.ts";

export { ApiError, type User };

export type CourierJob = Schemas["CourierJobView"];
export type Earnings = Schemas["CourierEarnings"];
export type MonthlyStatement = Schemas["MonthlyStatement"];
export type CourierStep = "arrived-at-pickup" | "picked-up" | "arrived-at-dropoff" | "delivered";
export type StepPosition = Schemas["CourierStep"];
export type HandBackReason = Schemas["HandBack"]["reason"];
export type FailReason = Schemas["FailDelivery"]["reason"];

const SESSION_KEY = "edge-delivery.courier.session";

export class CourierApi {
  readonly client: ApiClient;

  constructor(client?: ApiClient) {
    this.client = client ?? new ApiClient({ store: browserSessionStore(SESSION_KEY, localStorage) });
  }

  get user(): User | null {
    return this.client.user;
  }

  /** Called when the session ends (sign-out, or a refresh token the API refused). */
  onSignOut(listener: () => void): () => void {
    return this.client.onSessionChange((user) => {
      if (user === null) listener();
    });
  }

  async signIn(email: string, password: string): Promise<User> {
    const user = await this.client.signIn(email, password);
    if (user.role !== "courier") {
      await this.client.signOut();
      throw new ApiError(403, "not_a_courier", "This account is not a courier account.");
    }
    return user;
  }

  signOut(): Promise<void> {
    return this.client.signOut();
  }

  /** The zone socket for a position: the API picks that position's cell. */
  liveUrl(at: { lat: number; lng: number }): Promise<string> {
    return this.client.socketUrl("/v1/couriers/live", { lat: at.lat.toFixed(6), lng: at.lng.toFixed(6) });
  }

  job(orderId: string): Promise<CourierJob> {
    return unwrap(this.client.http.GET("/v1/couriers/me/orders/{id}", { params: { path: { id: orderId } } }));
  }

  step(orderId: string, step: CourierStep, position: StepPosition): Promise<unknown> {
    const params = { params: { path: { id: orderId } }, body: position };
    switch (step) {
      case "arrived-at-pickup":
        return unwrap(this.client.http.POST("/v1/couriers/me/orders/{id}/arrived-at-pickup", params));
      case "picked-up":
        return unwrap(this.client.http.POST("/v1/couriers/me/orders/{id}/picked-up", params));
      case "arrived-at-dropoff":
        return unwrap(this.client.http.POST("/v1/couriers/me/orders/{id}/arrived-at-dropoff", params));
      case "delivered":
        return unwrap(this.client.http.POST("/v1/couriers/me/orders/{id}/delivered", params));
    }
  }

  handBack(orderId: string, reason: HandBackReason, note?: string): Promise<unknown> {
    return unwrap(
      this.client.http.POST("/v1/couriers/me/orders/{id}/hand-back", {
        params: { path: { id: orderId } },
        body: { reason, ...(note ? { note } : {}) },
      }),
    );
  }

  startWait(orderId: string): Promise<unknown> {
    return unwrap(
      this.client.http.POST("/v1/couriers/me/orders/{id}/customer-wait", {
        params: { path: { id: orderId } },
        body: {},
      }),
    );
  }

  async uploadPhoto(orderId: string, photo: Blob): Promise<string> {
    const stored = await unwrap(
      this.client.http.PUT("/v1/couriers/me/orders/{id}/failure-photo", {
        params: { path: { id: orderId } },
        body: photo,
        // The photo goes as it is, with its own type, not as JSON.
        bodySerializer: (body: Blob) => body,
        headers: { "content-type": photo.type || "image/jpeg" },
      }),
    );
    return stored.photoKey;
  }

  failDelivery(orderId: string, reason: FailReason, note?: string, photoKey?: string): Promise<unknown> {
    return unwrap(
      this.client.http.POST("/v1/couriers/me/orders/{id}/delivery-failed", {
        params: { path: { id: orderId } },
        body: { reason, ...(note ? { note } : {}), ...(photoKey ? { photoKey } : {}) },
      }),
    );
  }

  earnings(from: Date): Promise<Earnings> {
    return unwrap(
      this.client.http.GET("/v1/couriers/me/earnings", { params: { query: { from: from.toISOString() } } }),
    );
  }

  /** A calendar month (UTC, `YYYY-MM`) of the courier's ledger: opening, lines, closing. */
  async monthlyStatement(month: string): Promise<MonthlyStatement> {
    const statement = await unwrap(
      this.client.http.GET("/v1/couriers/me/statements/{month}", { params: { path: { month } } }),
    );
    // The path also answers CSV, so its type allows text; without ?format=csv the API sends JSON.
    if (typeof statement === "string") throw new Error("The statement came back as text, not JSON.");
    return statement;
  }

  /** The same month as the CSV file the API writes. */
  monthlyStatementCsv(month: string): Promise<string> {
    return unwrap(
      this.client.http.GET("/v1/couriers/me/statements/{month}", {
        params: { path: { month }, query: { format: "csv" } },
        parseAs: "text",
      }),
    );
  }

  monthlyStatementHtml(month: string, lang: "en" | "pt"): Promise<string> {
    return unwrap(
      this.client.http.GET("/v1/couriers/me/statements/{month}", {
        params: { path: { month }, query: { format: "html", lang } },
        parseAs: "text",
      }),
    );
  }
}
