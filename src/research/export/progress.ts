/**
 * How exports and analyses report progress. The command line supplies a
 * bar on a terminal or plain lines otherwise (src/cli/runtime.ts); tests
 * and library callers pass `silentProgress`.
 */
export interface Progress {
  /** `count` more assessments are done. */
  tick(count?: number): void;
  done(): void;
}

export const silentProgress: Progress = { tick() {}, done() {} };
