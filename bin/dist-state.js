// Whether dist/ (npm run build) holds the current src/: every source file older than the build.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SRC = fileURLToPath(new URL("../src", import.meta.url));
export const DIST = fileURLToPath(new URL("../dist", import.meta.url));
export const BUILD_STAMP = "BUILT_AT";

/** True when `dist` was built after the last change to any file in `src` (a few ms for the whole tree). */
export function distIsCurrent(src = SRC, dist = DIST) {
  let builtAt;
  try {
    builtAt = Number(readFileSync(`${dist}/${BUILD_STAMP}`, "utf8"));
  } catch {
    return false;
  }
  if (!Number.isFinite(builtAt)) return false;
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && statSync(`${entry.parentPath}/${entry.name}`).mtimeMs >= builtAt) return false;
  }
  return true;
}
