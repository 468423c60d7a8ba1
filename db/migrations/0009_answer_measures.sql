CREATE TABLE `backfills` (
	`name` text PRIMARY KEY NOT NULL,
	`next_id` integer NOT NULL,
	`last_id` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `assessments` ADD `reading_seconds` real;--> statement-breakpoint
ALTER TABLE `assessments` ADD `unacceptable_rationale_weight` real;--> statement-breakpoint
ALTER TABLE `ranking_blocks` ADD `rationale_weight` real;--> statement-breakpoint
-- Rows recorded before this migration get their measures in slices after it (src/store/answer-measures.ts:
-- the weights need JavaScript's grapheme segmenter, and one UPDATE of every row would hold the write lock
-- for seconds). Until then the analysis measures a missing value itself.
INSERT INTO `backfills` (`name`, `next_id`, `last_id`)
SELECT 'answer_measures', min(`id`), max(`id`) FROM `assessments` HAVING count(*) > 0;
--> statement-breakpoint
-- A measure follows its text when the text is changed by hand (a correction, a redaction): the reading
-- time is recomputed, a weight is cleared (the analysis then measures the text itself).
CREATE TRIGGER `assessments_reading_seconds_update` AFTER UPDATE OF `started_at`, `reading_done_at` ON `assessments`
BEGIN
  UPDATE `assessments`
  SET `reading_seconds` = round((julianday(NEW.`reading_done_at`) - julianday(NEW.`started_at`)) * 86400.0, 3)
  WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_rationale_weight_update` AFTER UPDATE OF `unacceptable_rationale` ON `assessments`
WHEN NEW.`unacceptable_rationale` IS NOT OLD.`unacceptable_rationale`
  AND NEW.`unacceptable_rationale_weight` IS OLD.`unacceptable_rationale_weight`
BEGIN
  UPDATE `assessments` SET `unacceptable_rationale_weight` = NULL WHERE `id` = NEW.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `ranking_blocks_rationale_weight_update` AFTER UPDATE OF `rationale` ON `ranking_blocks`
WHEN NEW.`rationale` IS NOT OLD.`rationale` AND NEW.`rationale_weight` IS OLD.`rationale_weight`
BEGIN
  UPDATE `ranking_blocks` SET `rationale_weight` = NULL WHERE `rowid` = NEW.`rowid`;
END;
