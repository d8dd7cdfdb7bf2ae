CREATE TABLE "handles" (
	"handle" text PRIMARY KEY NOT NULL,
	"key_id" text NOT NULL,
	"account_id_ct" "bytea" NOT NULL,
	"owner_ct" "bytea" NOT NULL,
	"owner_index" "bytea" NOT NULL,
	"display_name" text NOT NULL,
	"network" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deactivated_at" timestamp with time zone,
	CONSTRAINT "handles_handle_format" CHECK ("handles"."handle" ~ '^@[a-z0-9_.-]{3,30}$'),
	CONSTRAINT "handles_deactivated_at" CHECK (("handles"."status" = 'deactivated') = ("handles"."deactivated_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"type" text NOT NULL,
	"payload" "bytea" NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "parked_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"consumer" text NOT NULL,
	"event_id" text,
	"stream" text NOT NULL,
	"stream_sequence" bigint NOT NULL,
	"subject" text NOT NULL,
	"type" text,
	"payload" "bytea" NOT NULL,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text NOT NULL,
	"deliveries" integer NOT NULL,
	"parked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "processed_events" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "processed_events_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE INDEX "handles_owner_idx" ON "handles" USING btree ("owner_index","handle");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "outbox" USING btree ("id") WHERE "outbox"."published_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "parked_events_consumer_event_idx" ON "parked_events" USING btree ("consumer","event_id");