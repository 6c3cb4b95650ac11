// The live socket with scripted sockets and fake timers: it parses messages,
// reconnects after a drop with a fresh URL, asks for what it missed on
// reopen, and gives up on a connection that stops answering pings.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type LiveConnection, LiveSocket } from "./live-socket.ts";

class FakeSocket extends EventTarget {
  readyState = 0;
  sent: string[] = [];
  closed: number | null = null;
  constructor(readonly url: string) {
    super();
  }
  open(): void {
    this.readyState = 1;
    this.dispatchEvent(new Event("open"));
  }
  receive(data: string): void {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1000): void {
    this.closed = code;
    this.readyState = 3;
    this.dispatchEvent(new Event("close"));
  }
}

type Msg = { type: "board"; orders: string[] } | { type: "order"; id: string };

let sockets: FakeSocket[];
let urls: number;

function live(onReopen?: (send: (m: { type: "refresh" }) => void) => void) {
  const messages: Msg[] = [];
  const states: LiveConnection["state"][] = [];
  const socket = new LiveSocket<Msg, { type: "refresh" }>({
    url: async () => `ws://api.test/live?token=${++urls}`,
    onMessage: (m) => messages.push(m),
    onConnection: (c) => states.push(c.state),
    ...(onReopen ? { onReopen } : {}),
    heartbeatMs: 1000,
    pongTimeoutMs: 500,
    minBackoffMs: 100,
    maxBackoffMs: 400,
    createSocket: (url) => {
      const fake = new FakeSocket(url);
      sockets.push(fake);
      return fake as unknown as WebSocket;
    },
  });
  return { socket, messages, states };
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  urls = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

describe("LiveSocket", () => {
  it("delivers JSON messages and ignores pongs and garbage", async () => {
    const { socket, messages, states } = live();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]?.open();
    sockets[0]?.receive('{"type":"board","orders":["a"]}');
    sockets[0]?.receive("pong");
    sockets[0]?.receive("{not json");
    expect(messages).toEqual([{ type: "board", orders: ["a"] }]);
    expect(states).toEqual(["connecting", "live"]);
    socket.stop();
  });

  it("reconnects after a drop with a fresh URL and asks for what it missed", async () => {
    const { socket, states } = live((send) => send({ type: "refresh" }));
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]?.open();
    expect(sockets[0]?.sent).toEqual([]);

    sockets[0]?.close(1006);
    expect(states.at(-1)).toBe("waiting");
    await vi.advanceTimersByTimeAsync(400);
    expect(sockets).toHaveLength(2);
    expect(sockets[1]?.url).toBe("ws://api.test/live?token=2");
    sockets[1]?.open();
    expect(sockets[1]?.sent).toEqual(['{"type":"refresh"}']);
    expect(states.at(-1)).toBe("live");
    socket.stop();
  });

  it("drops a connection that answers no ping, and opens another", async () => {
    const { socket } = live();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]?.open();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets[0]?.sent).toEqual(["ping"]);
    await vi.advanceTimersByTimeAsync(500);
    expect(sockets[0]?.closed).toBe(4000);
    await vi.advanceTimersByTimeAsync(400);
    expect(sockets).toHaveLength(2);
    socket.stop();
  });

  it("stays down once stopped", async () => {
    const { socket, states } = live();
    socket.start();
    await vi.advanceTimersByTimeAsync(0);
    sockets[0]?.open();
    socket.stop();
    expect(sockets[0]?.closed).toBe(1000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sockets).toHaveLength(1);
    expect(states.at(-1)).toBe("stopped");
  });
});
