// Redeeming a promotion code, safely under concurrent placements. The rules
// are domain/pricing/promotions.ts; this file feeds them facts from Postgres.
//
// A redemption is one transaction that locks the promotion's row first
// (SELECT ... FOR UPDATE), so every redemption of one code runs one after the
// other: each sees the spend and the customer's redemptions the previous one
// committed, evaluates the rules again, and adds its own. The row's check
// constraint (spent <= budget) refuses an overspend even if this code were
// wrong. A redemption is keyed by its order id, so a retried placement finds
// the one it already made; a cancelled order releases it, giving its discount
// back to the budget and the customer's allowance.
import { and, count, eq, inArray, isNotNull, isNull, ne, notInArray, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { orders } from "../../db/schema.ts";
import { promotionRedemptions, promotions } from "../../db/schema-promotions.ts";
import {
  evaluatePromotion,
  normalizeCode,
  type Promotion,
  type PromotionFacts,
  type PromotionResult,
} from "../../domain/pricing/promotions.ts";

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
type Reader = Database | Transaction;

export type PromotionRow = typeof promotions.$inferSelect;

export function toPromotion(row: PromotionRow): Promotion {
  return {
    id: row.id,
    code: row.code,
    kind: row.kind === "fixed" ? "fixed" : "percent",
    percentBps: row.percentBps,
    amountMinor: row.amountMinor,
    maxDiscountMinor: row.maxDiscountMinor,
    currency: row.currency,
    minOrderMinor: row.minOrderMinor,
    firstOrderOnly: row.firstOrderOnly,
    perCustomerLimit: row.perCustomerLimit,
    budgetMinor: row.budgetMinor,
    spentMinor: row.spentMinor,
    startsAt: row.startsAt.getTime(),
    endsAt: row.endsAt.getTime(),
    fundedBy: row.fundedBy === "restaurant" ? "restaurant" : "platform",
    restaurantId: row.restaurantId,
    disabledAt: row.disabledAt?.getTime() ?? null,
  };
}

export interface RedemptionRequest {
  code: string;
  customerId: string;
  /** The order being placed; a quote has none. */
  orderId: string | null;
  restaurantId: string;
  currency: string;
  subtotalMinor: number;
  now: number;
}

export type Redeemed = { ok: true; promotion: Promotion; discountMinor: number; created: boolean };
export type RedeemResult = Redeemed | Extract<PromotionResult, { ok: false }>;

const CALLED_OFF = ["rejected", "cancelled", "failed"] as const;

/** The customer's facts, leaving out the order being placed (a retry must not count itself); one round trip. */
async function customerFacts(
  db: Reader,
  promotionId: string,
  customerId: string,
  orderId: string | null,
): Promise<Pick<PromotionFacts, "customerRedemptions" | "customerHasOrdered">> {
  const other = orderId ?? "00000000-0000-0000-0000-000000000000";
  const held = and(
    eq(promotionRedemptions.customerId, customerId),
    isNull(promotionRedemptions.releasedAt),
    ne(promotionRedemptions.orderId, other),
  );
  const mine = db
    .select({ n: count() })
    .from(promotionRedemptions)
    .where(and(held, eq(promotionRedemptions.promotionId, promotionId)));
  // An order not yet projected still holds its redemption, so either one counts as ordering before.
  const earlierOrder = db
    .select({ one: sql`1` })
    .from(orders)
    .where(and(eq(orders.customerId, customerId), ne(orders.id, other), notInArray(orders.status, [...CALLED_OFF])));
  const heldAny = db.select({ one: sql`1` }).from(promotionRedemptions).where(held);
  const result = await db.execute<{ mine: number; ordered: boolean }>(
    sql`select (${mine})::int as mine, (exists (${earlierOrder}) or exists (${heldAny})) as ordered`,
  );
  const row = result.rows[0];
  return { customerRedemptions: Number(row?.mine ?? 0), customerHasOrdered: row?.ordered === true };
}

const notFound = (code: string): RedeemResult => ({
  ok: false,
  code: "promotion_not_found",
  message: `No promotion has the code ${code}.`,
});

/** The redemption an order already holds, if it holds one of this code. */
async function heldBy(db: Reader, orderId: string, code: string): Promise<Redeemed | null> {
  const [row] = await db
    .select({ redemption: promotionRedemptions, promotion: promotions })
    .from(promotionRedemptions)
    .innerJoin(promotions, eq(promotions.id, promotionRedemptions.promotionId))
    .where(and(eq(promotionRedemptions.orderId, orderId), isNull(promotionRedemptions.releasedAt)))
    .limit(1);
  if (!row || row.promotion.code !== code) return null;
  return {
    ok: true,
    promotion: toPromotion(row.promotion),
    discountMinor: row.redemption.discountMinor,
    created: false,
  };
}

/** What the code would give this cart now, reserving nothing (a quote, and placement's price). */
export async function previewPromotion(db: Database, req: RedemptionRequest): Promise<RedeemResult> {
  const code = normalizeCode(req.code);
  if (req.orderId) {
    const held = await heldBy(db, req.orderId, code);
    if (held) return held;
  }
  const [row] = await db.select().from(promotions).where(eq(promotions.code, code)).limit(1);
  if (!row) return notFound(code);
  return evaluate(db, row, req);
}

async function evaluate(db: Reader, row: PromotionRow, req: RedemptionRequest): Promise<RedeemResult> {
  const promotion = toPromotion(row);
  const result = evaluatePromotion(promotion, {
    now: req.now,
    restaurantId: req.restaurantId,
    currency: req.currency,
    subtotalMinor: req.subtotalMinor,
    ...(await customerFacts(db, promotion.id, req.customerId, req.orderId)),
  });
  return result.ok ? { ok: true, promotion, discountMinor: result.discountMinor, created: true } : result;
}

/** Reserves the discount for the order, once: a second call for the same order answers the first. */
export async function redeemPromotion(
  db: Database,
  req: RedemptionRequest & { orderId: string },
): Promise<RedeemResult> {
  const code = normalizeCode(req.code);
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(promotions).where(eq(promotions.code, code)).for("update");
    if (!row) return notFound(code);
    // Checked under the lock, so two retries of one placement cannot both redeem.
    const held = await heldBy(tx, req.orderId, code);
    if (held) return held;
    const result = await evaluate(tx, row, req);
    if (!result.ok || result.discountMinor === 0) return result;
    const inserted = await tx
      .insert(promotionRedemptions)
      .values({
        orderId: req.orderId,
        promotionId: row.id,
        customerId: req.customerId,
        discountMinor: result.discountMinor,
        currency: req.currency,
        redeemedAt: new Date(req.now),
      })
      // A placement retried after its first try was released redeems again.
      .onConflictDoUpdate({
        target: promotionRedemptions.orderId,
        set: {
          promotionId: row.id,
          discountMinor: result.discountMinor,
          redeemedAt: new Date(req.now),
          releasedAt: null,
        },
        setWhere: isNotNull(promotionRedemptions.releasedAt),
      })
      .returning({ orderId: promotionRedemptions.orderId });
    if (inserted.length === 0) {
      return { ok: false, code: "promotion_customer_limit", message: "This order already uses another promotion." };
    }
    await tx
      .update(promotions)
      .set({
        spentMinor: sql`${promotions.spentMinor} + ${result.discountMinor}`,
        redemptions: sql`${promotions.redemptions} + 1`,
      })
      .where(eq(promotions.id, row.id));
    return result;
  });
}

/** Gives an order's discount back to its promotion, once; true if it held one. */
export async function releaseRedemption(tx: Reader, orderId: string): Promise<boolean> {
  const released = await tx
    .update(promotionRedemptions)
    .set({ releasedAt: sql`now()` })
    .where(and(eq(promotionRedemptions.orderId, orderId), isNull(promotionRedemptions.releasedAt)))
    .returning({ promotionId: promotionRedemptions.promotionId, discountMinor: promotionRedemptions.discountMinor });
  for (const r of released) {
    await tx
      .update(promotions)
      .set({
        spentMinor: sql`${promotions.spentMinor} - ${r.discountMinor}`,
        redemptions: sql`${promotions.redemptions} - 1`,
      })
      .where(eq(promotions.id, r.promotionId));
  }
  return released.length > 0;
}

/**
 * Redemptions whose placement never reached the Order DO (the Worker died
 * between reserving and placing) hold budget for nothing; after an hour with
 * no order row they are released, and so is any still held by an order that
 * was called off (a retried placement of it revived its redemption).
 */
export async function releaseOrphanRedemptions(db: Database, now: number): Promise<number> {
  const rows = await db
    .select({ orderId: promotionRedemptions.orderId })
    .from(promotionRedemptions)
    .leftJoin(orders, eq(orders.id, promotionRedemptions.orderId))
    .where(
      and(
        isNull(promotionRedemptions.releasedAt),
        sql`${promotionRedemptions.redeemedAt} < ${new Date(now - 60 * 60 * 1000)}`,
        or(
          isNull(orders.id),
          inArray(orders.status, ["rejected", "cancelled"]),
          // Failed at the door was delivered as far as money goes (decision 0015); before pickup it was not.
          and(eq(orders.status, "failed"), sql`coalesce(${orders.deliveryStatus}, 'none') <> 'failed'`),
        ),
      ),
    )
    .limit(200);
  let released = 0;
  for (const { orderId } of rows) {
    if (await db.transaction((tx) => releaseRedemption(tx, orderId))) released++;
  }
  return released;
}
