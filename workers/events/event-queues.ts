// The queue an order's events are sent to. With `EVENTS_SHARDS` unset (or 1)
// it is the `EVENTS` binding; with N shards, `EVENTS` or `EVENTS_1` ...
// `EVENTS_<N-1>`, chosen by the order id (domain/projection/event-shards.ts),
// each declared in wrangler.toml as a producer and with the same consumer
// settings as `events`. A shard whose binding is missing falls back to
// `EVENTS`, so a configuration slip delays nothing.
import { eventQueueBinding, eventShardCount } from "../../domain/projection/event-shards.ts";

/** What it needs of the Worker's env (not `Env` itself, which imports the DO classes that import this). */
export interface EventQueuesEnv {
  EVENTS: Queue<unknown>;
  EVENTS_SHARDS?: string | undefined;
}

export function eventsQueue(env: EventQueuesEnv, orderId: string | undefined): Queue<unknown> {
  const shards = eventShardCount(env.EVENTS_SHARDS);
  if (shards === 1 || !orderId) return env.EVENTS;
  // Shard bindings (EVENTS_1, EVENTS_2, ...) are named at run time; one missing from the config falls back.
  const binding: unknown = Object.getOwnPropertyDescriptor(env, eventQueueBinding(orderId, shards))?.value;
  return isQueue(binding) ? binding : env.EVENTS;
}

function isQueue(value: unknown): value is Queue<unknown> {
  return typeof value === "object" && value !== null && "send" in value && typeof value.send === "function";
}
