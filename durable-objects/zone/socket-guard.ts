// What a Zone DO checks on every courier frame before reading it: its size
// and the courier's message rate. A courier over either is sent one error and
// disconnected (1009 / 1008), and frames already queued on that socket are
// dropped unread, so one flooding phone cannot slow its zone for the others.
import { type Bucket, type BucketPolicy, fullBucket, take } from "../../domain/ratelimit/token-bucket.ts";
import { CLOSE_CODES, COURIER_MESSAGE_RATE, MAX_FRAME_BYTES } from "./protocol.ts";

export interface FrameRefusal {
  closeCode: number;
  code: "frame_too_large" | "rate_limited";
  message: string;
}

/**
 * The message rate, or the override in COURIER_MESSAGE_RATE ("capacity/perSecond").
 * Only the benchmarks set it: their closed loops drive each socket hundreds of
 * times faster than a phone to find the zone's capacity. Deployed environments
 * do not declare it (a test checks), so they run with COURIER_MESSAGE_RATE.
 */
export function messageRate(override: string | undefined): BucketPolicy {
  const match = override?.match(/^(\d+)\/(\d+)$/);
  if (!match) return COURIER_MESSAGE_RATE;
  return { capacity: Number(match[1]), perSecond: Number(match[2]) };
}

export class SocketGuard {
  /**
   * Message budget per courier, kept across their reconnects so reconnecting
   * does not refill it. In memory only: after hibernation (an idle zone, so
   * nobody was flooding) everyone starts full.
   */
  private readonly buckets = new Map<string, Bucket>();
  private readonly cut = new WeakSet<WebSocket>();

  constructor(private readonly rate: BucketPolicy = COURIER_MESSAGE_RATE) {}

  isCutOff(ws: WebSocket): boolean {
    return this.cut.has(ws);
  }

  admit(courierId: string, raw: string | ArrayBuffer, now = Date.now()): FrameRefusal | null {
    const size = typeof raw === "string" ? raw.length : raw.byteLength;
    if (size > MAX_FRAME_BYTES) {
      return {
        closeCode: CLOSE_CODES.frameTooLarge,
        code: "frame_too_large",
        message: `Frames are limited to ${MAX_FRAME_BYTES} bytes.`,
      };
    }
    const result = take(this.buckets.get(courierId) ?? fullBucket(this.rate, now), this.rate, now);
    this.buckets.set(courierId, result.bucket);
    if (result.ok) return null;
    return {
      closeCode: CLOSE_CODES.rateLimited,
      code: "rate_limited",
      message: `More than ${this.rate.perSecond} messages/s (bursts of ${this.rate.capacity}); reconnect and slow down.`,
    };
  }

  /** Sends the refusal, closes the socket, and remembers it so its queued frames cost nothing. */
  cutOff(ws: WebSocket, refusal: FrameRefusal): void {
    this.cut.add(ws);
    try {
      ws.send(JSON.stringify({ type: "error", code: refusal.code, message: refusal.message }));
      // A close reason is limited to 123 bytes.
      ws.close(refusal.closeCode, refusal.message.slice(0, 120));
    } catch {
      // already closing
    }
  }

  forget(courierId: string): void {
    this.buckets.delete(courierId);
  }
}
