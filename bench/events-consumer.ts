// What the events bench (bench/events.ts) drives: the real queue consumer
// given the bindings it calls (the acknowledgement to each Order DO and the
// dead-letter queue, counted) and batches shaped as the queue delivers them;
// and the peer, the same rows as raw multi-row INSERTs.
import type { Pool } from "@neondatabase/serverless";
import type { OrderEventMessage } from "../domain/order/order-event.ts";
import type { ConsumerHost } from "../workers/events/consumer.ts";

/** Binding calls the consumer makes, counted (the acknowledgement to each Order DO is a DO request). */
export interface ConsumerCounters {
  batches: number;
  messages: number;
  acked: number;
  retried: number;
  doRequests: number;
  deadLettered: number;
}

/**
 * The consumer's host as the bench lends it: Postgres at `url`, no notification
 * channel configured (as in a deployment without them), metrics dropped (as
 * Miniflare drops them), acknowledgements and dead letters counted.
 */
export function consumerHost(url: string, wsProxy: string, counters: ConsumerCounters): ConsumerHost {
  return {
    env: { DATABASE_URL: url, NEON_WS_PROXY: wsProxy, METRICS: { writeDataPoint: () => {} } },
    deadLetter: async () => {
      counters.deadLettered++;
    },
    acknowledge: async () => {
      counters.doRequests++;
    },
    restaurantChanges: async (_db, messages) => {
      // The bench sends order events only.
      if (messages.length > 0) throw new Error("the events bench sends no restaurant changes");
    },
  };
}

export function messageBatch(messages: OrderEventMessage[], counters: ConsumerCounters): MessageBatch<unknown> {
  counters.batches++;
  counters.messages += messages.length;
  return {
    queue: "events",
    messages: messages.map((body, i) => ({
      id: `${body.event.id}-${i}`,
      timestamp: new Date(),
      body,
      attempts: 1,
      ack: () => {
        counters.acked++;
      },
      retry: () => {
        counters.retried++;
      },
    })),
    ackAll: () => {},
    retryAll: () => {},
    // The queue's backlog as the consumer would be told it; the consumer does not read it.
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
  };
}

/** The peer: the same rows as raw multi-row statements, one transaction per batch, persistent connections. */
export async function rawBatch(pool: Pool, messages: OrderEventMessage[]): Promise<void> {
  // Newest message per order (the peer still has to write each order row once per statement).
  const orders = new Map<string, OrderEventMessage>();
  for (const m of messages) {
    const seen = orders.get(m.order.id);
    if (!seen || seen.event.seq < m.event.seq) orders.set(m.order.id, m);
  }
  const placements = messages.filter((m) => m.event.seq === 1);
  const client = await pool.connect();
  try {
    await client.query("begin");
    const ov: unknown[] = [];
    // Sorted by id, as the projection does, so concurrent batches lock rows in the same order.
    const sortedOrders = [...orders.values()].sort((a, b) => (a.order.id < b.order.id ? -1 : 1));
    const orows = sortedOrders.map((m, k) => {
      const o = m.order;
      ov.push(
        o.id,
        o.customerId,
        o.restaurantId,
        o.courierId,
        m.event.state,
        m.event.delivery,
        o.idempotencyKey,
        o.menuVersion,
        o.currency,
        o.subtotalMinor,
        o.deliveryFeeMinor,
        o.serviceFeeMinor,
        o.taxMinor,
        o.tipMinor,
        o.totalMinor,
        JSON.stringify(o.deliveryAddress),
        o.prepTimeMinutes,
        m.event.seq,
        new Date(o.placedAt),
        new Date(m.event.at),
      );
      const b = k * 20;
      return `(${Array.from({ length: 20 }, (_, c) => `$${b + c + 1}`).join(",")})`;
    });
    await client.query(
      `insert into orders (id, customer_id, restaurant_id, courier_id, status, delivery_status, idempotency_key,
         menu_version, currency, subtotal_minor, delivery_fee_minor, service_fee_minor, tax_minor, tip_minor,
         total_minor, delivery_address, prep_time_minutes, last_event_seq, placed_at, updated_at)
       values ${orows.join(",")}
       on conflict (id) do update set status = excluded.status, delivery_status = excluded.delivery_status,
         courier_id = excluded.courier_id, last_event_seq = excluded.last_event_seq, updated_at = excluded.updated_at`,
      ov,
    );
    const lines = placements.flatMap((m) => m.order.lines.map((line) => ({ id: m.order.id, line })));
    if (lines.length > 0) {
      const iv: unknown[] = [];
      const irows = lines.map(({ id, line }, k) => {
        iv.push(
          id,
          line.lineNo,
          line.itemId,
          line.name,
          line.quantity,
          line.unitPriceMinor,
          JSON.stringify(line.options),
          line.lineTotalMinor,
        );
        const b = k * 8;
        return `(${Array.from({ length: 8 }, (_, c) => `$${b + c + 1}`).join(",")})`;
      });
      await client.query(
        `insert into order_items (order_id, line_no, menu_item_id, name, quantity, unit_price_minor, options, line_total_minor)
         values ${irows.join(",")}`,
        iv,
      );
    }
    const ev: unknown[] = [];
    const erows = messages.map((m, k) => {
      const e = m.event;
      ev.push(e.id, e.orderId, e.seq, e.type, e.actorId, e.actorRole, JSON.stringify(e.payload), new Date(e.at));
      const b = k * 8;
      return `(${Array.from({ length: 8 }, (_, c) => `$${b + c + 1}`).join(",")})`;
    });
    await client.query(
      `insert into order_events (id, order_id, seq, type, actor_id, actor_role, payload, occurred_at)
       values ${erows.join(",")}`,
      ev,
    );
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
