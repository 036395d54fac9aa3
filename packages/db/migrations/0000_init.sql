CREATE TABLE "characters" (
	"id" bigint PRIMARY KEY NOT NULL,
	"bnet_id" bigint NOT NULL,
	"name" text NOT NULL,
	"realm" text NOT NULL,
	"level" integer NOT NULL,
	"class_id" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"bnet_id" bigint PRIMARY KEY NOT NULL,
	"battletag" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "guild_members" (
	"guild_id" bigint NOT NULL,
	"character_id" bigint NOT NULL,
	"name" text NOT NULL,
	"realm" text NOT NULL,
	"level" integer NOT NULL,
	"class_id" integer NOT NULL,
	"rank" smallint NOT NULL,
	"bnet_id" bigint,
	CONSTRAINT "guild_members_pk" PRIMARY KEY("guild_id","character_id"),
	CONSTRAINT "guild_members_rank_ck" CHECK (rank between 0 and 9)
);
--> statement-breakpoint
CREATE TABLE "guilds" (
	"id" bigint PRIMARY KEY NOT NULL,
	"region" text NOT NULL,
	"realm_slug" text NOT NULL,
	"name_slug" text NOT NULL,
	"name" text NOT NULL,
	"faction" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"synced_at" timestamp with time zone,
	CONSTRAINT "guilds_region_ck" CHECK (region in ('us', 'eu', 'kr', 'tw'))
);
--> statement-breakpoint
CREATE TABLE "guild_tool_permissions" (
	"guild_id" bigint NOT NULL,
	"tool" text NOT NULL,
	"max_rank" smallint NOT NULL,
	CONSTRAINT "guild_tool_permissions_pk" PRIMARY KEY("guild_id","tool"),
	CONSTRAINT "guild_tool_permissions_tool_ck" CHECK (tool ~ '^[a-z][a-z0-9-]{0,31}$'),
	CONSTRAINT "guild_tool_permissions_max_rank_ck" CHECK (max_rank between 0 and 9)
);
--> statement-breakpoint
CREATE TABLE "guild_settings" (
	"guild_id" bigint PRIMARY KEY NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"bnet_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sessions_token_hash_ck" CHECK (token_hash ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
ALTER TABLE "characters" ADD CONSTRAINT "characters_bnet_id_users_bnet_id_fk" FOREIGN KEY ("bnet_id") REFERENCES "public"."users"("bnet_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_members" ADD CONSTRAINT "guild_members_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_members" ADD CONSTRAINT "guild_members_bnet_id_users_bnet_id_fk" FOREIGN KEY ("bnet_id") REFERENCES "public"."users"("bnet_id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_tool_permissions" ADD CONSTRAINT "guild_tool_permissions_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "guild_settings" ADD CONSTRAINT "guild_settings_guild_id_guilds_id_fk" FOREIGN KEY ("guild_id") REFERENCES "public"."guilds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_bnet_id_users_bnet_id_fk" FOREIGN KEY ("bnet_id") REFERENCES "public"."users"("bnet_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "characters_bnet_id_idx" ON "characters" USING btree ("bnet_id");--> statement-breakpoint
CREATE INDEX "guild_members_permission_idx" ON "guild_members" USING btree ("guild_id","bnet_id","rank");--> statement-breakpoint
CREATE INDEX "guild_members_bnet_id_idx" ON "guild_members" USING btree ("bnet_id");--> statement-breakpoint
CREATE UNIQUE INDEX "guilds_region_realm_name_uq" ON "guilds" USING btree ("region","realm_slug","name_slug");--> statement-breakpoint
CREATE INDEX "sessions_bnet_id_idx" ON "sessions" USING btree ("bnet_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_at_idx" ON "sessions" USING btree ("expires_at");