// Accounts operators create: staff, couriers and admins. Shared by the
// back-office routes: finding a person by e-mail, the restaurants a staff
// member works for, and invitation links.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../../../db/client.ts";
import { accountInvitations, restaurantStaff, restaurants, users } from "../../../db/schema.ts";
import { hashInvitationToken, INVITATION_TTL_MS, newInvitationToken } from "../../../domain/onboarding/invitation.ts";
import type { Executor } from "../audit/audit.ts";

export interface IssuedInvitation {
  /** Shown once, to the operator who hands it over; only its hash is stored. */
  token: string;
  expiresAt: string;
}

/** A new link for the person; any earlier link that was not used stops working. */
export async function issueInvitation(
  executor: Executor,
  userId: string,
  createdBy: string,
  nowMs = Date.now(),
): Promise<IssuedInvitation> {
  await executor
    .update(accountInvitations)
    .set({ revokedAt: new Date(nowMs) })
    .where(
      and(
        eq(accountInvitations.userId, userId),
        isNull(accountInvitations.usedAt),
        isNull(accountInvitations.revokedAt),
      ),
    );
  const token = newInvitationToken();
  const expiresAt = new Date(nowMs + INVITATION_TTL_MS);
  await executor.insert(accountInvitations).values({
    userId,
    tokenHash: await hashInvitationToken(token),
    createdBy,
    expiresAt,
  });
  return { token, expiresAt: expiresAt.toISOString() };
}

export const accountColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  role: users.role,
  restaurantId: users.restaurantId,
  deactivatedAt: users.deactivatedAt,
  createdAt: users.createdAt,
  /** Registered by an operator and has not chosen a password yet. */
  invited: sql<boolean>`(${users.passwordHash} is null and ${users.oidcSubject} is null)`,
};

export async function findAccountByEmail(executor: Executor, email: string) {
  const rows = await executor
    .select(accountColumns)
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1);
  return rows[0];
}

export interface AccountOut {
  id: string;
  email: string;
  name: string;
  role: "customer" | "restaurant_staff" | "courier" | "admin";
  restaurantId: string | null;
  deactivatedAt: string | null;
  createdAt: string;
  invited: boolean;
}

export function accountOut(row: {
  id: string;
  email: string;
  name: string;
  role: AccountOut["role"];
  restaurantId: string | null;
  deactivatedAt: Date | null;
  createdAt: Date;
  invited: boolean;
}): AccountOut {
  return {
    ...row,
    deactivatedAt: row.deactivatedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    invited: Boolean(row.invited),
  };
}

/**
 * Every restaurant a staff member works for, home restaurant first. The home
 * restaurant counts even without a restaurant_staff row (accounts created
 * before memberships existed).
 */
export async function staffRestaurants(
  db: Database | Executor,
  userId: string,
): Promise<Array<{ id: string; name: string }>> {
  const rows = await db
    .select({
      id: restaurants.id,
      name: restaurants.name,
      home: sql<boolean>`${restaurants.id} = ${users.restaurantId}`,
    })
    .from(users)
    .innerJoin(
      restaurants,
      sql`${restaurants.id} = ${users.restaurantId} or ${restaurants.id} in (select ${restaurantStaff.restaurantId} from ${restaurantStaff} where ${restaurantStaff.userId} = ${users.id})`,
    )
    .where(eq(users.id, userId));
  return rows
    .sort((a, b) => Number(b.home) - Number(a.home) || a.name.localeCompare(b.name))
    .map(({ id, name }) => ({ id, name }));
}

/** Postgres unique violation, whether drizzle wrapped the driver's error or not. */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}
