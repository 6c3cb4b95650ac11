import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { openDb } from "../db/client.ts";

it("reaches postgres through the neon driver and the ws proxy", async () => {
  const { db, close } = openDb(env as never);
  const r = await db.execute(sql`select count(*)::int as n from orders`);
  await close();
  expect(r.rows[0]).toEqual({ n: 0 });
});
