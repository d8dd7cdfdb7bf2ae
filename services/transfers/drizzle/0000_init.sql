CREATE TABLE "limit_policies" (
	"currency" text PRIMARY KEY NOT NULL,
	"per_transaction_max" bigint NOT NULL,
	"daily_max" bigint NOT NULL,
	"monthly_max" bigint NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "limit_usage" (
	"account_id" uuid NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"used" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "limit_usage_account_id_period_period_start_pk" PRIMARY KEY("account_id","period","period_start"),
	CONSTRAINT "limit_usage_used_non_negative" CHECK ("limit_usage"."used" >= 0)
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
CREATE TABLE "transfer_history" (
	"participant" text NOT NULL,
	"transfer_id" uuid NOT NULL,
	"from_account_id" uuid NOT NULL,
	"to_account_id" uuid,
	"to_handle" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"memo" text NOT NULL,
	"status" text NOT NULL,
	"failure_reason" text,
	"failure_message" text NOT NULL,
	"entry_id" uuid NOT NULL,
	"payer" text NOT NULL,
	"payee" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "transfer_history_participant_transfer_id_pk" PRIMARY KEY("participant","transfer_id")
);
--> statement-breakpoint
CREATE TABLE "transfers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"payer" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"from_account_id" uuid NOT NULL,
	"to_account_id" uuid,
	"to_handle" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"memo" text NOT NULL,
	"status" text NOT NULL,
	"failure_reason" text,
	"failure_message" text NOT NULL,
	"entry_id" uuid NOT NULL,
	"payee" text NOT NULL,
	"usage_day" date,
	"usage_month" date,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "transfers_amount_positive" CHECK ("transfers"."amount" > 0),
	CONSTRAINT "transfers_usage_both_or_neither" CHECK (("transfers"."usage_day" is null) = ("transfers"."usage_month" is null))
);
--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "outbox" USING btree ("id") WHERE "outbox"."published_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "parked_events_consumer_event_idx" ON "parked_events" USING btree ("consumer","event_id");--> statement-breakpoint
CREATE INDEX "transfer_history_participant_time_idx" ON "transfer_history" USING btree ("participant","created_at" DESC NULLS LAST,"transfer_id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_payer_idempotency_key_idx" ON "transfers" USING btree ("payer","idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_entry_id_idx" ON "transfers" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "transfers_in_flight_idx" ON "transfers" USING btree ("created_at") WHERE "transfers"."status" = 'initiated';