import { describe, expect, it } from "vitest";
import { hashInvitationToken, INVITATION_TTL_MS, invitationState, newInvitationToken } from "./invitation.ts";

describe("invitations", () => {
  it("mints unguessable tokens and stores only a hash", async () => {
    const a = newInvitationToken();
    const b = newInvitationToken();
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(43);
    expect(await hashInvitationToken(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashInvitationToken(a)).toBe(await hashInvitationToken(a));
  });

  it("is valid once, until it expires or a newer one replaces it", () => {
    const now = Date.now();
    const fresh = { expiresAt: new Date(now + INVITATION_TTL_MS), usedAt: null, revokedAt: null };
    expect(invitationState(fresh, now)).toBe("valid");
    expect(invitationState({ ...fresh, usedAt: new Date(now) }, now)).toBe("used");
    expect(invitationState({ ...fresh, revokedAt: new Date(now) }, now)).toBe("revoked");
    expect(invitationState(fresh, now + INVITATION_TTL_MS)).toBe("expired");
  });
});
