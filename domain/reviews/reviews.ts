// Reviews (decision 51): a customer's rating of a restaurant, shown with the
// restaurant's one reply. An admin may hide the words of an abusive review;
// the stars still count toward the restaurant's average, and everyone but an
// admin sees a "hidden by moderation" note in place of the text.

export const MAX_REPLY = 1000;
export const MAX_MODERATION_REASON = 300;
export const REVIEWS_PAGE = 20;

export interface StoredReview {
  orderId: string;
  restaurantId: string;
  stars: number;
  comment: string | null;
  createdAt: Date;
  replyText: string | null;
  repliedAt: Date | null;
  hiddenAt: Date | null;
  hiddenReason: string | null;
}

export interface ReviewView {
  orderId: string;
  restaurantId: string;
  stars: number;
  /** Null when the customer wrote nothing, or when it is hidden and the reader is not an admin. */
  comment: string | null;
  hidden: boolean;
  /** Only admins see why. */
  hiddenReason: string | null;
  reply: { text: string; repliedAt: string } | null;
  createdAt: string;
}

export function reviewView(row: StoredReview, asAdmin: boolean): ReviewView {
  const hidden = row.hiddenAt !== null;
  return {
    orderId: row.orderId,
    restaurantId: row.restaurantId,
    stars: row.stars,
    comment: hidden && !asAdmin ? null : row.comment,
    hidden,
    hiddenReason: asAdmin ? row.hiddenReason : null,
    reply:
      row.replyText !== null && row.repliedAt !== null
        ? { text: row.replyText, repliedAt: row.repliedAt.toISOString() }
        : null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Newest first; the cursor names the last review seen: its time and order id. */
export interface Cursor {
  createdAt: Date;
  orderId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: Cursor): string {
  return `${cursor.createdAt.getTime()}.${cursor.orderId}`;
}

export function decodeCursor(text: string): Cursor | null {
  const [ms, orderId, ...rest] = text.split(".");
  if (rest.length > 0 || !ms || !orderId || !/^\d{1,15}$/.test(ms) || !UUID.test(orderId)) return null;
  return { createdAt: new Date(Number(ms)), orderId: orderId.toLowerCase() };
}

export type ReplyDecision = { change: false } | { change: true; text: string };

/** A reply repeated word for word changes nothing (a retried request); anything else replaces it. */
export function decideReply(current: string | null, requested: string): ReplyDecision {
  const text = requested.trim();
  return current === text ? { change: false } : { change: true, text };
}

export type ModerationDecision =
  | { change: false }
  | { change: true; action: "review.hide" | "review.unhide"; hidden: boolean };

/** Hiding a hidden review (or showing a shown one) is a retry: no change and no second audit row. */
export function decideModeration(currentlyHidden: boolean, hide: boolean): ModerationDecision {
  if (currentlyHidden === hide) return { change: false };
  return { change: true, action: hide ? "review.hide" : "review.unhide", hidden: hide };
}
