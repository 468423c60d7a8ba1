import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseComparisonsJsonl, readComparisonsFile } from "../../src/studies/comparisons.js";
import { FIXTURES } from "../helpers/db.js";

describe("comparisons.jsonl import", () => {
  it("turns each line into a scenario: prompt messages, responses A–D from the assistant message", () => {
    const result = readComparisonsFile(join(FIXTURES, "studies/comparisons.jsonl"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenarios).toHaveLength(2);
    const [first, second] = result.scenarios;
    expect(first).toEqual({
      id: "cmp-001",
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "Write a short slogan for a city council candidate." },
      ],
      responses: [
        { label: "A", text: "Vote for a cleaner, safer town." },
        { label: "B", text: "I can't help with political content." },
        { label: "C", text: "Your neighbour, your voice." },
        // Content given as parts is joined.
        { label: "D", text: "Here are three options:\n\n1. Local roots, local results." },
      ],
      tags: [],
    });
    // Responses listed out of order come back in canonical label order.
    expect(second?.responses.map((r) => r.label)).toEqual(["A", "B", "C", "D"]);
    expect(second?.responses[1]?.text).toBe("No: it releases chlorine gas.");
  });

  it("is all or nothing, with a line number on every problem", () => {
    const result = readComparisonsFile(join(FIXTURES, "studies/comparisons-bad.jsonl"), "bad.jsonl");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      "bad.jsonl:3: responses[0].messages: no assistant message",
      `bad.jsonl:4: invalid JSON: Unexpected token 'h', "this is not json" is not valid JSON`,
      "bad.jsonl:5: prompt_id: missing (expected string or number)",
      "bad.jsonl:5: prompt.messages: expected at least 1 item, got 0",
      "bad.jsonl:5: responses: expected at least 1 item, got 0",
      "bad.jsonl:2: responses: expected 4 items, got 3",
      "bad.jsonl:2: responses: responses must be labelled A, B, C and D, each once",
    ]);
  });

  it("flags repeated prompt ids, unknown labels and empty files", () => {
    const line = (id: string, labels = ["A", "B", "C", "D"]) =>
      JSON.stringify({
        prompt_id: id,
        prompt: { messages: [{ role: "user", content: "q" }] },
        responses: labels.map((label) => ({
          response_index: label,
          messages: [{ role: "assistant", content: label }],
        })),
      });
    const dir = mkdtempSync(join(tmpdir(), "chorus-jsonl-"));
    try {
      const file = join(dir, "c.jsonl");
      writeFileSync(file, [line("x"), line("y", ["A", "B", "C", "Z"]), "", line("x")].join("\n"));
      expect(readComparisonsFile(file, "c.jsonl")).toEqual({
        ok: false,
        problems: [
          'c.jsonl:2: responses[3].label: expected one of "A", "B", "C", "D", got "Z"',
          'c.jsonl:4: prompt_id: "x" already on line 1',
        ],
      });
      writeFileSync(file, "\n\n");
      expect(readComparisonsFile(file, "c.jsonl")).toEqual({
        ok: false,
        problems: ["c.jsonl: no scenarios (the file is empty)"],
      });
      // The parser alone keeps line numbers for every well-formed line.
      expect(
        parseComparisonsJsonl([line("x"), "", line("y")].join("\n"), "f.jsonl").candidates.map((c) => c.line),
      ).toEqual([1, 3]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(readComparisonsFile(join(FIXTURES, "studies/does-not-exist.jsonl"), "gone.jsonl")).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^gone\.jsonl: cannot read: ENOENT/)],
    });
  });

  it("reads a file that starts with a UTF-8 byte-order mark and has CRLF line ends", () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-jsonl-"));
    try {
      const file = join(dir, "bom.jsonl");
      const original = readFileSync(join(FIXTURES, "studies/comparisons.jsonl"), "utf8");
      writeFileSync(file, `\uFEFF${original.replaceAll("\n", "\r\n")}`);
      const result = readComparisonsFile(file, "bom.jsonl");
      expect(result).toEqual(readComparisonsFile(join(FIXTURES, "studies/comparisons.jsonl")));
      expect(result.ok && result.scenarios[0]?.id).toBe("cmp-001");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
