ALTER TABLE `flow_states` ADD `revision` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `flow_states` ADD `assignments` text;--> statement-breakpoint
-- A writer that changes the state without raising its revision (an operator's
-- hand edit, a tool, an older release still running) raises it here, so no
-- process keeps using a copy it saved earlier.
CREATE TRIGGER `flow_states_revision` AFTER UPDATE OF `state`, `assignments` ON `flow_states`
WHEN NEW.`revision` = OLD.`revision`
BEGIN
  UPDATE `flow_states` SET `revision` = OLD.`revision` + 1 WHERE `participant_id` = NEW.`participant_id`;
END;
