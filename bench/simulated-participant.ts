import type { Input } from "../src/core/flow/inputs.js";
import type { Prompt } from "../src/core/flow/prompts.js";
import type { Study } from "../src/core/study/schema.js";

const PREFERRED = ["en", "yes", "go", "ok", "none", "done"];
const RATIONALE = "It answers the question clearly and safely.";

/**
 * A participant who answers whatever is on screen sensibly: the correct
 * screening option, the first profile option, ranks the responses in display
 * order on the card (the last letter places itself), writes a short reason
 * and presses Done.
 */
export function nextInput(prompts: readonly Prompt[], study: Study): Input | undefined {
  const last = [...prompts].reverse().find((p) => p.kind === "question" || p.kind === "card" || p.kind === "ask_text");
  if (!last) return undefined;
  if (last.kind === "ask_text") return { kind: "text", text: RATIONALE };
  const ids = last.choices.map((choice) => choice.id);
  if (last.kind === "card" && last.typing?.purpose === "rationale" && !ids.includes("done")) {
    return { kind: "text", text: RATIONALE };
  }
  const correct = study.screening.map((question) => question.correct).find((id) => ids.includes(id));
  const choice = PREFERRED.find((id) => ids.includes(id)) ?? correct ?? ids.find((id) => id.startsWith("p:")) ?? ids[0];
  return choice === undefined ? undefined : { kind: "choice", step: last.step, choice };
}
