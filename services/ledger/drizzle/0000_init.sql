CREATE TABLE "accounts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"currency" text NOT NULL,
	"owner" text NOT NULL,
	"code" text NOT NULL,
	"debits_must_not_exceed_credits" boolean NOT NULL,
	"credits_must_not_exceed_debits" boolean NOT NULL,
	"metadata" jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"debits_posted" bigint DEFAULT 0 NOT NULL,
	"credits_posted" bigint DEFAULT 0 NOT NULL,
	"debits_pending" bigint DEFAULT 0 NOT NULL,
	"credits_pending" bigint DEFAULT 0 NOT NULL,
	"sequence" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "accounts_totals_non_negative" CHECK ("accounts"."debits_posted" >= 0 and "accounts"."credits_posted" >= 0 and "accounts"."debits_pending" >= 0 and "accounts"."credits_pending" >= 0),
	CONSTRAINT "accounts_debits_within_credits" CHECK (not "accounts"."debits_must_not_exceed_credits" or "accounts"."debits_posted" + "accounts"."debits_pending" <= "accounts"."credits_posted"),
	CONSTRAINT "accounts_credits_within_debits" CHECK (not "accounts"."credits_must_not_exceed_debits" or "accounts"."credits_posted" + "accounts"."credits_pending" <= "accounts"."debits_posted")
);
--> statement-breakpoint
CREATE TABLE "entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"memo" text NOT NULL,
	"metadata" jsonb NOT NULL,
	"pending" boolean NOT NULL,
	"pending_timeout_seconds" integer NOT NULL,
	"status" text NOT NULL,
	"expires_at" timestamp with time zone,
	"posted_amounts" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "entry_lines" (
	"entry_id" uuid NOT NULL,
	"line_index" integer NOT NULL,
	"account_id" uuid NOT NULL,
	"amount" bigint NOT NULL,
	"side" text NOT NULL,
	"currency" text NOT NULL,
	CONSTRAINT "entry_lines_entry_id_line_index_pk" PRIMARY KEY("entry_id","line_index"),
	CONSTRAINT "entry_lines_amount_positive" CHECK ("entry_lines"."amount" > 0)
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
CREATE TABLE "postings" (
	"account_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"entry_id" uuid NOT NULL,
	"line_index" integer NOT NULL,
	"amount" bigint NOT NULL,
	"side" text NOT NULL,
	"debits_after" bigint NOT NULL,
	"credits_after" bigint NOT NULL,
	"posted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "postings_account_id_sequence_pk" PRIMARY KEY("account_id","sequence")
);
--> statement-breakpoint
CREATE TABLE "processed_events" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "processed_events_consumer_event_id_pk" PRIMARY KEY("consumer","event_id")
);
--> statement-breakpoint
CREATE TABLE "statement_lines" (
	"account_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"entry_id" uuid NOT NULL,
	"line_index" integer NOT NULL,
	"amount" bigint NOT NULL,
	"side" text NOT NULL,
	"balance_after" bigint NOT NULL,
	"posted_at" timestamp with time zone NOT NULL,
	"memo" text NOT NULL,
	CONSTRAINT "statement_lines_account_id_sequence_pk" PRIMARY KEY("account_id","sequence")
);
--> statement-breakpoint
CREATE INDEX "accounts_owner_idx" ON "accounts" USING btree ("owner","created_at","id");--> statement-breakpoint
CREATE INDEX "entries_pending_expiry_idx" ON "entries" USING btree ("expires_at") WHERE "entries"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "entry_lines_account_idx" ON "entry_lines" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "outbox" USING btree ("id") WHERE "outbox"."published_at" is null;--> statement-breakpoint
CREATE INDEX "parked_events_consumer_idx" ON "parked_events" USING btree ("consumer","parked_at");--> statement-breakpoint
CREATE INDEX "postings_account_time_idx" ON "postings" USING btree ("account_id","posted_at");--> statement-breakpoint
CREATE INDEX "statement_lines_account_time_idx" ON "statement_lines" USING btree ("account_id","posted_at","sequence");