-- Study definitions stop carrying their scenarios' texts: `studies.definition`
-- keeps the study's settings and lists its scenario ids in order
-- (`scenarioIds`); the texts live once, in `scenarios` and
-- `candidate_responses` (src/store/stored-study.ts builds the Study from them).
-- An old definition is what participants were shown, so its scenarios are
-- first written to their rows (which may lag it after an interrupted import,
-- or be missing), then the definition is reduced to the ids.
INSERT INTO `scenarios` (`study_id`, `id`, `position`, `messages`, `tags`, `reference_ranking`, `attention_check`)
SELECT d.`id`, json_extract(s.value, '$.id'), s.key, json_extract(s.value, '$.messages'),
  coalesce(json_extract(s.value, '$.tags'), '[]'), json_extract(s.value, '$.referenceRanking'),
  json_extract(s.value, '$.attentionCheck')
FROM `studies` d, json_each(d.`definition`, '$.scenarios') s
WHERE json_type(d.`definition`, '$.scenarios') = 'array'
ON CONFLICT (`study_id`, `id`) DO UPDATE SET `position` = excluded.`position`, `messages` = excluded.`messages`,
  `tags` = excluded.`tags`, `reference_ranking` = excluded.`reference_ranking`,
  `attention_check` = excluded.`attention_check`;
--> statement-breakpoint
INSERT INTO `candidate_responses` (`study_id`, `scenario_id`, `label`, `text`)
SELECT d.`id`, json_extract(s.value, '$.id'), json_extract(r.value, '$.label'), json_extract(r.value, '$.text')
FROM `studies` d, json_each(d.`definition`, '$.scenarios') s, json_each(s.value, '$.responses') r
WHERE json_type(d.`definition`, '$.scenarios') = 'array'
ON CONFLICT (`study_id`, `scenario_id`, `label`) DO UPDATE SET `text` = excluded.`text`;
--> statement-breakpoint
UPDATE `studies` SET `definition` = json_set(json_remove(`definition`, '$.scenarios'), '$.scenarioIds',
  json((SELECT json_group_array(json_extract(s.value, '$.id') ORDER BY s.key)
        FROM json_each(`studies`.`definition`, '$.scenarios') s)))
WHERE json_type(`definition`, '$.scenarios') = 'array';
