import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * Keeps a long export's resident memory flat. An export allocates a steady
 * stream of short-lived strings (rows in, CSV or JSON out); V8 lets its old
 * generation grow well past the live data before collecting it, which on a
 * million assessments took the process ~130 MB above its start-up size
 * while live data stayed under 40 MB. When the resident size passes a soft
 * limit (and has grown since the last trim), this runs one full collection.
 * V8's `gc` function is exposed at run time; where that is not possible the
 * trimmer does nothing. Called once per page, it costs one RSS read.
 */
export function createHeapTrimmer(softLimitMb = 160, growthMb = 32): () => void {
  const gc = exposedGc();
  if (!gc) return () => {};
  const softLimit = softLimitMb * 1024 * 1024;
  const growth = growthMb * 1024 * 1024;
  let floor = 0;
  return () => {
    const rss = process.memoryUsage.rss();
    if (rss < softLimit || rss < floor + growth) return;
    gc();
    floor = process.memoryUsage.rss();
  };
}

let cached: (() => void) | null | undefined;

function exposedGc(): (() => void) | null {
  if (cached !== undefined) return cached;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    cached = typeof gc === "function" ? (gc as () => void) : null;
  } catch {
    cached = null;
  }
  return cached;
}
