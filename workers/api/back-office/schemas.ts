// Response shapes the back-office routes share.
import { z } from "@hono/zod-openapi";

export const Account = z
  .object({
    id: z.string().uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(["customer", "restaurant_staff", "courier", "admin"]),
    restaurantId: z.string().uuid().nullable(),
    deactivatedAt: z.string().nullable(),
    createdAt: z.string(),
    invited: z.boolean().openapi({ description: "Has not chosen a password yet." }),
  })
  .openapi("Account");

export const IssuedInvitation = z
  .object({
    token: z.string().openapi({
      description: "Shown once: the person opens the console's invitation page with it to choose a password.",
    }),
    expiresAt: z.string(),
  })
  .openapi("IssuedInvitation");
