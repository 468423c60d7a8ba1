#!/usr/bin/env node
// `npm run build`: src/**/*.ts transpiled file by file to dist/ (same layout, so every path a module resolves
// from its own location, such as ../locales or ../../db/migrations, still lands in the package), for
// bin/chorus.js to run with plain node instead of through tsx's loader (see dist-state.js).
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { BUILD_STAMP, DIST, SRC } from "./dist-state.js";

const startedAt = Date.now();
const staging = `${DIST}.building-${process.pid}`;
const entryPoints = readdirSync(SRC, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
  .map((entry) => path.join(entry.parentPath, entry.name));
await build({
  entryPoints,
  outdir: staging,
  outbase: SRC,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});
// Stamped with the start, so a source edited while this ran counts as newer than the build.
writeFileSync(path.join(staging, BUILD_STAMP), `${startedAt}\n`);
// Swapped by two renames: a command starting meanwhile finds either build whole, or none and runs through tsx.
const previous = `${DIST}.previous-${process.pid}`;
if (existsSync(DIST)) renameSync(DIST, previous);
renameSync(staging, DIST);
rmSync(previous, { recursive: true, force: true });
console.log(`Built ${entryPoints.length} modules into ${path.relative(process.cwd(), DIST) || DIST}`);
