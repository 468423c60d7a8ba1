import type { Label } from "../labels.js";
import type { RankingBlockName } from "./state.js";

/**
 * What a participant did, decoded by an adapter from a platform update.
 * Adapters never interpret these; the engine does.
 */
export type Input =
  /** First contact or /start; `source` is the recruitment source, `suggestedLocale` the platform's language. */
  | { kind: "start"; source?: string; suggestedLocale?: string }
  /** A button press: `step` is the state step the button was made for. */
  | { kind: "choice"; step: number; choice: string }
  /**
   * Free text typed by the participant. `step` is set when the text answers a
   * particular prompt (a Slack modal opened for it), so a late one is stale.
   */
  | { kind: "text"; text: string; step?: number; fromCaption?: boolean }
  /** A photo, sticker, voice note… without text: answered, never taken as an answer. */
  | { kind: "media" }
  /**
   * A whole scenario answered at once (Slack's scenario modal), in display
   * letters as the participant saw them; the engine validates every field and
   * answers each problem with a notice naming the field.
   */
  | CardSubmission
  /** A command (/help …); unknown names are answered by the engine, not the adapter. */
  | { kind: "command"; name: string };

export interface CardSubmission {
  kind: "card_submit";
  step: number;
  /** Ranking text per block, display letters ("B>A=C>D"). */
  rankings: Partial<Record<RankingBlockName, string>>;
  rationales: Partial<Record<RankingBlockName, string>>;
  /** Display letters marked unacceptable (the study's unacceptable check, long form only). */
  unacceptable?: Label[];
  unacceptableRationale?: string;
  /** Prompt rating id → option id. */
  ratings?: Record<string, string>;
}

/** The fields of a card submission a problem can be about. */
export type CardField =
  | `${RankingBlockName}_ranking`
  | `${RankingBlockName}_rationale`
  | "unacceptable_rationale"
  | `rating_${string}`;
