// Acks of courier fix frames (decision 59). An app that asked for cumulative
// acks (`{type:"ack_mode",mode:"cumulative"}`) keeps several frames in flight
// and drops everything up to an ack's seq from its buffer, so one ack can
// answer many frames: the zone sends one per ACK_EVERY_FRAMES frames or
// ACK_EVERY_MS, whichever comes first. Sending a WebSocket frame is one of the
// largest per-frame costs of the ingest in workerd, so a courier on a job (a
// fix a second) costs about a fifth of the acks it did. Apps that did not ask
// get one ack per frame, as before.
//
// Two moments are answered at once, because the app is waiting on them: the
// first fix frame of a socket (after a reconnect it carries the backlog of a
// dead spot, which the courier sees as "positions waiting to upload" until it
// is acked), and a status change (going offline, the app waits for its buffer
// to drain before it closes the socket). Each costs one ack per connection or
// per status change, not per frame.
import { ackFrame } from "./protocol.ts";

/** Frames folded into one ack at most; the app keeps more than this in flight (zone-link.ts). */
export const ACK_EVERY_FRAMES = 8;
/** The longest an accepted fix waits for its ack: far below the app's 15 s ack timeout. */
export const ACK_EVERY_MS = 5_000;

interface Pending {
  seq: number;
  accepted: number;
  dropped: number;
  frames: number;
}

export class Acks {
  private readonly cumulative = new WeakSet<WebSocket>();
  private readonly pending = new Map<WebSocket, Pending>();
  /** Cumulative sockets that had their first ack (per object instance: after a wake the first frame is answered at once again). */
  private readonly answered = new WeakSet<WebSocket>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly sendText: (ws: WebSocket, text: string) => void,
    private readonly everyFrames = ACK_EVERY_FRAMES,
    private readonly everyMs = ACK_EVERY_MS,
  ) {}

  /** This socket's app asked for cumulative acks (remembered in its attachment across hibernation). */
  markCumulative(ws: WebSocket): void {
    this.cumulative.add(ws);
  }

  isCumulative(ws: WebSocket): boolean {
    return this.cumulative.has(ws);
  }

  /**
   * Acks one frame: `seq` the highest in it. `now`: the frame must be
   * answered before anything else is sent (a hand-over follows), so whatever
   * is pending for the socket goes with it. A cumulative socket's first frame
   * is answered at once too.
   */
  ack(ws: WebSocket, seq: number, accepted: number, dropped: number, now = false): void {
    if (!this.cumulative.has(ws)) {
      this.sendText(ws, ackFrame(seq, accepted, dropped));
      return;
    }
    let p = this.pending.get(ws);
    if (p) {
      if (seq > p.seq) p.seq = seq;
      p.accepted += accepted;
      p.dropped += dropped;
      p.frames++;
    } else {
      p = { seq, accepted, dropped, frames: 1 };
      this.pending.set(ws, p);
    }
    if (now || p.frames >= this.everyFrames || !this.answered.has(ws)) {
      this.answered.add(ws);
      this.pending.delete(ws);
      this.sendText(ws, ackFrame(p.seq, p.accepted, p.dropped));
      return;
    }
    this.timer ??= setTimeout(() => this.flushAll(), this.everyMs);
  }

  /** Sends this socket's pending ack now, if any: its app changed status and may be waiting for its buffer to drain. */
  flush(ws: WebSocket): void {
    const p = this.pending.get(ws);
    if (!p) return;
    this.pending.delete(ws);
    this.sendText(ws, ackFrame(p.seq, p.accepted, p.dropped));
  }

  /** Sends every pending ack (the timer; also before the object is asked to persist all). */
  flushAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [ws, p] of this.pending) this.sendText(ws, ackFrame(p.seq, p.accepted, p.dropped));
    this.pending.clear();
  }
}
