// Preloaded into the simulator by bench/lifecycle.ts (`node --import`): counts
// the HTTP requests it makes (by method and route, ids folded) and the
// WebSocket connections it opens and frames it sends, and writes the tally to
// $COUNT_REQUESTS_FILE when the process exits. Counting only.
import { writeFileSync } from "node:fs";
import { WebSocket } from "ws";

const file = process.env.COUNT_REQUESTS_FILE;
const http = {};
const sockets = {};
let framesSent = 0;
const route = (url) =>
  new URL(url).pathname
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ":id")
    .replace(/\/\d+(?=\/|$)/g, "/:n");

const originalFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const key = `${(init?.method ?? "GET").toUpperCase()} ${route(url)}`;
  http[key] = (http[key] ?? 0) + 1;
  return originalFetch(input, init);
};

const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (...args) {
  framesSent++;
  return originalSend.apply(this, args);
};
const originalEmit = WebSocket.prototype.emit;
WebSocket.prototype.emit = function (event, ...args) {
  if (event === "open" && this.url) {
    const key = route(this.url);
    sockets[key] = (sockets[key] ?? 0) + 1;
  }
  return originalEmit.call(this, event, ...args);
};

// tsx's own launcher process loads this too (NODE_OPTIONS is inherited) and makes no requests:
// only a process that counted something writes, so the launcher cannot overwrite the simulator's tally.
process.on("exit", () => {
  if (file && (framesSent > 0 || Object.keys(http).length > 0)) {
    writeFileSync(file, JSON.stringify({ http, sockets, framesSent }));
  }
});
