ALTER TABLE "orders" DROP CONSTRAINT "orders_money_nonnegative";--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_total_is_sum";--> statement-breakpoint
ALTER TABLE "zones" ADD COLUMN "tax_included" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "zones" ADD COLUMN "small_order_minimum_minor" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "zones" ADD COLUMN "small_order_fee_minor" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "menu_items" ADD COLUMN "tax_bps" integer;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "tax_included" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "items_tax_minor" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "small_order_fee_minor" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "zones" ADD CONSTRAINT "zones_small_order_nonnegative" CHECK ("zones"."small_order_minimum_minor" >= 0 and "zones"."small_order_fee_minor" >= 0);--> statement-breakpoint
ALTER TABLE "menu_items" ADD CONSTRAINT "menu_items_tax_bps_range" CHECK ("menu_items"."tax_bps" is null or "menu_items"."tax_bps" between 0 and 10000);--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_money_nonnegative" CHECK ("orders"."subtotal_minor" >= 0 and "orders"."delivery_fee_minor" >= 0 and "orders"."service_fee_minor" >= 0 and "orders"."tax_minor" >= 0 and "orders"."tip_minor" >= 0 and "orders"."small_order_fee_minor" >= 0 and "orders"."items_tax_minor" between 0 and "orders"."tax_minor");--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_total_is_sum" CHECK ("orders"."total_minor" = "orders"."subtotal_minor" + "orders"."delivery_fee_minor" + "orders"."service_fee_minor" + "orders"."small_order_fee_minor" + (case when "orders"."tax_included" then 0 else "orders"."tax_minor" end) + "orders"."tip_minor" - "orders"."discount_minor");