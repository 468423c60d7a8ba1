-- Keeps scenarios.assessment_count equal to the number of assessments of each
-- scenario, whoever inserts or deletes them (the engine, a withdrawal's
-- cascade, a CLI command). Assignment balancing reads the counter instead of
-- counting assessments on every new participant.
CREATE TRIGGER `assessments_count_insert` AFTER INSERT ON `assessments`
BEGIN
  UPDATE `scenarios` SET `assessment_count` = `assessment_count` + 1
  WHERE `study_id` = NEW.`study_id` AND `id` = NEW.`scenario_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `assessments_count_delete` AFTER DELETE ON `assessments`
BEGIN
  UPDATE `scenarios` SET `assessment_count` = `assessment_count` - 1
  WHERE `study_id` = OLD.`study_id` AND `id` = OLD.`scenario_id`;
END;
