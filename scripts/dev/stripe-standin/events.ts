// Events: every change is recorded in Stripe's envelope, listed and
// retrieved through the API, and posted, signed, to the webhook endpoint.
import type { ConnectEventType, ConnectObject } from "./connect-objects.ts";
import { type EventType, newId, nowSeconds, type StripeObject } from "./objects.ts";
import {
  checkKnown,
  EVENT_LIST_PARAMS,
  invalidParam,
  optInteger,
  optString,
  optStringArray,
  RETRIEVE_PARAMS,
  resourceMissing,
} from "./params.ts";
import { type Context, ID, type RequestRef, type Route, type StandinEvent } from "./store.ts";
import type { WebhookDispatcher } from "./webhooks.ts";

export function createEvents(host: { dispatcher: WebhookDispatcher; webhookUrl(): string | undefined }) {
  const events: StandinEvent[] = [];
  const eventsById = new Map<string, StandinEvent>();

  function emit(
    type: EventType | ConnectEventType,
    object: StripeObject | ConnectObject,
    request: RequestRef,
    account?: string,
  ): void {
    const event: StandinEvent = {
      id: newId("evt"),
      ...(account ? { account } : {}),
      object: "event",
      api_version: request.apiVersion,
      created: nowSeconds(),
      // Connect objects (connect.ts) travel in the same envelope as the core ones.
      data: { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: host.webhookUrl() ? 1 : 0,
      request: { id: request.id, idempotency_key: request.idempotencyKey },
      type,
    };
    events.push(event);
    eventsById.set(event.id, event);
    if (host.webhookUrl()) host.dispatcher.enqueue(event);
  }

  function retrieveEvent({ params }: Context, id: string): unknown {
    checkKnown(params, RETRIEVE_PARAMS);
    const event = eventsById.get(id);
    if (!event) throw resourceMissing("event", id);
    return structuredClone(event);
  }

  function listEvents({ params }: Context): unknown {
    checkKnown(params, EVENT_LIST_PARAMS);
    const limit = optInteger(params, "limit", 1) ?? 10;
    if (limit > 100)
      throw invalidParam("This value must be less than or equal to 100.", "limit", "parameter_invalid_integer");
    const type = optString(params, "type");
    const types = optStringArray(params, "types");
    const startingAfter = optString(params, "starting_after");
    const endingBefore = optString(params, "ending_before");
    const matches = (eventType: string, pattern: string): boolean =>
      pattern.endsWith(".*") ? eventType.startsWith(pattern.slice(0, -1)) : eventType === pattern;
    // Newest first, as Stripe lists.
    const all = [...events]
      .reverse()
      .filter((e) => (!type || matches(e.type, type)) && (!types || types.some((t) => matches(e.type, t))));
    let page: StandinEvent[];
    let hasMore: boolean;
    if (endingBefore) {
      const index = all.findIndex((e) => e.id === endingBefore);
      if (index < 0) throw resourceMissing("event", endingBefore, "ending_before");
      const before = all.slice(0, index);
      page = before.slice(-limit);
      hasMore = before.length > limit;
    } else {
      let start = 0;
      if (startingAfter) {
        const index = all.findIndex((e) => e.id === startingAfter);
        if (index < 0) throw resourceMissing("event", startingAfter, "starting_after");
        start = index + 1;
      }
      page = all.slice(start, start + limit);
      hasMore = all.length > start + limit;
    }
    return { object: "list", data: structuredClone(page), has_more: hasMore, url: "/v1/events" };
  }

  const routes: Route[] = [
    { method: "GET", pattern: /^\/v1\/events$/, handler: listEvents },
    { method: "GET", pattern: new RegExp(`^/v1/events/${ID}$`), handler: retrieveEvent },
  ];
  return { events, emit, routes };
}
