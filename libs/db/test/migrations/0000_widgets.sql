CREATE TABLE "widgets" (
	"id" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
