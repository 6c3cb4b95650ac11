// An assigned courier whose phone has gone quiet. Before pickup nothing is
// lost by giving the order to someone else, so after a few minutes it is
// released and offered again; after pickup the food is in their bag, so
// operators are told instead (they can phone the courier). The clocks are
// generous on purpose: a tunnel or a lift must not cost anyone their job, and
// buffered fixes arrive in a burst when the phone comes back.

export interface DarkPolicy {
  releaseAfterMs: number;
  escalateAfterMs: number;
}

export const DEFAULT_DARK_POLICY: Readonly<DarkPolicy> = {
  releaseAfterMs: 3 * 60_000,
  escalateAfterMs: 5 * 60_000,
};

export type DarkVerdict = { action: "wait"; until: number } | { action: "release" } | { action: "escalate" };

/**
 * `lastSeenAt` is the server time of the courier's newest position for this
 * order, or of the assignment when none arrived yet; never the device's clock.
 */
export function darkVerdict(
  lastSeenAt: number,
  pickedUp: boolean,
  now: number,
  policy: DarkPolicy = DEFAULT_DARK_POLICY,
): DarkVerdict {
  const due = lastSeenAt + (pickedUp ? policy.escalateAfterMs : policy.releaseAfterMs);
  if (now < due) return { action: "wait", until: due };
  return pickedUp ? { action: "escalate" } : { action: "release" };
}
