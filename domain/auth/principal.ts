// Who is acting. Every state-changing operation is checked against this.
export type Role = "customer" | "restaurant_staff" | "courier" | "admin";

export interface Principal {
  userId: string;
  role: Role;
  /** Only for restaurant staff: the restaurant they act for. */
  restaurantId?: string | undefined;
}
