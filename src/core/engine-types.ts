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

export interface Engine {
  /** One synchronous store transaction: load state, transition, save, record answers. */
  handle(ref: ParticipantRef, input: Input, options?: HandleOptions): EngineResult;
}
