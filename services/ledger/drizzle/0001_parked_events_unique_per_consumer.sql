DROP INDEX "parked_events_consumer_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "parked_events_consumer_event_idx" ON "parked_events" USING btree ("consumer","event_id");