import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importedSpecifiers, sourceFiles } from "../helpers/source-files.js";

const CORE = path.resolve(import.meta.dirname, "../../src/core");
/** The only package the core may import: zod (its schemas are the single source of types). */
const ALLOWED_PACKAGES = new Set(["zod"]);

describe("src/core boundary", () => {
  const files = sourceFiles(CORE);

  it("finds the core's files", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it("imports no platform, ORM, i18n or Node package: only relative files and zod", () => {
    const offenders: string[] = [];
    for (const file of files) {
      for (const specifier of importedSpecifiers(readFileSync(file, "utf8"))) {
        const relative = specifier.startsWith(".");
        const insideCore = relative && path.resolve(path.dirname(file), specifier).startsWith(CORE);
        if (relative ? !insideCore : !ALLOWED_PACKAGES.has(specifier)) {
          offenders.push(`${path.relative(CORE, file)} imports ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("has no import cycles between its files (type-only imports included)", () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const targets = importedSpecifiers(readFileSync(file, "utf8"))
        .filter((specifier) => specifier.startsWith("."))
        .map((specifier) => path.resolve(path.dirname(file), specifier).replace(/\.js$/, ".ts"));
      graph.set(file, targets);
    }
    expect(findCycle(graph).map((file) => path.relative(CORE, file))).toEqual([]);
  });

  it("finds a cycle when there is one (the check can fail)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
  });

  it("detects a forbidden import (the check can fail)", () => {
    expect(importedSpecifiers('import { Bot } from "grammy";\nimport x from "./y.js";')).toEqual(["grammy", "./y.js"]);
  });
});

/** The first import cycle found by depth-first search, as the files along it; [] when there is none. */
function findCycle(graph: Map<string, string[]>): string[] {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return [];
}
