// Opening stock for the demo's slot-based grocery. Live counts belong to its
// Restaurant DO, not to Postgres, so they can only be given once the Worker
// runs, through the same API staff use. Idempotent in the way that matters:
// a merchant that already counts anything (staff restocked, orders took
// units) is left alone, so a restart never undoes a day's sales.

import { DEMO_PASSWORDS } from "../../db/seed/demo-city.ts";
import { SLOT_MERCHANTS } from "../../db/seed/grocery.ts";
import { seedUuid, staffEmail } from "../../db/seed/index.ts";

interface MenuBody {
  categories: Array<{ items: Array<{ id: string; name: string }> }>;
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Sets each slot merchant's opening stock when it counts nothing yet; returns the merchants it stocked. */
export async function seedMerchantStock(apiBase: string): Promise<string[]> {
  const stocked: string[] = [];
  for (const merchant of SLOT_MERCHANTS) {
    const id = await seedUuid(`restaurant:${merchant.slug}`);
    const current = await json<{ items: unknown[] }>(await fetch(`${apiBase}/v1/restaurants/${id}/stock`), "stock");
    if (current.items.length > 0) continue;
    const menu = await json<MenuBody>(await fetch(`${apiBase}/v1/restaurants/${id}/menu`), "menu");
    const items = menu.categories
      .flatMap((c) => c.items)
      .flatMap((item) => {
        const remaining = merchant.stock[item.name];
        return remaining === undefined ? [] : [{ itemId: item.id, remaining }];
      });
    if (items.length === 0) continue;
    const { accessToken } = await json<{ accessToken: string }>(
      await fetch(`${apiBase}/v1/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: staffEmail(merchant.slug), password: DEMO_PASSWORDS.restaurant_staff }),
      }),
      "staff sign-in",
    );
    await json(
      await fetch(`${apiBase}/v1/restaurants/${id}/stock`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ items }),
      }),
      "set stock",
    );
    stocked.push(merchant.slug);
  }
  return stocked;
}
