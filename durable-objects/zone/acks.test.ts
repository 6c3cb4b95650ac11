// Cumulative acks: sockets that did not ask get one ack per frame; the
// others one for several frames, sent at the frame count, on the timer, or at
// once when asked (a hand-over follows, the app changed status, the socket's
// first frame), summing the counts.
import { describe, expect, it } from "vitest";
import { Acks } from "./acks.ts";

function recorder(everyFrames = 3, everyMs = 30) {
  const sent: Array<{ ws: WebSocket; ack: { seq: number; accepted: number; dropped: number } }> = [];
  const acks = new Acks((ws, text) => sent.push({ ws, ack: JSON.parse(text) }), everyFrames, everyMs);
  return { acks, sent };
}
const socket = () => ({}) as WebSocket;

describe("Acks", () => {
  it("acks every frame at once for a socket that did not ask for cumulative acks", () => {
    const { acks, sent } = recorder();
    const ws = socket();
    acks.ack(ws, 5, 1, 0);
    acks.ack(ws, 6, 0, 1);
    expect(sent.map((s) => s.ack)).toEqual([
      { type: "ack", seq: 5, accepted: 1, dropped: 0 },
      { type: "ack", seq: 6, accepted: 0, dropped: 1 },
    ]);
  });

  it("folds a cumulative socket's frames into one ack at the frame count, with the highest seq and summed counts", () => {
    const { acks, sent } = recorder(3);
    const ws = socket();
    acks.markCumulative(ws);
    acks.ack(ws, 9, 1, 0);
    acks.ack(ws, 10, 2, 0);
    acks.ack(ws, 12, 1, 1);
    expect(sent).toHaveLength(1);
    acks.ack(ws, 15, 3, 0);
    expect(sent.map((s) => s.ack)).toEqual([
      { type: "ack", seq: 9, accepted: 1, dropped: 0 },
      { type: "ack", seq: 15, accepted: 6, dropped: 1 },
    ]);
    acks.flushAll();
  });

  it("sends what is pending on the timer, per socket", async () => {
    const { acks, sent } = recorder(8, 20);
    const a = socket();
    const b = socket();
    acks.markCumulative(a);
    acks.markCumulative(b);
    acks.ack(a, 0, 1, 0);
    acks.ack(b, 6, 1, 0);
    expect(sent).toHaveLength(2);
    acks.ack(a, 1, 1, 0);
    acks.ack(b, 7, 1, 0);
    acks.ack(a, 2, 1, 0);
    expect(sent).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(sent.slice(2).find((s) => s.ws === a)?.ack).toEqual({ type: "ack", seq: 2, accepted: 2, dropped: 0 });
    expect(sent.slice(2).find((s) => s.ws === b)?.ack).toEqual({ type: "ack", seq: 7, accepted: 1, dropped: 0 });
  });

  it("acks at once, with what is pending, when the frame must be answered before anything else", () => {
    const { acks, sent } = recorder(8, 10_000);
    const ws = socket();
    acks.markCumulative(ws);
    acks.ack(ws, 0, 1, 0);
    acks.ack(ws, 1, 1, 0);
    acks.ack(ws, 2, 1, 0, true);
    expect(sent.map((s) => s.ack)).toEqual([
      { type: "ack", seq: 0, accepted: 1, dropped: 0 },
      { type: "ack", seq: 2, accepted: 2, dropped: 0 },
    ]);
    acks.flushAll();
    expect(sent).toHaveLength(2);
  });

  it("answers a cumulative socket's first frame at once, each socket's own first", () => {
    const { acks, sent } = recorder(8, 10_000);
    const a = socket();
    const b = socket();
    acks.markCumulative(a);
    acks.markCumulative(b);
    acks.ack(a, 1, 40, 2);
    acks.ack(a, 2, 1, 0);
    acks.ack(b, 5, 1, 0);
    expect(sent.map((s) => [s.ws === a ? "a" : "b", s.ack])).toEqual([
      ["a", { type: "ack", seq: 1, accepted: 40, dropped: 2 }],
      ["b", { type: "ack", seq: 5, accepted: 1, dropped: 0 }],
    ]);
    acks.flushAll();
    expect(sent.map((s) => s.ack.seq)).toEqual([1, 5, 2]);
  });

  it("flushes one socket's pending ack on demand, leaving the others to the timer", () => {
    const { acks, sent } = recorder(8, 10_000);
    const a = socket();
    const b = socket();
    acks.markCumulative(a);
    acks.markCumulative(b);
    acks.ack(a, 1, 1, 0);
    acks.ack(b, 10, 1, 0);
    acks.ack(a, 2, 1, 0);
    acks.ack(a, 3, 0, 1);
    acks.ack(b, 11, 1, 0);
    expect(sent).toHaveLength(2);
    acks.flush(a);
    expect(sent.slice(2).map((s) => [s.ws === a ? "a" : "b", s.ack])).toEqual([
      ["a", { type: "ack", seq: 3, accepted: 1, dropped: 1 }],
    ]);
    acks.flush(a);
    expect(sent).toHaveLength(3);
    acks.flushAll();
    expect(sent.slice(3).map((s) => [s.ws === a ? "a" : "b", s.ack])).toEqual([
      ["b", { type: "ack", seq: 11, accepted: 1, dropped: 0 }],
    ]);
  });
});
