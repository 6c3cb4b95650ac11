CREATE TYPE "public"."fulfilment_mode" AS ENUM('on_demand', 'slots');--> statement-breakpoint
ALTER TABLE "modifier_options" DROP CONSTRAINT "modifier_options_delta_nonnegative";--> statement-breakpoint
DROP INDEX "menu_categories_restaurant_name_key";--> statement-breakpoint
DROP INDEX "menu_items_category_name_key";--> statement-breakpoint
ALTER TABLE "menu_categories" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "menu_items" ADD COLUMN "allergens" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "menu_items" ADD COLUMN "dietary_tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "menu_items" ADD COLUMN "photo" jsonb;--> statement-breakpoint
ALTER TABLE "menu_items" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "scheduled_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "delivery_slot" text;--> statement-breakpoint
ALTER TABLE "restaurants" ADD COLUMN "special_days" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "restaurants" ADD COLUMN "paused_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "restaurants" ADD COLUMN "pause_reason" text;--> statement-breakpoint
ALTER TABLE "restaurants" ADD COLUMN "capacity" jsonb;--> statement-breakpoint
ALTER TABLE "restaurants" ADD COLUMN "fulfilment" "fulfilment_mode" DEFAULT 'on_demand' NOT NULL;--> statement-breakpoint
ALTER TABLE "restaurants" ADD COLUMN "delivery_slots" jsonb;--> statement-breakpoint
ALTER TABLE "restaurants" ADD COLUMN "accepts_scheduled_orders" boolean DEFAULT true NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "menu_categories_restaurant_name_key" ON "menu_categories" USING btree ("restaurant_id","name") WHERE "menu_categories"."archived_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "menu_items_category_name_key" ON "menu_items" USING btree ("category_id","name") WHERE "menu_items"."archived_at" is null;--> statement-breakpoint
ALTER TABLE "modifier_options" ADD CONSTRAINT "modifier_options_delta_range" CHECK ("modifier_options"."price_delta_minor" between -10000000 and 10000000);--> statement-breakpoint
ALTER TABLE "restaurants" ADD CONSTRAINT "restaurants_slots_when_slot_based" CHECK (("restaurants"."fulfilment" = 'slots') = ("restaurants"."delivery_slots" is not null));