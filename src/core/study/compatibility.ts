import type { Study } from "./schema.js";

/** Where participants stand in the question lists of a study: a phase, the question's place, how many. */
export interface QuestionPosition {
  phase: "screening" | "profile";
  questionIndex: number;
  participants: number;
}

/** Participants a new study version would leave on a question it no longer has at their place. */
interface StrandedQuestion extends QuestionPosition {
  /** The id of the question they are answering in the stored version. */
  questionId: string | undefined;
}

const questionIds = (study: Study, phase: QuestionPosition["phase"]) =>
  (phase === "screening" ? study.screening : study.profile).map((question) => question.id);

/**
 * Whether `next` changes any question list under someone's feet. A flow
 * state keeps the index of the question being answered, so a participant is
 * fine if `next` has the same question at that index (questions before it
 * may change: they are answered already) and stranded otherwise.
 */
export function changesQuestionLists(stored: Study, next: Study): boolean {
  return (["screening", "profile"] as const).some(
    (phase) => questionIds(stored, phase).join("\n") !== questionIds(next, phase).join("\n"),
  );
}

/** The positions of `positions` that `next` would strand (empty: the version is safe to import now). */
export function strandedQuestions(stored: Study, next: Study, positions: QuestionPosition[]): StrandedQuestion[] {
  return positions
    .filter((position) => position.participants > 0)
    .map((position) => ({
      ...position,
      questionId: questionIds(stored, position.phase)[position.questionIndex],
    }))
    .filter(
      (position) =>
        position.questionId === undefined ||
        questionIds(next, position.phase)[position.questionIndex] !== position.questionId,
    );
}

/** One line for the operator about what a refused version would do. */
export function describeStranded(studyId: string, version: number, stranded: StrandedQuestion[]): string {
  const places = stranded
    .map(
      (place) =>
        `${place.participants} on ${place.phase} question ${place.questionIndex + 1}${place.questionId ? ` ("${place.questionId}")` : ""}`,
    )
    .join(", ");
  return `Study "${studyId}" v${version} would strand participants answering questions it no longer has at their place (${places}); keep those questions where they are, or import it once they have moved on`;
}
