// seedMerchantStock against a stand-in of the four API calls it makes: the
// grocery's opening counts go in once, by item id, signed in as its staff; a
// merchant that already counts anything is left alone.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROCERY } from "../../db/seed/grocery.ts";
import { seedUuid } from "../../db/seed/index.ts";
import { seedMerchantStock } from "./seed-stock.ts";

let server: Server;
let base = "";
let counted: Array<{ itemId: string; remaining: number }> = [];
const puts: Array<{
  authorization: string | undefined;
  body: { items: Array<{ itemId: string; remaining: number }> };
}> = [];
const itemId = (name: string) => `item:${name}`;

beforeAll(async () => {
  const groceryId = await seedUuid(`restaurant:${GROCERY.slug}`);
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => {
      raw += c.toString();
    });
    req.on("end", () => {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const url = req.url ?? "";
      if (url === "/v1/auth/sign-in" && req.method === "POST") {
        const { email, password } = JSON.parse(raw) as { email: string; password: string };
        const ok = email === `staff+${GROCERY.slug}@demo.test` && password === "demo-staff-pass";
        return ok ? send(200, { accessToken: "staff-token" }) : send(401, {});
      }
      if (url === `/v1/restaurants/${groceryId}/menu`) {
        const categories = GROCERY.menu.map((c) => ({
          items: c.items.map(([name]) => ({ id: itemId(name), name })),
        }));
        return send(200, { categories });
      }
      if (url === `/v1/restaurants/${groceryId}/stock` && req.method === "GET") return send(200, { items: counted });
      if (url === `/v1/restaurants/${groceryId}/stock` && req.method === "PUT") {
        const body = JSON.parse(raw) as { items: Array<{ itemId: string; remaining: number }> };
        puts.push({ authorization: req.headers.authorization, body });
        counted = body.items;
        return send(200, { items: counted });
      }
      send(404, {});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("seedMerchantStock", () => {
  it("gives the grocery its opening stock once, as its staff, and never again", async () => {
    expect(await seedMerchantStock(base)).toEqual([GROCERY.slug]);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.authorization).toBe("Bearer staff-token");
    const expected = Object.entries(GROCERY.stock).map(([name, remaining]) => ({ itemId: itemId(name), remaining }));
    expect(puts[0]?.body.items).toEqual(expect.arrayContaining(expected));
    expect(puts[0]?.body.items).toHaveLength(expected.length);
    // A restart finds counts (staff restocked, orders took units): nothing is overwritten.
    expect(await seedMerchantStock(base)).toEqual([]);
    expect(puts).toHaveLength(1);
  });
});
