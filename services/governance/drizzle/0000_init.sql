CREATE TABLE "log_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"size" bigint NOT NULL,
	CONSTRAINT "log_head_single_row" CHECK ("log_head"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "log_leaves" (
	"idx" bigint PRIMARY KEY NOT NULL,
	"data" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "log_nodes" (
	"level" integer NOT NULL,
	"idx" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "log_nodes_level_idx_pk" PRIMARY KEY("level","idx")
);
--> statement-breakpoint
CREATE TABLE "members" (
	"subject" text PRIMARY KEY NOT NULL,
	"added_by" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL
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
CREATE TABLE "proposal_tallies" (
	"proposal_id" uuid PRIMARY KEY NOT NULL,
	"for_votes" integer NOT NULL,
	"against_votes" integer NOT NULL,
	"abstain_votes" integer NOT NULL,
	"eligible" integer NOT NULL,
	"state" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "proposal_voters" (
	"proposal_id" uuid NOT NULL,
	"subject" text NOT NULL,
	CONSTRAINT "proposal_voters_proposal_id_subject_pk" PRIMARY KEY("proposal_id","subject")
);
--> statement-breakpoint
CREATE TABLE "proposals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"proposer" text NOT NULL,
	"parameter" text NOT NULL,
	"previous_value" bigint NOT NULL,
	"new_value" bigint NOT NULL,
	"rationale" text NOT NULL,
	"quorum_bps" integer NOT NULL,
	"threshold_bps" integer NOT NULL,
	"eligible" integer NOT NULL,
	"for_votes" integer DEFAULT 0 NOT NULL,
	"against_votes" integer DEFAULT 0 NOT NULL,
	"abstain_votes" integer DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"vote_start" timestamp with time zone NOT NULL,
	"vote_end" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"eta" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"execution_error" text DEFAULT '' NOT NULL,
	"execution_attempts" integer DEFAULT 0 NOT NULL,
	"canceled_by" text DEFAULT '' NOT NULL,
	"leaf_index" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "votes" (
	"proposal_id" uuid NOT NULL,
	"voter" text NOT NULL,
	"support" text NOT NULL,
	"reason" text NOT NULL,
	"cast_at" timestamp with time zone NOT NULL,
	"leaf_index" bigint NOT NULL,
	CONSTRAINT "votes_proposal_id_voter_pk" PRIMARY KEY("proposal_id","voter")
);
--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "outbox" USING btree ("id") WHERE "outbox"."published_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "parked_events_consumer_event_idx" ON "parked_events" USING btree ("consumer","event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "proposals_one_in_flight_idx" ON "proposals" USING btree ("parameter") WHERE "proposals"."state" in ('open', 'succeeded', 'queued');--> statement-breakpoint
CREATE INDEX "proposals_created_idx" ON "proposals" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "proposals_state_created_idx" ON "proposals" USING btree ("state","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "proposals_open_end_idx" ON "proposals" USING btree ("vote_end") WHERE "proposals"."state" = 'open';--> statement-breakpoint
CREATE INDEX "proposals_passed_eta_idx" ON "proposals" USING btree ("eta") WHERE "proposals"."state" in ('succeeded', 'queued');