import type { Input } from "../src/core/flow/inputs.js";
import type { Prompt } from "../src/core/flow/prompts.js";
import type { Study } from "../src/core/study/schema.js";

const PREFERRED = ["en", "yes", "go", "ok", "done", "none"];
const REASON = "It answers the question clearly and safely.";

/**
 * A participant who answers whatever is on screen sensibly: the correct
 * screening option, the first profile option, ranks the responses on the
 * card in display order (the last one is placed by itself), confirms, and
 * writes a short rationale in one message before pressing Done.
 */
export function nextInput(prompts: readonly Prompt[], study: Study): Input | undefined {
  const last = [...prompts].reverse().find((p) => p.kind === "question" || p.kind === "card" || p.kind === "ask_text");
  if (!last) return undefined;
  const ids = last.choices.map((choice) => choice.id);
  if (last.kind === "ask_text") return { kind: "text", text: REASON };
  if (last.kind === "card" && last.typing?.purpose === "rationale" && !ids.includes("done")) {
    return { kind: "text", text: REASON };
  }
  const correct = study.screening.map((question) => question.correct).find((id) => ids.includes(id));
  const choice = PREFERRED.find((id) => ids.includes(id)) ?? correct ?? ids.find((id) => id.startsWith("p:")) ?? ids[0];
  return choice === undefined ? undefined : { kind: "choice", step: last.step, choice };
}
