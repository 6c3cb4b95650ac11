// Request and response schemas shared by the restaurant-management routes.
import { z } from "@hono/zod-openapi";
import type { MenuPhoto, restaurants } from "../../../db/schema.ts";
import { ALLERGENS, DIETARY_TAGS } from "../../../domain/menu/labels.ts";
import { photoOf } from "../menus/menu-repository.ts";

export const Uuid = z.string().uuid();
export const Name = z.string().trim().min(1).max(120);
export const MAX_PRICE_MINOR = 10_000_000;
export const Money = z.number().int().min(0).max(MAX_PRICE_MINOR);
/** Option deltas may be negative (a smaller size); the item's cheapest choice is checked separately. */
export const Delta = z.number().int().min(-MAX_PRICE_MINOR).max(MAX_PRICE_MINOR).openapi({
  description: "May be negative (a smaller size costs less), as long as no valid choice costs below zero.",
});
export const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use 24-hour HH:MM, e.g. 09:30.");
export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "Use YYYY-MM-DD.");
export const nonEmpty = (body: Record<string, unknown>) => Object.values(body).some((v) => v !== undefined);
export const NOTHING_TO_CHANGE = { message: "Send at least one field to change." };

export const OpeningSlot = z
  .strictObject({
    day: z.number().int().min(0).max(6).openapi({ description: "0 = Sunday" }),
    open: HHMM,
    close: HHMM.openapi({ description: "Before `open`: runs past midnight. Equal to `open`: 24 hours." }),
  })
  .openapi("OpeningSlot");

export const DaySlot = z
  .strictObject({
    open: HHMM,
    close: HHMM.openapi({ description: "Before `open`: runs past midnight into the next date." }),
  })
  .openapi("DaySlot");

export const SpecialDay = z
  .strictObject({
    date: LocalDate.openapi({ description: "Local date in the restaurant's time zone." }),
    slots: z
      .array(DaySlot)
      .max(6)
      .openapi({ description: "Replaces that date's weekly hours; empty: closed all day." }),
    note: z.string().trim().max(120).optional(),
  })
  .openapi("SpecialDay");

export const Allergen = z
  .enum(ALLERGENS)
  .openapi("Allergen", { description: "The 14 allergens EU law requires to be declared." });
export const DietaryTag = z.enum(DIETARY_TAGS).openapi("DietaryTag");
export const Allergens = z.array(Allergen).max(ALLERGENS.length);
export const DietaryTags = z.array(DietaryTag).max(DIETARY_TAGS.length);

export const Fulfilment = z.enum(["on_demand", "slots"]).openapi("Fulfilment", {
  description: "on_demand: as soon as possible (or scheduled); slots: only in delivery slots.",
});

export const RestaurantProfile = z
  .object({
    id: Uuid,
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    cuisines: z.array(z.string()),
    address: z.string(),
    lat: z.number(),
    lng: z.number(),
    timeZone: z.string(),
    openingHours: z.array(z.object({ day: z.number().int(), open: z.string(), close: z.string() })),
    specialDays: z.array(SpecialDay),
    pausedUntil: z.string().nullable(),
    pauseReason: z.string().nullable(),
    prepTimeMinutes: z.number().int(),
    deliveryRadiusM: z.number().int(),
    currency: z.string(),
    menuVersion: z.number().int(),
    active: z.boolean(),
    fulfilment: Fulfilment,
    acceptsScheduledOrders: z.boolean(),
  })
  .openapi("RestaurantProfile");

export function profileOf(row: typeof restaurants.$inferSelect): z.infer<typeof RestaurantProfile> {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    cuisines: row.cuisines,
    address: row.address,
    lat: row.lat,
    lng: row.lng,
    timeZone: row.timeZone,
    openingHours: row.openingHours,
    specialDays: row.specialDays,
    pausedUntil: row.pausedUntil?.toISOString() ?? null,
    pauseReason: row.pauseReason,
    prepTimeMinutes: row.prepTimeMinutes,
    deliveryRadiusM: row.deliveryRadiusM,
    currency: row.currency,
    menuVersion: row.menuVersion,
    active: row.active,
    fulfilment: row.fulfilment,
    acceptsScheduledOrders: row.acceptsScheduledOrders,
  };
}

export const NewOption = z.strictObject({
  name: Name,
  priceDeltaMinor: Delta.default(0),
  available: z.boolean().default(true),
});

function duplicateNames(names: readonly string[]): number[] {
  const seen = new Set<string>();
  return names.flatMap((n, i) => {
    const key = n.toLowerCase();
    if (seen.has(key)) return [i];
    seen.add(key);
    return [];
  });
}

export function refineUniqueNames(names: readonly string[], ctx: z.RefinementCtx, path: string, what: string): void {
  for (const i of duplicateNames(names)) {
    ctx.addIssue({ code: "custom", path: [path, i, "name"], message: `${what} names must be unique.` });
  }
}

export const NewGroup = z
  .strictObject({
    name: Name,
    minChoices: z.number().int().min(0).max(20).default(0),
    maxChoices: z.number().int().min(1).max(20).default(1),
    options: z.array(NewOption).min(1).max(30),
  })
  .superRefine((g, ctx) => {
    if (g.minChoices > g.maxChoices) {
      ctx.addIssue({ code: "custom", path: ["minChoices"], message: "minChoices cannot exceed maxChoices." });
    }
    if (g.maxChoices > g.options.length) {
      ctx.addIssue({
        code: "custom",
        path: ["maxChoices"],
        message: "maxChoices cannot exceed the number of options.",
      });
    }
    refineUniqueNames(
      g.options.map((o) => o.name),
      ctx,
      "options",
      "Option",
    );
  })
  .openapi("NewModifierGroup");

export const MenuOptionOut = z
  .object({ id: Uuid, name: z.string(), priceDeltaMinor: z.number().int(), available: z.boolean() })
  .openapi("ManagedMenuOption");

export const MenuGroupOut = z
  .object({
    id: Uuid,
    name: z.string(),
    minChoices: z.number().int(),
    maxChoices: z.number().int(),
    options: z.array(MenuOptionOut),
  })
  .openapi("ManagedModifierGroup");

export const MenuPhotoOut = z
  .object({
    url: z.string().openapi({ description: "Append `?w=160|480|960`; the nearest stored width is served." }),
    widths: z.array(z.number().int()),
    width: z.number().int(),
    height: z.number().int(),
  })
  .openapi("MenuPhoto");

export const MenuItemOut = z
  .object({
    id: Uuid,
    categoryId: Uuid,
    name: z.string(),
    description: z.string(),
    priceMinor: z.number().int(),
    available: z.boolean(),
    position: z.number().int(),
    allergens: z.array(Allergen),
    dietaryTags: z.array(DietaryTag),
    photo: MenuPhotoOut.nullable(),
    archived: z.boolean(),
    groups: z.array(MenuGroupOut),
  })
  .openapi("ManagedMenuItem");

export type MenuItemOutput = z.infer<typeof MenuItemOut>;

export function itemOut(
  restaurantId: string,
  item: {
    id: string;
    categoryId: string;
    name: string;
    description: string;
    priceMinor: number;
    available: boolean;
    position: number;
    allergens: string[];
    dietaryTags: string[];
    photo: MenuPhoto | null;
    archivedAt: Date | null;
  },
  groups: MenuItemOutput["groups"],
): MenuItemOutput {
  return {
    id: item.id,
    categoryId: item.categoryId,
    name: item.name,
    description: item.description,
    priceMinor: item.priceMinor,
    available: item.available,
    position: item.position,
    allergens: item.allergens as MenuItemOutput["allergens"],
    dietaryTags: item.dietaryTags as MenuItemOutput["dietaryTags"],
    photo: photoOf(restaurantId, item.photo),
    archived: item.archivedAt !== null,
    groups,
  };
}

export const MenuChange = <T extends z.ZodType>(schema: T) => z.object({ menuVersion: z.number().int(), item: schema });
