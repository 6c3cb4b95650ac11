// The customer app's calls, through the shared typed client (web/shared/api).
// The session lives in localStorage, not the tab's sessionStorage: an
// installed app is closed and reopened all day, and a customer following an
// order must not be asked to sign in again (the refresh token rotates).
import { ApiClient, ApiError, browserSessionStore, type Schemas, type User, unwrap } from "../../shared/api/index.ts";

export { ApiError, type User, unwrap };

export type Restaurant = Schemas["Restaurant"];
export type Menu = Schemas["Menu"];
export type MenuItem = Schemas["MenuItem"];
export type Order = Schemas["Order"] & { handoffPin?: string };
export type OrderEvent = Schemas["OrderEvent"];
export type OrderSummary = Schemas["OrderSummary"];
export type Quote = Schemas["Quote"];
export type SavedAddress = Schemas["SavedAddress"];
export type NewSavedAddress = Schemas["NewSavedAddress"];
export type Profile = Schemas["Profile"];
export type Review = Schemas["Review"];
export type DeliveryAddress = Schemas["DeliveryAddress"];
export type PlaceOrder = Schemas["PlaceOrder"];
export type Rating = Schemas["Rating"];
export type RateOrder = Schemas["RateOrder"];
export type DeliveryAreaOutline = Schemas["DeliveryAreaOutline"];
interface NearQuery {
  lat: number;
  lng: number;
  cuisine?: string;
  q?: string;
  openNow?: boolean;
  minRating?: number | undefined;
}
export type ReportProblem = { problem: (typeof CUSTOMER_PROBLEMS)[number]; note?: string };

/** The kinds of problem the API takes (POST /v1/orders/{id}/problems), in the order the form lists them. */
export const CUSTOMER_PROBLEMS = [
  "missing_items",
  "wrong_items",
  "damaged",
  "late",
  "not_received",
  "courier_conduct",
  "other",
] as const;

const SESSION_KEY = "edge-delivery.customer.session";

export const api = new ApiClient({ store: browserSessionStore(SESSION_KEY, localStorage) });

export class CustomerApi {
  constructor(readonly client: ApiClient = api) {}

  async signIn(email: string, password: string): Promise<User> {
    const user = await this.client.signIn(email, password);
    if (user.role !== "customer") {
      await this.client.signOut();
      throw new ApiError(403, "not_a_customer", "This account is not a customer account.");
    }
    return user;
  }

  async signUp(name: string, email: string, password: string): Promise<User> {
    const first = await unwrap(this.client.http.POST("/v1/auth/sign-up", { body: { name, email, password } }));
    // The client keeps the session it signs in with (and rotates it); the one sign-up
    // answered is not left valid for a month on the side.
    const user = await this.signIn(email, password);
    await this.client.http
      .POST("/v1/auth/sign-out", { body: { refreshToken: first.refreshToken } })
      .catch(() => undefined);
    return user;
  }

  restaurants(query: NearQuery) {
    return this.nearby(query).then((r) => r.restaurants);
  }

  /** The restaurants delivering to a point, and the delivery areas to draw around it. */
  nearby(query: NearQuery) {
    return unwrap(
      this.client.http.GET("/v1/restaurants", {
        params: {
          query: {
            lat: Number(query.lat.toFixed(6)),
            lng: Number(query.lng.toFixed(6)),
            ...(query.cuisine ? { cuisine: query.cuisine } : {}),
            ...(query.q ? { q: query.q } : {}),
            ...(query.openNow ? { openNow: "true" as const } : {}),
            ...(query.minRating ? { minRating: query.minRating } : {}),
          },
        },
      }),
    );
  }

  menu(id: string): Promise<Menu> {
    return unwrap(this.client.http.GET("/v1/restaurants/{id}/menu", { params: { path: { id } } }));
  }

  quote(body: PlaceOrder): Promise<Quote> {
    return unwrap(this.client.http.POST("/v1/quotes", { body }));
  }

  place(body: PlaceOrder, idempotencyKey: string): Promise<Order> {
    return unwrap(
      this.client.http.POST("/v1/orders", { params: { header: { "idempotency-key": idempotencyKey } }, body }),
    );
  }

  checkout(id: string) {
    return unwrap(this.client.http.POST("/v1/orders/{id}/checkout", { params: { path: { id } } }));
  }

  order(id: string): Promise<{ order: Order; timeline: OrderEvent[] }> {
    return unwrap(this.client.http.GET("/v1/orders/{id}", { params: { path: { id } } }));
  }

  cancel(id: string, reason: string): Promise<Order> {
    return unwrap(this.client.http.POST("/v1/orders/{id}/cancel", { params: { path: { id } }, body: { reason } }));
  }

  myOrders(cursor?: string) {
    return unwrap(
      this.client.http.GET("/v1/me/orders", { params: { query: { limit: 20, ...(cursor ? { cursor } : {}) } } }),
    );
  }

  me() {
    return unwrap(this.client.http.GET("/v1/me"));
  }

  updateProfile(patch: { name?: string; phone?: string | null }): Promise<Profile> {
    return unwrap(this.client.http.PATCH("/v1/me", { body: patch }));
  }

  addresses(): Promise<SavedAddress[]> {
    return unwrap(this.client.http.GET("/v1/me/addresses")).then((r) => r.addresses);
  }

  saveAddress(address: NewSavedAddress): Promise<SavedAddress> {
    return unwrap(this.client.http.POST("/v1/me/addresses", { body: address }));
  }

  deleteAddress(id: string): Promise<unknown> {
    return unwrap(this.client.http.DELETE("/v1/me/addresses/{id}", { params: { path: { id } } }));
  }

  exportData(): Promise<unknown> {
    return unwrap(this.client.http.GET("/v1/me/export"));
  }

  async deleteAccount(password: string): Promise<void> {
    await unwrap(this.client.http.DELETE("/v1/me", { body: { password } }));
    await this.client.signOut();
  }

  rating(id: string): Promise<Rating> {
    return unwrap(this.client.http.GET("/v1/orders/{id}/rating", { params: { path: { id } } }));
  }

  rate(id: string, body: RateOrder): Promise<Rating> {
    return unwrap(this.client.http.POST("/v1/orders/{id}/rating", { params: { path: { id } }, body }));
  }

  restaurantRatings(id: string) {
    return unwrap(this.client.http.GET("/v1/restaurants/{id}/ratings", { params: { path: { id } } }));
  }

  reviews(id: string, cursor?: string) {
    return unwrap(
      this.client.http.GET("/v1/restaurants/{id}/reviews", {
        params: { path: { id }, query: { limit: 10, ...(cursor ? { cursor } : {}) } },
      }),
    );
  }

  async uploadProblemPhoto(orderId: string, photo: Blob): Promise<string> {
    const stored = await unwrap(
      this.client.http.POST("/v1/orders/{id}/problem-photos", {
        params: { path: { id: orderId } },
        body: photo,
        // The photo goes as it is, with its own type, not as JSON.
        bodySerializer: (body: Blob) => body,
        headers: { "content-type": photo.type },
      }),
    );
    return stored.photoKey;
  }

  reportProblem(id: string, body: ReportProblem): Promise<Order> {
    return unwrap(this.client.http.POST("/v1/orders/{id}/problems", { params: { path: { id } }, body }));
  }

  orderSocketUrl(id: string, since: number): Promise<string> {
    return this.client.socketUrl(`/v1/orders/${id}/live`, { since });
  }
}

export const customerApi = new CustomerApi();
