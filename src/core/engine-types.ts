import type { Surface } from "./flow/context.js";
import type { Input } from "./flow/inputs.js";
import type { Prompt } from "./flow/prompts.js";
import type { ParticipantRef } from "./ports.js";

export interface HandleOptions {
  /** The platform's update/event id: a redelivered one is a no-op (`duplicate: true`). */
  eventId?: string;
  /** What the platform can show (card size, message splitting). */
  surface?: Surface;
}

export interface EngineResult {
  /** Prompts to show, in order. Empty for duplicates. */
  prompts: Prompt[];
  /** The locale to render these prompts in (the participant's, or the suggestion for a newcomer). */
  locale: string;
  /** The participant's random id (never the platform id); undefined when nobody was created. */
  participantId: string | undefined;
  /** The update was already processed: nothing changed and nothing should be sent. */
  duplicate: boolean;
}

/** One input for `handleMany`. */
export interface EngineCall {
  ref: ParticipantRef;
  input: Input;
  options?: HandleOptions;
}

/** What became of one input of a group: its result, or the error that rolled back that input alone. */
export type EngineOutcome = { ok: true; result: EngineResult } | { ok: false; error: unknown };

export interface Engine {
  /** One synchronous store transaction: load state, transition, save, record answers. */
  handle(ref: ParticipantRef, input: Input, options?: HandleOptions): EngineResult;
  /**
   * Several inputs in ONE store transaction (one commit for all: group commit),
   * each in its own savepoint, in order, so one that fails rolls back alone.
   * Nothing is visible to other processes, and no reply should be sent, until it returns.
   */
  handleMany(calls: readonly EngineCall[]): EngineOutcome[];
}
