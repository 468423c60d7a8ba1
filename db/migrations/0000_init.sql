CREATE TABLE `assessments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assignment_id` integer NOT NULL,
	`participant_id` text NOT NULL,
	`study_id` text NOT NULL,
	`scenario_id` text NOT NULL,
	`locale` text NOT NULL,
	`started_at` text NOT NULL,
	`reading_done_at` text,
	`completed_at` text NOT NULL,
	`unacceptable_labels` text,
	`unacceptable_rationale` text,
	`unacceptable_rationale_language` text,
	`unacceptable_rationale_confidence` real,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`study_id`,`scenario_id`) REFERENCES `scenarios`(`study_id`,`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assessments_assignment` ON `assessments` (`assignment_id`);--> statement-breakpoint
CREATE INDEX `assessments_study_scenario` ON `assessments` (`study_id`,`scenario_id`);--> statement-breakpoint
CREATE INDEX `assessments_participant` ON `assessments` (`participant_id`);--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`participant_id` text NOT NULL,
	`study_id` text NOT NULL,
	`scenario_id` text NOT NULL,
	`position` integer NOT NULL,
	`shown_order` text NOT NULL,
	`form` text NOT NULL,
	`assigned_at` text NOT NULL,
	`started_at` text,
	`completed_at` text,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`study_id`,`scenario_id`) REFERENCES `scenarios`(`study_id`,`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assignments_participant_scenario` ON `assignments` (`participant_id`,`study_id`,`scenario_id`);--> statement-breakpoint
CREATE INDEX `assignments_study_scenario` ON `assignments` (`study_id`,`scenario_id`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`origin` text NOT NULL,
	`action` text NOT NULL,
	`details` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `broadcasts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`study_id` text,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL,
	`messages` text NOT NULL,
	`message_key` text,
	`with_start_button` integer DEFAULT false NOT NULL,
	`filter` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`sent_at` text,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `candidate_responses` (
	`study_id` text NOT NULL,
	`scenario_id` text NOT NULL,
	`label` text NOT NULL,
	`text` text NOT NULL,
	PRIMARY KEY(`study_id`, `scenario_id`, `label`),
	FOREIGN KEY (`study_id`,`scenario_id`) REFERENCES `scenarios`(`study_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`broadcast_id` integer NOT NULL,
	`participant_id` text NOT NULL,
	`platform` text NOT NULL,
	`locale` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`sent_at` text,
	PRIMARY KEY(`broadcast_id`, `participant_id`),
	FOREIGN KEY (`broadcast_id`) REFERENCES `broadcasts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deliveries_status` ON `deliveries` (`broadcast_id`,`status`);--> statement-breakpoint
CREATE INDEX `deliveries_participant` ON `deliveries` (`participant_id`);--> statement-breakpoint
CREATE TABLE `flow_states` (
	`participant_id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`step` integer NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `participants` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`platform_user_id` text NOT NULL,
	`study_id` text NOT NULL,
	`locale` text NOT NULL,
	`status` text NOT NULL,
	`source` text,
	`consent_version` text,
	`consented_at` text,
	`admitted_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `participants_platform_user` ON `participants` (`platform`,`platform_user_id`);--> statement-breakpoint
CREATE INDEX `participants_study_status` ON `participants` (`study_id`,`status`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`platform` text NOT NULL,
	`event_id` text NOT NULL,
	`processed_at` text NOT NULL,
	PRIMARY KEY(`platform`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `processed_events_at` ON `processed_events` (`processed_at`);--> statement-breakpoint
CREATE TABLE `profile_answers` (
	`participant_id` text NOT NULL,
	`question_id` text NOT NULL,
	`value` text,
	`answered_at` text NOT NULL,
	PRIMARY KEY(`participant_id`, `question_id`),
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `profile_answers_question_value` ON `profile_answers` (`question_id`,`value`);--> statement-breakpoint
CREATE TABLE `ranking_blocks` (
	`assessment_id` integer NOT NULL,
	`block` text NOT NULL,
	`ranking` text NOT NULL,
	`rationale` text,
	`rationale_language` text,
	`rationale_confidence` real,
	`ranked_at` text NOT NULL,
	`rationale_at` text,
	PRIMARY KEY(`assessment_id`, `block`),
	FOREIGN KEY (`assessment_id`) REFERENCES `assessments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `reference_rankings` (
	`study_id` text NOT NULL,
	`scenario_id` text NOT NULL,
	`source` text NOT NULL,
	`source_version` text,
	`ranking` text NOT NULL,
	`imported_at` text NOT NULL,
	PRIMARY KEY(`study_id`, `scenario_id`, `source`),
	FOREIGN KEY (`study_id`,`scenario_id`) REFERENCES `scenarios`(`study_id`,`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `scenarios` (
	`study_id` text NOT NULL,
	`id` text NOT NULL,
	`position` integer NOT NULL,
	`messages` text NOT NULL,
	`tags` text NOT NULL,
	`reference_ranking` text,
	`attention_check` text,
	`assessment_count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`study_id`, `id`),
	FOREIGN KEY (`study_id`) REFERENCES `studies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `screening_answers` (
	`participant_id` text NOT NULL,
	`question_id` text NOT NULL,
	`option_id` text NOT NULL,
	`passed` integer NOT NULL,
	`answered_at` text NOT NULL,
	PRIMARY KEY(`participant_id`, `question_id`),
	FOREIGN KEY (`participant_id`) REFERENCES `participants`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `staff` (
	`platform` text NOT NULL,
	`platform_user_id` text NOT NULL,
	`role` text NOT NULL,
	`added_at` text NOT NULL,
	`added_by` text NOT NULL,
	PRIMARY KEY(`platform`, `platform_user_id`)
);
--> statement-breakpoint
CREATE TABLE `studies` (
	`id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`definition` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`published_at` text,
	`closed_at` text
);
