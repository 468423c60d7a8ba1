import { canonicalToDisplay, isLabel, type Label } from "../labels.js";
import type { AssessmentSummary, ParticipantDataSummary } from "../ports.js";
import { placeName } from "../profile/places.js";
import { canonicalRankingToDisplay, formatRanking, parseRanking } from "../ranking.js";
import type { Study } from "../study/schema.js";
import type { FlowContext } from "./context.js";
import { key, localized, type Prompt, type Text, verbatim } from "./prompts.js";
import type { FlowState } from "./state.js";

/**
 * "/mydata": everything held about the participant, in their language. Answers
 * are shown with the study's own wording (question texts and option labels
 * in the participant's locale), rankings in the letters they saw (the store
 * keeps canonical labels and the order shown), rationales verbatim.
 */
export function myDataPrompts(state: FlowState, ctx: FlowContext): Prompt[] {
  return [{ kind: "message", text: myDataText(ctx.dataSummary(), ctx.study, state.locale) }];
}

/** The same text for `chorus participant export` (an access request answered by e-mail). */
export function myDataText(summary: ParticipantDataSummary | undefined, study: Study, locale: string): Text {
  if (!summary) return key("mydata.none");
  const answers = [...screeningLines(summary, study), ...profileLines(summary, study, locale)];
  return key("mydata.summary", {
    id: summary.participantId,
    since: summary.createdAt.slice(0, 10),
    consent: summary.consentVersion ?? NONE,
    profile: joinLines(answers),
    assessments: summary.assessments.length,
    answers: joinLines(summary.assessments.map((assessment) => assessmentText(assessment, study))),
  });
}

/** Shown where there is nothing (no consent yet, no answers). */
const NONE = "—";
/** A scenario is named by the start of its prompt. */
const PROMPT_PREVIEW_CHARS = 80;

/** Lines of Text as one Text: "first\nrest", built as a balanced tree so long lists stay shallow. */
function joinLines(lines: Text[]): Text {
  if (lines.length === 0) return verbatim(NONE);
  if (lines.length === 1) return lines[0] as Text;
  const middle = Math.ceil(lines.length / 2);
  return key("mydata.join", { first: joinLines(lines.slice(0, middle)), rest: joinLines(lines.slice(middle)) });
}

function answerLine(question: Text, answer: Text): Text {
  return key("mydata.answer", { question, answer });
}

/** Screening questions are named by number: their text is often a whole reading passage. */
function screeningLines(summary: ParticipantDataSummary, study: Study): Text[] {
  return summary.screening.map((answer) => {
    const index = study.screening.findIndex((item) => item.id === answer.questionId);
    const option = study.screening[index]?.options.find((item) => item.id === answer.optionId);
    return answerLine(
      index >= 0 ? key("mydata.screening_question", { number: index + 1 }) : verbatim(answer.questionId),
      option ? localized(option.text) : verbatim(answer.optionId),
    );
  });
}

function profileLines(summary: ParticipantDataSummary, study: Study, locale: string): Text[] {
  return summary.profile.map((answer) => {
    const question = study.profile.find((item) => item.id === answer.questionId);
    return answerLine(question ? localized(question.text) : verbatim(answer.questionId), profileValue(answer.value));

    function profileValue(value: string | null): Text {
      if (value === null) return key("profile.prefer_not_to_say");
      const option = question?.options.find((item) => item.id === value);
      if (option) return localized(option.text);
      // A typed country or language is stored as its ISO code: named in the participant's language.
      if (question?.kind === "country" || question?.kind === "language") {
        return verbatim(placeName(question.kind, value, locale));
      }
      return verbatim(value);
    }
  });
}

function assessmentText(assessment: AssessmentSummary, study: Study): Text {
  const scenario = study.scenarios.find((item) => item.id === assessment.scenarioId);
  const prompt = scenario?.messages.find((message) => message.role === "user") ?? scenario?.messages[0];
  const preview = prompt ? shorten(prompt.content) : assessment.scenarioId;
  const lines: Text[] = [key("mydata.scenario", { position: assessment.position + 1, prompt: verbatim(preview) })];
  for (const block of assessment.blocks) {
    lines.push(
      key(block.block === "world" ? "mydata.world" : "mydata.personal", {
        ranking: verbatim(shownRanking(block.ranking, assessment.shownOrder)),
      }),
    );
    if (block.rationale) lines.push(key("mydata.why", { text: verbatim(block.rationale) }));
  }
  if (assessment.unacceptable) {
    const labels = assessment.unacceptable.labels.filter(isLabel);
    lines.push(
      labels.length === 0
        ? key("mydata.unacceptable_none")
        : key("mydata.unacceptable", {
            labels: verbatim(
              labels
                .map((label) => canonicalToDisplay(assessment.shownOrder, label as Label))
                .sort()
                .join(", "),
            ),
          }),
    );
    if (assessment.unacceptable.rationale) {
      lines.push(key("mydata.why", { text: verbatim(assessment.unacceptable.rationale) }));
    }
  }
  return joinLines(lines);
}

/** A canonical ranking (B>A=C>D) in the display letters the participant saw. */
function shownRanking(canonical: string, shownOrder: string): string {
  const parsed = parseRanking(canonical);
  if (!parsed.ok) return canonical;
  return formatRanking(canonicalRankingToDisplay(parsed.ranking, shownOrder))
    .replaceAll(">", " > ")
    .replaceAll("=", " = ");
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= PROMPT_PREVIEW_CHARS ? line : `${line.slice(0, PROMPT_PREVIEW_CHARS - 1).trimEnd()}…`;
}
