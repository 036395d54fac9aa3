CREATE TABLE "cache_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"target" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cache_outbox_scope_ck" CHECK (scope in ('guild', 'user', 'key')),
	CONSTRAINT "cache_outbox_target_ck" CHECK (length(target) between 1 and 1024)
);
