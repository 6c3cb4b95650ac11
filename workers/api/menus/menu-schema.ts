// The public menu document (GET /v1/restaurants/{id}/menu) as an OpenAPI
// schema. The route serves the cached JSON as it is, so this schema only
// describes it; `MenuSchemaCheck` stops compiling when it and the `Menu` type
// the cache is built from drift apart.
import { z } from "@hono/zod-openapi";
import { ALLERGENS, DIETARY_TAGS } from "../../../domain/menu/labels.ts";
import type { Menu } from "./menu-repository.ts";

const Uuid = z.string().uuid();

const MenuOption = z
  .object({ id: Uuid, name: z.string(), priceDeltaMinor: z.number().int(), available: z.boolean() })
  .openapi("MenuOption");

const MenuGroup = z
  .object({
    id: Uuid,
    name: z.string(),
    minChoices: z.number().int(),
    maxChoices: z.number().int(),
    options: z.array(MenuOption),
  })
  .openapi("MenuGroup");

const MenuItem = z
  .object({
    id: Uuid,
    name: z.string(),
    description: z.string(),
    priceMinor: z.number().int(),
    available: z.boolean().openapi({
      description:
        "Set by staff. Items with a stock count are also unavailable at zero: see GET /v1/restaurants/{id}/stock.",
    }),
    allergens: z.array(z.enum(ALLERGENS)).openapi({ description: "EU allergens the item contains." }),
    dietaryTags: z.array(z.enum(DIETARY_TAGS)),
    photo: z
      .object({
        url: z.string().openapi({ description: "Relative to the API; append `?w=160|480|960` for a width." }),
        widths: z.array(z.number().int()),
        width: z.number().int(),
        height: z.number().int(),
      })
      .nullable(),
    groups: z.array(MenuGroup),
    taxBps: z
      .number()
      .int()
      .nullable()
      .optional()
      .openapi({ description: "The item's own tax rate in basis points; null: the delivery area's." }),
  })
  .openapi("MenuItem");

export const MenuSchema = z
  .object({
    restaurantId: Uuid,
    restaurantName: z.string(),
    version: z
      .number()
      .int()
      .openapi({ description: "The menu version; orders are priced from the one they were built on." }),
    currency: z.string(),
    categories: z.array(z.object({ id: Uuid, name: z.string(), items: z.array(MenuItem) })),
  })
  .openapi("Menu");

/** Compiles only while every `Narrow` is a `Wide`. */
type Accepts<Wide, Narrow extends Wide> = Narrow;
export type MenuSchemaCheck = [Accepts<z.infer<typeof MenuSchema>, Menu>, Accepts<Menu, z.infer<typeof MenuSchema>>];
