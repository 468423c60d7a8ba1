CREATE TABLE `broadcast_leases` (
	`platform` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `broadcasts` ADD `started_at` text;