ALTER TABLE `assessments` ADD `layout` text;--> statement-breakpoint
ALTER TABLE `assessments` ADD `opens` text;--> statement-breakpoint
ALTER TABLE `ranking_blocks` ADD `rationale_parts` integer;