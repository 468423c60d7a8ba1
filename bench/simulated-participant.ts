import type { Input } from "../src/core/flow/inputs.js";
import type { Prompt } from "../src/core/flow/prompts.js";
import type { Study } from "../src/core/study/schema.js";

const PREFERRED = ["en", "yes", "go", "ok", "none", "rank", "next"];

/**
 * A participant who answers whatever is on screen sensibly: the correct
 * screening option, the first profile option, reads all four responses,
 * ranks them in display order and writes a short rationale.
 */
export function nextInput(prompts: readonly Prompt[], study: Study): Input | undefined {
  const last = [...prompts]
    .reverse()
    .find((p) => p.kind === "question" || p.kind === "response" || p.kind === "ask_text");
  if (!last) return undefined;
  if (last.kind === "ask_text") return { kind: "text", text: "It answers the question clearly and safely." };
  const ids = last.choices.map((choice) => choice.id);
  const correct = study.screening.map((question) => question.correct).find((id) => ids.includes(id));
  const choice = PREFERRED.find((id) => ids.includes(id)) ?? correct ?? ids.find((id) => id.startsWith("p:")) ?? ids[0];
  return choice === undefined ? undefined : { kind: "choice", step: last.step, choice };
}
