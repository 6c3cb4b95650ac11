// When an Order DO sends an unacknowledged event again. The projection
// acknowledges each event once it is in Postgres; until then the event stays
// in the DO's outbox and goes again on this schedule, so a message the queue
// lost (a local restart, a consumer bug, a dead letter) reaches Postgres
// anyway. Backing off keeps a slow consumer's backlog from being doubled by
// re-sends; the cap bounds how long a loss can go unrepaired (decision 0010).

/** Waits before re-sending, by how many times the event was already sent. */
export const RESEND_AFTER_MS = [15_000, 30_000, 60_000, 120_000, 300_000] as const;

/** How long the projection may take before an order counts as lagging (the first re-send). */
export const ACK_WINDOW_MS = RESEND_AFTER_MS[0];

export function resendDelayMs(timesSent: number): number {
  const index = Math.max(0, Math.min(timesSent - 1, RESEND_AFTER_MS.length - 1));
  return RESEND_AFTER_MS[index] ?? 300_000;
}

/** One outbox row: an event the projection has not acknowledged. */
export interface OutboxEntry {
  seq: number;
  /** Times it went to the queue. */
  attempts: number;
  /** When it last went; null if the queue never took it. */
  sentAt: number | null;
}

function dueAt(entry: OutboxEntry): number {
  return entry.sentAt === null ? Number.NEGATIVE_INFINITY : entry.sentAt + resendDelayMs(entry.attempts);
}

/** The events to send now, in order: never sent, or unacknowledged past their re-send delay. */
export function dueForSend(entries: readonly OutboxEntry[], now: number): number[] {
  return entries
    .filter((e) => dueAt(e) <= now)
    .map((e) => e.seq)
    .sort((a, b) => a - b);
}

/**
 * When the outbox next needs the alarm; null when it is empty. An event the
 * queue refused is retried soon, backing off on repeated refusals.
 */
export function nextOutboxDeadline(entries: readonly OutboxEntry[], now: number, sendFailures: number): number | null {
  if (entries.length === 0) return null;
  const retryRefused = now + Math.min(60_000, 1_000 * 2 ** Math.min(sendFailures, 6));
  let earliest = Number.POSITIVE_INFINITY;
  for (const entry of entries) earliest = Math.min(earliest, entry.sentAt === null ? retryRefused : dueAt(entry));
  return earliest;
}
