import { createServer } from "node:net";

/**
 * Text a test collects from a stream (a child process's output, the pilot's
 * output), with `printed(text)` resolving once it appears: a hand-off on
 * what the other side said, instead of waiting for time to pass.
 */
export function collectOutput() {
  let text = "";
  const waiters: { needle: string; resolve: () => void }[] = [];
  return {
    append(chunk: Buffer | string): void {
      text += String(chunk);
      for (const waiter of [...waiters]) {
        if (!text.includes(waiter.needle)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    text: () => text,
    printed: (needle: string): Promise<void> =>
      new Promise((resolve) => {
        if (text.includes(needle)) resolve();
        else waiters.push({ needle, resolve });
      }),
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a server another process starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
