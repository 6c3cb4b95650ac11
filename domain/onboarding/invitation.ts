// Invitation links: an operator registers a person (staff, courier, admin)
// and hands them a link that lets them choose their password once. The token
// is as strong as a refresh token and stored only as its SHA-256.
import { hashRefreshToken, newRefreshToken } from "../auth/tokens.ts";

/** Long enough for a courier to get to it after a weekend; short enough that a forwarded old e-mail is dead. */
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

export const newInvitationToken = newRefreshToken;
export const hashInvitationToken = hashRefreshToken;

export interface InvitationRow {
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export type InvitationState = "valid" | "used" | "revoked" | "expired";

export function invitationState(row: InvitationRow, nowMs: number): InvitationState {
  if (row.usedAt) return "used";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt.getTime() <= nowMs) return "expired";
  return "valid";
}

/** What the person is told for each state: never whether the account exists beyond the link itself. */
export const INVITATION_REFUSALS: Record<Exclude<InvitationState, "valid">, { code: string; message: string }> = {
  used: { code: "invitation_used", message: "This link was already used; sign in with your password." },
  revoked: { code: "invitation_revoked", message: "A newer link was sent; use the latest one." },
  expired: { code: "invitation_expired", message: "This link has expired; ask your operator for a new one." },
};
