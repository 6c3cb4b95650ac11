CREATE TABLE "surge_policies" (
	"zone_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"start_ratio" double precision NOT NULL,
	"full_ratio" double precision NOT NULL,
	"cap_bps" integer NOT NULL,
	"half_life_seconds" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "surge_policies_bounds" CHECK ("surge_policies"."start_ratio" > 0 and "surge_policies"."full_ratio" > "surge_policies"."start_ratio" and "surge_policies"."cap_bps" between 10000 and 30000 and "surge_policies"."half_life_seconds" between 0 and 3600)
);
--> statement-breakpoint
ALTER TABLE "surge_policies" ADD CONSTRAINT "surge_policies_zone_id_zones_id_fk" FOREIGN KEY ("zone_id") REFERENCES "public"."zones"("id") ON DELETE cascade ON UPDATE no action;