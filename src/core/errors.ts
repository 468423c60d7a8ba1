/**
 * What kind of trouble an error is, for whoever has to act on it: "usage" is
 * a bad argument or input file (the command line exits 2), "failed" an
 * operation refused or impossible as things stand (exit 1). Either way the
 * message is one clear line, no stack.
 */
export type ErrorKind = "usage" | "failed";

/**
 * Typed errors with stable fields, so entry points can print one clear line
 * (and choose the exit code by the kind) and adapters can tell a participant
 * something translated. Anything that is not a ChorusError is a bug: its
 * stack is printed.
 */
export class ChorusError extends Error {
  override readonly name: string = "ChorusError";
  readonly kind: ErrorKind;
  constructor(message: string, options: { kind?: ErrorKind; cause?: unknown } = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.kind = options.kind ?? "failed";
  }
}

/** A stored flow state that no longer validates (hand-edited database, a bug): never guessed at. */
export class CorruptStateError extends ChorusError {
  override readonly name = "CorruptStateError";
  constructor(
    readonly participantId: string,
    detail: string,
  ) {
    super(`flow state of participant ${participantId} is invalid: ${detail}`);
  }
}

/**
 * The database stayed locked by another writer through every attempt, so the
 * input was not saved. Adapters tell the participant, in their language, to
 * send it again; nothing else is wrong.
 */
export class StoreBusyError extends ChorusError {
  override readonly name = "StoreBusyError";
  constructor(readonly attempts: number) {
    super(`the database stayed locked by another writer through ${attempts} attempts`);
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
