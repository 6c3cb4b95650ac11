import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { excludedSet, fromDriverRows, insertJsonRows } from "./json-rows.ts";
import { auditLog, orderEvents } from "./schema.ts";

const dialect = new PgDialect();

describe("insertJsonRows", () => {
  it("lists the columns some row sets, in the table's order, and sends the rows as one JSON parameter", () => {
    const at = new Date("2026-11-30T10:00:00.000Z");
    const query = dialect.sqlToQuery(
      insertJsonRows(orderEvents, [
        {
          id: "e1",
          orderId: "o1",
          seq: 1,
          type: "order.placed",
          actorId: "u",
          actorRole: "customer",
          payload: { a: [1, "x"] },
          occurredAt: at,
        },
        {
          id: "e2",
          orderId: "o1",
          seq: 2,
          type: "order.paid",
          actorId: "system",
          actorRole: "system",
          payload: {},
          occurredAt: at,
        },
      ]),
    );
    // projected_at is set by no row: left out, so it takes its default (now()).
    expect(query.sql).toBe(
      'insert into "order_events" ("id", "order_id", "seq", "type", "actor_id", "actor_role", "payload", "occurred_at") ' +
        'select "id", "order_id", "seq", "type", "actor_id", "actor_role", "payload", "occurred_at" ' +
        'from jsonb_populate_recordset(null::"order_events", $1::jsonb)',
    );
    expect(query.params).toHaveLength(1);
    expect(JSON.parse(query.params[0] as string)).toEqual([
      {
        id: "e1",
        order_id: "o1",
        seq: 1,
        type: "order.placed",
        actor_id: "u",
        actor_role: "customer",
        payload: { a: [1, "x"] },
        occurred_at: "2026-11-30T10:00:00.000Z",
      },
      {
        id: "e2",
        order_id: "o1",
        seq: 2,
        type: "order.paid",
        actor_id: "system",
        actor_role: "system",
        payload: {},
        occurred_at: "2026-11-30T10:00:00.000Z",
      },
    ]);
  });

  it("sends null for a column without a default that some rows leave unset", () => {
    const row = { actorId: "a", actorRole: "admin", action: "x", entityType: "order", entityId: "o" };
    const query = dialect.sqlToQuery(insertJsonRows(auditLog, [{ ...row, note: "why" }, row]));
    expect(query.sql).toContain('("actor_id", "actor_role", "action", "entity_type", "entity_id", "note")');
    expect(JSON.parse(query.params[0] as string).map((r: { note: unknown }) => r.note)).toEqual(["why", null]);
  });

  it("refuses a column with a default set on some rows only, and an empty list", () => {
    const row = { actorId: "a", actorRole: "admin", action: "x", entityType: "order", entityId: "o" };
    expect(() => insertJsonRows(auditLog, [{ ...row, at: new Date() }, row])).toThrow(/at is set on some rows only/);
    expect(() => insertJsonRows(auditLog, [])).toThrow(/no rows/);
  });
});

describe("excludedSet", () => {
  it("sets each column from the row proposed for insertion", () => {
    expect(dialect.sqlToQuery(excludedSet([orderEvents.type, orderEvents.seq])).sql).toBe(
      '"type" = excluded."type", "seq" = excluded."seq"',
    );
  });
});

describe("fromDriverRows", () => {
  it("names the columns as drizzle's select does and decodes each as its column does", () => {
    const [row] = fromDriverRows(auditLog, [
      {
        id: "12",
        at: "2026-11-30 10:00:00+00",
        actor_id: "a",
        actor_role: "admin",
        action: "x",
        entity_type: "order",
        entity_id: "o",
        before: null,
        after: { state: "cancelled" },
        note: null,
        request_id: null,
        source_event_id: null,
      },
    ]);
    expect(row).toMatchObject({ id: 12, actorId: "a", after: { state: "cancelled" }, note: null });
    expect(row?.at.toISOString()).toBe("2026-11-30T10:00:00.000Z");
  });
});
