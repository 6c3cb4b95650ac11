ALTER TABLE "order_ratings" ADD COLUMN "reply_text" text;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD COLUMN "reply_by" uuid;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD COLUMN "replied_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD COLUMN "hidden_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD COLUMN "hidden_by" uuid;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD COLUMN "hidden_reason" text;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD CONSTRAINT "order_ratings_reply_by_users_id_fk" FOREIGN KEY ("reply_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_ratings" ADD CONSTRAINT "order_ratings_hidden_by_users_id_fk" FOREIGN KEY ("hidden_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "order_ratings_restaurant_recent_idx" ON "order_ratings" USING btree ("restaurant_id","created_at","order_id");