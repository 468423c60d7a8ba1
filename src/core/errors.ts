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

/**
 * The database stayed locked by another writer through every attempt, so the
 * input was not saved. Adapters tell the participant, in their language, to
 * send it again; nothing else is wrong.
 */
export class StoreBusyError extends ChorusError {
  constructor(readonly attempts: number) {
    super("store_busy", `the database stayed locked by another writer through ${attempts} attempts`);
  }
}

/** Whether an error (or what a platform library wrapped it in) is a StoreBusyError. */
export function isStoreBusy(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (current instanceof StoreBusyError) return true;
    current =
      (current as { error?: unknown; original?: unknown; cause?: unknown }).error ??
      (current as { original?: unknown }).original ??
      (current as { cause?: unknown }).cause;
  }
  return false;
}
