// The console's view of the API's shapes, taken from the server's own code
// with `import type` (erased at build time), so a field renamed on the server
// breaks `tsc -p web` instead of a kitchen screen. Where the server keeps a
// shape only inside a zod schema it does not export, the alias is built from
// the nearest exported type and says so.
import type { deadLetters, users } from "../../db/schema.ts";
import type { OrderEvent as ServerOrderEvent } from "../../domain/order/order-event.ts";
import type { DeliveryState, OrderState } from "../../domain/order/state-machine.ts";
import type { OrderDO, OrderView } from "../../durable-objects/order/order-do.ts";
import type { BoardMessage, BoardOrder } from "../../durable-objects/restaurant/restaurant-do.ts";
import type { errorBody } from "../../workers/api/http/errors.ts";
import type { Menu, MenuGroup, MenuItem, MenuOption } from "../../workers/api/menus/menu-repository.ts";

export type { BoardMessage, BoardOrder, DeliveryState, Menu, MenuGroup, MenuItem, MenuOption, OrderState, OrderView };

export type OrderEvent = ServerOrderEvent;
export type OrderLine = OrderView["lines"][number];

/** `{ error: { code, message, details?, requestId } }`, exactly what the API's onError writes. */
export type ApiErrorBody = ReturnType<typeof errorBody>;
export type FieldIssue = NonNullable<ApiErrorBody["error"]["details"]>[number];

/** GET /v1/orders/{id}: what the Order DO's `get` returns, without its `ok` flag. */
export type OrderDetail = Omit<Extract<Awaited<ReturnType<OrderDO["get"]>>, { ok: true }>, "ok">;

/** The auth routes' `User` schema mirrors these columns of `users`. */
export type User = Pick<typeof users.$inferSelect, "id" | "email" | "name" | "role" | "restaurantId">;
export type Role = User["role"];

export interface Session {
  accessToken: string;
  tokenType: "Bearer";
  /** Seconds. */
  expiresIn: number;
  refreshToken: string;
  user: User;
}

/** One row of GET /v1/restaurants/{id}/orders: the order's view minus lines and money movements, plus two columns. */
export type OrderSummary = Omit<OrderView, "lines" | "paidMinor" | "refundedMinor" | "deliveryAddress" | "readyAt"> & {
  restaurantName: string;
  updatedAt: string;
};

export interface OrderPage {
  orders: OrderSummary[];
  /** Opaque; null on the last (oldest) page. */
  nextCursor: string | null;
}

type DeadLetterRow = typeof deadLetters.$inferSelect;
/** The admin route serialises the row's timestamps as ISO strings. */
export type DeadLetter = Omit<DeadLetterRow, "receivedAt" | "replayedAt"> & {
  receivedAt: string;
  replayedAt: string | null;
};

// The menu-editing routes (workers/api/routes/restaurant-admin.ts) keep their
// body and response shapes in unexported zod schemas; these follow them,
// built on the menu's exported types.

/** PATCH /v1/restaurants/{id}/menu/items/{itemId}: send at least one field. */
export type MenuItemPatch = Partial<Pick<MenuItem, "available" | "priceMinor" | "name" | "description">>;
/** PATCH /v1/restaurants/{id}/menu/options/{optionId}: send at least one field. */
export type MenuOptionPatch = Partial<Pick<MenuOption, "available" | "priceDeltaMinor">>;

/** Every menu edit answers with what changed and the menu version it made. */
export interface MenuChange<T> {
  menuVersion: number;
  item: T;
}
export type MenuItemChange = MenuChange<Omit<MenuItem, "groups"> & { categoryId: string }>;
export type MenuOptionChange = MenuChange<MenuOption>;
