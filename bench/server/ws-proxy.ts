// The WebSocket-to-Postgres proxy of scripts/dev/ws-proxy.ts in its own
// process, so it runs on the server cores: it sits on the Worker's (and the
// raw-Postgres peer's) path to the database.
import { startWsProxy } from "../../scripts/dev/ws-proxy.ts";
import { announceReady, onStop } from "../lib/processes.ts";

const proxy = await startWsProxy();
onStop(() => proxy.close());
announceReady({ port: proxy.port });
