import { describe, expect, it } from "vitest";
import { decideModeration, decideReply, decodeCursor, encodeCursor, reviewView, type StoredReview } from "./reviews.ts";

const row: StoredReview = {
  orderId: "6f1d2c3b-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
  restaurantId: "11111111-2222-4333-8444-555555555555",
  stars: 1,
  comment: "Rude words",
  createdAt: new Date("2026-11-01T12:00:00Z"),
  replyText: null,
  repliedAt: null,
  hiddenAt: new Date("2026-11-02T12:00:00Z"),
  hiddenReason: "abusive",
};

describe("reviewView", () => {
  it("withholds hidden text and its reason from everyone but admins, keeping the stars", () => {
    const view = reviewView(row, false);
    expect(view).toMatchObject({ stars: 1, comment: null, hidden: true, hiddenReason: null });
    expect(reviewView(row, true)).toMatchObject({ comment: "Rude words", hidden: true, hiddenReason: "abusive" });
  });

  it("shows a visible review's words and the restaurant's reply", () => {
    const view = reviewView(
      { ...row, hiddenAt: null, hiddenReason: null, replyText: "Sorry!", repliedAt: new Date("2026-11-03T00:00:00Z") },
      false,
    );
    expect(view.comment).toBe("Rude words");
    expect(view.reply).toEqual({ text: "Sorry!", repliedAt: "2026-11-03T00:00:00.000Z" });
  });
});

describe("cursor", () => {
  it("round-trips and refuses anything else", () => {
    const cursor = { createdAt: new Date("2026-11-01T12:00:00.123Z"), orderId: row.orderId };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of ["", "abc", "1.2", `1.${row.orderId}.x`, `-1.${row.orderId}`, `1.not-a-uuid`]) {
      expect(decodeCursor(bad)).toBeNull();
    }
  });
});

describe("decisions", () => {
  it("a reply repeated word for word is no change; an edit replaces it", () => {
    expect(decideReply("Thanks", " Thanks ")).toEqual({ change: false });
    expect(decideReply("Thanks", "Thank you")).toEqual({ change: true, text: "Thank you" });
    expect(decideReply(null, "Hi")).toEqual({ change: true, text: "Hi" });
  });

  it("hiding twice or showing a shown review changes nothing", () => {
    expect(decideModeration(true, true)).toEqual({ change: false });
    expect(decideModeration(false, false)).toEqual({ change: false });
    expect(decideModeration(false, true)).toEqual({ change: true, action: "review.hide", hidden: true });
    expect(decideModeration(true, false)).toEqual({ change: true, action: "review.unhide", hidden: false });
  });
});
