/**
 * Typed errors with stable fields, so entry points can print one clear line
 * and adapters can tell a participant something translated.
 */
export class ChorusError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ChorusError";
  }
}

/** A stored flow state that no longer validates (hand-edited database, a bug): never guessed at. */
export class CorruptStateError extends ChorusError {
  constructor(
    readonly participantId: string,
    detail: string,
  ) {
    super("corrupt_state", `flow state of participant ${participantId} is invalid: ${detail}`);
  }
}
