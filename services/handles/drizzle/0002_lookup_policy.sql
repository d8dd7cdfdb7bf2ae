CREATE TABLE "lookup_policy" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"capacity" integer NOT NULL,
	"refill_per_minute" integer NOT NULL,
	"hit_cost" integer NOT NULL,
	"miss_cost" integer NOT NULL,
	"revision" bigint NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lookup_policy_single_row" CHECK ("lookup_policy"."id"),
	CONSTRAINT "lookup_policy_usable" CHECK ("lookup_policy"."hit_cost" >= 1 and "lookup_policy"."refill_per_minute" >= 1 and "lookup_policy"."miss_cost" >= "lookup_policy"."hit_cost" and "lookup_policy"."capacity" >= "lookup_policy"."miss_cost")
);
