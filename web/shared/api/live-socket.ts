// A WebSocket to one of the API's live feeds (board, order, courier) that
// stays up by itself. Kitchens, couriers and customers are on shaky networks,
// so it reconnects with capped, jittered backoff, and a `ping` every 20 s both
// keeps idle proxies from cutting it and tells a dead connection from a quiet
// one (the API answers every `ping` with `pong`). Message types come from the
// generated schema: e.g. `LiveSocket<Schemas["BoardServerMessage"], Schemas["BoardClientMessage"]>`.

export type LiveConnection =
  | { state: "connecting" }
  | { state: "live" }
  | { state: "waiting"; retryInMs: number; attempt: number }
  | { state: "stopped" };

export interface LiveSocketOptions<In, Out> {
  /** A fresh URL per attempt: the token in it may have been rotated since the last one (see ApiClient.socketUrl). */
  url: () => Promise<string>;
  onMessage: (message: In) => void;
  onConnection?: (connection: LiveConnection) => void;
  /** After a reconnect (not the first open): e.g. ask for what may have been missed. */
  onReopen?: (send: (message: Out) => void) => void;
  heartbeatMs?: number;
  /** How long after a ping to wait for any frame before calling the connection dead. */
  pongTimeoutMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Seam for tests. */
  createSocket?: (url: string) => WebSocket;
}

export class LiveSocket<In, Out = never> {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private everOpened = false;
  private stopped = false;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private pongDeadline: ReturnType<typeof setTimeout> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly heartbeatMs: number;
  private readonly pongTimeoutMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: LiveSocketOptions<In, Out>) {
    this.heartbeatMs = options.heartbeatMs ?? 20_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
    this.minBackoffMs = options.minBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 15_000;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "closed by the app");
    this.options.onConnection?.({ state: "stopped" });
  }

  /** Sends a JSON message; false when not connected (nothing is queued). */
  send(message: Out): boolean {
    return this.sendText(JSON.stringify(message));
  }

  /** Skips the backoff wait, e.g. when the browser reports it is back online. */
  reconnectNow(): void {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retry);
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.options.onConnection?.({ state: "connecting" });
    let url: string;
    try {
      url = await this.options.url();
    } catch {
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) return;
    const socket = (this.options.createSocket ?? ((u: string) => new WebSocket(u)))(url);
    this.socket = socket;

    socket.addEventListener("open", () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      if (this.everOpened) this.options.onReopen?.((message) => this.send(message));
      this.everOpened = true;
      this.startHeartbeat();
      this.options.onConnection?.({ state: "live" });
    });
    socket.addEventListener("message", (event: MessageEvent) => {
      if (this.socket !== socket) return;
      // Any frame proves the connection is alive, not only the pong.
      clearTimeout(this.pongDeadline);
      if (typeof event.data !== "string" || event.data === "pong") return;
      let message: In;
      try {
        message = JSON.parse(event.data) as In;
      } catch {
        return;
      }
      this.options.onMessage(message);
    });
    socket.addEventListener("close", () => this.drop(socket));
    // A failed handshake fires "error" then "close"; reconnecting is the close handler's job.
    socket.addEventListener("error", () => {});
  }

  /** Forgets `socket` (once) and plans the next attempt. */
  private drop(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.clearTimers();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const ceiling = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.attempt);
    // Full jitter: a restaurant's many tablets must not reconnect in lockstep after an outage.
    const retryInMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    this.attempt += 1;
    this.options.onConnection?.({ state: "waiting", retryInMs, attempt: this.attempt });
    this.retry = setTimeout(() => void this.connect(), retryInMs);
  }

  private startHeartbeat(): void {
    this.clearTimers();
    this.heartbeat = setInterval(() => {
      if (!this.sendText("ping")) return;
      clearTimeout(this.pongDeadline);
      this.pongDeadline = setTimeout(() => {
        // No frame since the ping: the connection may be half-open, and its close
        // handshake could hang as long as it, so give up on it without waiting.
        const socket = this.socket;
        if (!socket) return;
        this.drop(socket);
        socket.close(4000, "heartbeat timeout");
      }, this.pongTimeoutMs);
    }, this.heartbeatMs);
  }

  private clearTimers(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.pongDeadline);
  }

  private sendText(data: string): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(data);
    return true;
  }
}
