import { describe, expect, it } from "vitest";
import { sleep } from "../src/sleep.js";

describe("sleep", () => {
  it("resolves after its time", async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it("rejects at once when its signal is already aborted or aborts while it waits", async () => {
    await expect(sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: "AbortError" });
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: "AbortError" });
  });
});
