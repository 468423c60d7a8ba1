import type { z } from "zod";

/**
 * Turns zod issues into lines a study author can act on without reading zod:
 * `scenarios[3].responses: expected 4 items, got 3`. The value being
 * validated is passed in so messages can say what was actually found.
 */

type PathKey = PropertyKey;

/** `scenarios[3].responses`, `title["pt-BR"]`; empty path is `(top level)`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === "" ? "(top level)" : out;
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return kindOf(value);
}

const TYPE_WORDS: Record<string, string> = { record: "mapping", object: "mapping", array: "list" };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function sizeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const bound = issue.exact ? "" : small ? "at least " : "at most ";
  if (issue.origin === "array" || issue.origin === "set") {
    const got = Array.isArray(value) ? value.length : 0;
    return `expected ${bound}${plural(limit, "item")}, got ${got}`;
  }
  if (issue.origin === "string") {
    if (small && limit === 1) return "must not be empty";
    const got = typeof value === "string" ? value.length : 0;
    return `expected ${bound}${plural(limit, "character")}, got ${got}`;
  }
  if (issue.origin === "number" || issue.origin === "int" || issue.origin === "bigint") {
    const relation = issue.inclusive === false ? (small ? "more than " : "less than ") : bound;
    return `expected ${relation}${limit}, got ${shown(value)}`;
  }
  return issue.message;
}

export interface FormattedIssue {
  path: PathKey[];
  message: string;
}

/** Flattens and words one issue; union issues become the problems of the branch that fits best. */
function describeIssue(issue: z.core.$ZodIssue, root: unknown, prefix: PathKey[] = []): FormattedIssue[] {
  const path = [...prefix, ...issue.path];
  const value = valueAt(root, path);
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_WORDS[issue.expected] ?? issue.expected;
      return [
        {
          path,
          message:
            value === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${kindOf(value)}`,
        },
      ];
    }
    case "too_small":
    case "too_big":
      return [{ path, message: sizeMessage(issue, value) }];
    case "invalid_value":
      return [
        {
          path,
          message: `expected ${issue.values.length === 1 ? "" : "one of "}${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${shown(value)}`,
        },
      ];
    case "unrecognized_keys":
      return [
        {
          path,
          message: `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
        },
      ];
    case "invalid_key": {
      const key = path.at(-1);
      const inner = issue.issues.flatMap((i) => describeIssue(i, String(key), []).map((d) => d.message));
      return [{ path: path.slice(0, -1), message: `key "${String(key)}": ${inner.join("; ")}` }];
    }
    case "invalid_element": {
      const inner = issue.issues.flatMap((i) => describeIssue(i, root, path));
      return inner;
    }
    case "invalid_union":
      return describeUnion(issue, root, path);
    default:
      return [{ path, message: issue.message }];
  }
}

function describeUnion(issue: z.core.$ZodIssueInvalidUnion, root: unknown, path: PathKey[]): FormattedIssue[] {
  const branches = issue.errors;
  const isTypeMismatch = (issues: z.core.$ZodIssue[]) =>
    issues.length === 1 && issues[0]?.code === "invalid_type" && issues[0].path.length === 0;
  // A branch whose problem is not "wrong type" is the one the author meant; report its problems.
  const fitting = branches.filter((issues) => issues.length > 0 && !isTypeMismatch(issues));
  const best = fitting.sort((a, b) => a.length - b.length)[0];
  if (best) return best.flatMap((inner) => describeIssue(inner, root, path));
  const expected = branches
    .map((issues) => issues[0])
    .filter((i): i is z.core.$ZodIssueInvalidType => i?.code === "invalid_type")
    .map((i) => TYPE_WORDS[i.expected] ?? i.expected);
  if (expected.length === 0) return [{ path, message: issue.message }];
  const value = valueAt(root, path);
  return [
    {
      path,
      message:
        value === undefined
          ? `missing (expected ${expected.join(" or ")})`
          : `expected ${expected.join(" or ")}, got ${kindOf(value)}`,
    },
  ];
}

/** All issues of a failed parse as `path: message` descriptions, in order, without duplicates. */
export function describeIssues(error: z.ZodError, root: unknown): FormattedIssue[] {
  const seen = new Set<string>();
  const out: FormattedIssue[] = [];
  for (const issue of error.issues) {
    for (const described of describeIssue(issue, root)) {
      const key = `${formatPath(described.path)}\u0000${described.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(described);
    }
  }
  return out;
}
