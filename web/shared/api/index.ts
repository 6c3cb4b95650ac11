// The shared API package: import from here in every app.
import type { Schemas } from "./client.ts";

export * from "./client.ts";
export * from "./live-socket.ts";

// The live sockets' messages, as the API documents them (see workers/api/routes/live-protocols.ts).
export type OrderClientMessage = Schemas["OrderClientMessage"];
export type OrderServerMessage = Schemas["OrderServerMessage"];
export type BoardClientMessage = Schemas["BoardClientMessage"];
export type BoardServerMessage = Schemas["BoardServerMessage"];
export type CourierClientMessage = Schemas["CourierClientMessage"];
export type CourierServerMessage = Schemas["CourierServerMessage"];
