// Reviews: the public listing, the restaurant's one reply (its own staff only)
// and an admin hiding abusive words (stars still count, audited with reason).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.ts";
import { auditLog, orderRatings } from "../../db/schema.ts";
import { api, createWorld, signInAll, testEnv, type World, type WorldTokens } from "../../test/world.ts";

let world: World;
let tokens: WorldTokens;
const { db, close } = openDb(testEnv);
const rude = crypto.randomUUID();
const kind = crypto.randomUUID();
const older = crypto.randomUUID();

interface Review {
  orderId: string;
  stars: number;
  comment: string | null;
  hidden: boolean;
  hiddenReason: string | null;
  reply: { text: string } | null;
}

beforeAll(async () => {
  world = await createWorld();
  tokens = await signInAll(world);
  const base = { customerId: world.ids.customer, restaurantId: world.restaurantId };
  await db.insert(orderRatings).values([
    {
      ...base,
      orderId: older,
      restaurantStars: 3,
      restaurantComment: "Fine",
      createdAt: new Date(Date.now() - 60_000),
    },
    { ...base, orderId: kind, restaurantStars: 5, restaurantComment: "Lovely", createdAt: new Date(Date.now() - 1000) },
    { ...base, orderId: rude, restaurantStars: 1, restaurantComment: "You are all idiots", createdAt: new Date() },
  ]);
}, 60_000);

afterAll(() => close());

const reply = (orderId: string, token: string | undefined, text: unknown, restaurantId = world.restaurantId) =>
  api(`/v1/restaurants/${restaurantId}/reviews/${orderId}/reply`, {
    method: "PUT",
    ...(token ? { token } : {}),
    json: { text },
  });
const moderate = (orderId: string, token: string, hidden: boolean, reason = "Abusive language") =>
  api(`/v1/admin/reviews/${orderId}/moderation`, { method: "PUT", token, json: { hidden, reason } });
const code = async (res: Response) => [res.status, ((await res.json()) as { error?: { code?: string } }).error?.code];
const list = async (query = "") =>
  (await (await api(`/v1/restaurants/${world.restaurantId}/reviews${query}`)).json()) as {
    reviews: Review[];
    nextCursor: string | null;
  };

describe("reviews", () => {
  it("lists a restaurant's reviews newest first, a page at a time", async () => {
    const first = await list("?limit=2");
    expect(first.reviews.map((r) => r.orderId)).toEqual([rude, kind]);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? "")}`);
    expect(second.reviews.map((r) => r.orderId)).toEqual([older]);
    expect(second.nextCursor).toBeNull();
    expect((await api(`/v1/restaurants/${world.restaurantId}/reviews?cursor=nope`)).status).toBe(400);
  });

  it("lets the restaurant's own staff reply once and edit it; a retry changes nothing", async () => {
    const first = await reply(kind, tokens.staff, "Thank you, come again!");
    expect(first.status).toBe(200);
    expect(((await first.json()) as Review).reply?.text).toBe("Thank you, come again!");
    const retried = await reply(kind, tokens.staff, "Thank you, come again!");
    expect(retried.status).toBe(200);
    const edited = await reply(kind, tokens.staff, "Thank you!");
    expect(((await edited.json()) as Review).reply?.text).toBe("Thank you!");
    const shown = (await list()).reviews.find((r) => r.orderId === kind);
    expect(shown?.reply?.text).toBe("Thank you!");
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, "review"), eq(auditLog.entityId, kind)));
    expect(rows.map((r) => r.action).sort()).toEqual(["review.reply", "review.reply_edit"]);
  });

  it("refuses replies from other restaurants' staff, customers, couriers, admins, too long or empty", async () => {
    expect(await code(await reply(kind, tokens.otherStaff, "Hi"))).toEqual([403, "not_restaurant_staff"]);
    expect((await reply(kind, tokens.customer, "Hi")).status).toBe(403);
    expect((await reply(kind, tokens.courier, "Hi")).status).toBe(403);
    expect((await reply(kind, tokens.admin, "Hi")).status).toBe(403);
    expect((await reply(kind, undefined, "Hi")).status).toBe(401);
    expect((await reply(kind, tokens.staff, "x".repeat(1001))).status).toBe(400);
    expect((await reply(kind, tokens.staff, "   ")).status).toBe(400);
    // A review of another restaurant is not this restaurant's to answer.
    expect(await code(await reply(crypto.randomUUID(), tokens.staff, "Hi"))).toEqual([404, "review_not_found"]);
  });

  it("lets an admin hide abusive words: stars still count, the text is withheld, the reason audited", async () => {
    const before = (await (await api(`/v1/restaurants/${world.restaurantId}/ratings`)).json()) as { count: number };
    expect((await moderate(rude, tokens.staff, true)).status).toBe(403);
    expect((await moderate(rude, tokens.customer, true)).status).toBe(403);
    expect((await moderate(rude, tokens.admin, true, "")).status).toBe(400);
    const hidden = await moderate(rude, tokens.admin, true);
    expect(hidden.status).toBe(200);
    expect(await hidden.json()).toMatchObject({ hidden: true, comment: "You are all idiots" });
    expect((await moderate(rude, tokens.admin, true)).status).toBe(200);
    const publicView = (await list()).reviews.find((r) => r.orderId === rude);
    expect(publicView).toMatchObject({ stars: 1, comment: null, hidden: true, hiddenReason: null });
    const after = (await (await api(`/v1/restaurants/${world.restaurantId}/ratings`)).json()) as { count: number };
    expect(after.count).toBe(before.count);
    const queue = await api(`/v1/admin/reviews?hidden=true&restaurantId=${world.restaurantId}`, {
      token: tokens.admin,
    });
    const moderation = (await queue.json()) as { reviews: Array<Review & { restaurantName: string }> };
    expect(moderation.reviews.map((r) => [r.orderId, r.comment, r.hiddenReason])).toEqual([
      [rude, "You are all idiots", "Abusive language"],
    ]);
    // Operators see which restaurant each review is about, by name.
    expect(moderation.reviews[0]?.restaurantName).toMatch(/^Test Kitchen /);
    expect((await api("/v1/admin/reviews", { token: tokens.staff })).status).toBe(403);
    expect((await moderate(rude, tokens.admin, false, "Appeal accepted")).status).toBe(200);
    expect((await list()).reviews.find((r) => r.orderId === rude)?.comment).toBe("You are all idiots");
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityType, "review"), eq(auditLog.entityId, rude)));
    expect(rows.map((r) => [r.action, r.note]).sort()).toEqual([
      ["review.hide", "Abusive language"],
      ["review.unhide", "Appeal accepted"],
    ]);
    expect(await code(await moderate(crypto.randomUUID(), tokens.admin, true))).toEqual([404, "review_not_found"]);
  });
});
