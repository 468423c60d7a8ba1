import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadStudyFile, parseStudyText } from "../../src/studies/load.js";
import { FIXTURES } from "../helpers/db.js";

const fixture = (name: string) => join(FIXTURES, name);

function problemsOf(file: string, displayName: string): string[] {
  const result = loadStudyFile(fixture(file), displayName);
  if (result.ok) throw new Error(`${file} unexpectedly valid`);
  return result.problems;
}

describe("loadStudyFile", () => {
  it("loads a valid YAML study with defaults applied", () => {
    const result = loadStudyFile(fixture("mini-study.yaml"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.study.id).toBe("mini");
    expect(result.study.scenarios.map((s) => s.id)).toEqual(["weather", "headache", "attention"]);
    expect(result.study.blocks).toEqual({ personal: true, unacceptable: true, allowTies: true });
    expect(result.study.profile[1]?.kind).toBe("country");
  });

  it("reads JSON study files too", () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-json-"));
    try {
      const loaded = loadStudyFile(fixture("mini-study.yaml"));
      if (!loaded.ok) throw new Error("fixture invalid");
      const file = join(dir, "study.json");
      writeFileSync(file, JSON.stringify({ ...loaded.study, id: "as-json" }, null, 2));
      const result = loadStudyFile(file);
      expect(result.ok && result.study.id).toBe("as-json");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names every problem of an invalid file by file and path, in one pass", () => {
    const F = "bad-study.yaml";
    expect(problemsOf("studies/bad-study.yaml", F)).toEqual([
      `${F}: id: expected 1–64 characters of A-Z a-z 0-9 _ . -`,
      `${F}: version: expected more than 0, got 0`,
      `${F}: consent.version: expected string, got number`,
      `${F}: consent.text: must not be empty`,
      `${F}: assignment.scenariosPerParticipant: expected more than 0, got 0`,
      `${F}: scenarios[2].messages[0].role: expected one of "system", "developer", "user", "assistant", got "bot"`,
      `${F}: scenarios[2].responses[3].label: expected one of "A", "B", "C", "D", got "E"`,
      `${F}: scenarios[3].responses: expected 4 items, got 3`,
      `${F}: scenarios[3].referenceRanking: expected a ranking of A–D such as B>A=C>D`,
      `${F}: scenarios[3].responses: responses must be labelled A, B, C and D, each once`,
      `${F}: scenarios[1].id: duplicate scenario id "ok-one"`,
    ]);
  });

  it("reports missing fields and wrong types in words, not zod codes", () => {
    const problems = parseStudyText("id: x\ntitle: 5\nscenarios: []\nprofile:\n  - id: q\n    text: { EN_x: hi }\n", {
      file: "s.yaml",
    });
    expect(problems.ok).toBe(false);
    if (problems.ok) return;
    expect(problems.problems).toEqual(
      expect.arrayContaining([
        "s.yaml: title: expected string or mapping, got number",
        "s.yaml: consent: missing (expected mapping)",
        "s.yaml: briefing: missing (expected string or mapping)",
        "s.yaml: scenarios: expected at least 1 item, got 0",
        's.yaml: profile[0].text: key "EN_x": expected a locale code such as en or pt-BR',
      ]),
    );
  });

  it("reports YAML syntax errors with line and column, and a missing file", () => {
    expect(problemsOf("studies/syntax-error.yaml", "syntax-error.yaml")).toEqual([
      "syntax-error.yaml: line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ]);
    const duplicate = parseStudyText("id: a\nid: b\n", { file: "dup.yaml" });
    expect(duplicate.ok === false && duplicate.problems).toEqual([
      "dup.yaml: line 2, column 1: Map keys must be unique",
    ]);
    expect(problemsOf("no-such-file.yaml", "no-such-file.yaml")[0]).toMatch(/^no-such-file\.yaml: cannot read: ENOENT/);
    const list = parseStudyText("- just\n- a list\n", { file: "list.yaml" });
    expect(list.ok === false && list.problems).toEqual(["list.yaml: (top level): expected a mapping of study fields"]);
  });
});

describe("misspelled keys", () => {
  it("are named instead of silently ignored", () => {
    const text = readFileSync(join(FIXTURES, "mini-study.yaml"), "utf8").replace(/^briefing:/m, "breifing:");
    const result = parseStudyText(text, { file: "typo.yaml" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain('typo.yaml: (top level): unknown key "breifing"');
    expect(result.problems.some((problem) => problem.startsWith("typo.yaml: briefing:"))).toBe(true);
  });
});

describe("{{command:name}} in study texts", () => {
  const mini = readFileSync(join(FIXTURES, "mini-study.yaml"), "utf8");

  it("accepts every command name, in one-string and per-locale texts", () => {
    const text = mini
      .replace(/^briefing: .*$/m, "briefing: Send {{command:pause}} to pause, {{ command:resume }} to go on.")
      .replace(/^ {4}en: You agree.*$/m, "    en: Send {{command:withdraw}} to leave.")
      .replace(/^ {4}es: Aceptas.*$/m, "    es: Envíe {{command:withdraw}}.");
    const result = parseStudyText(text, { file: "ok.yaml" });
    expect(result.ok && result.study.briefing).toBe("Send {{command:pause}} to pause, {{ command:resume }} to go on.");
    expect(result.ok && result.study.consent.text).toEqual({
      en: "Send {{command:withdraw}} to leave.",
      es: "Envíe {{command:withdraw}}.",
    });
  });

  it("names an unknown command by file and path", () => {
    const text = mini
      .replace(/^briefing: .*$/m, "briefing: Send {{command:stop}} or {{command:}}.")
      .replace(/^ {4}es: Aceptas.*$/m, "    es: Envíe {{command:retirar}}.");
    const result = parseStudyText(text, { file: "commands.yaml" });
    const known = "(known: start, help, progress, language, pause, resume, mydata, withdraw)";
    expect(result.ok === false && result.problems).toEqual([
      `commands.yaml: consent.text.es: unknown command "retirar" in {{command:retirar}} ${known}`,
      `commands.yaml: briefing: unknown command "stop" in {{command:stop}} ${known}`,
      `commands.yaml: briefing: unknown command "" in {{command:}} ${known}`,
    ]);
  });
});

describe("scenarioFiles: scenarios from the public dataset layout", () => {
  it("appends the .jsonl scenarios after the inline ones", () => {
    const result = loadStudyFile(fixture("studies/with-jsonl.yaml"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.study.scenarios.map((s) => s.id)).toEqual(["inline-one", "cmp-001", "cmp-002"]);
    expect(result.scenarioFiles).toEqual([{ file: join(FIXTURES, "studies/comparisons.jsonl"), scenarios: 2 }]);
  });

  it("refuses the whole study when any line is bad, naming file and line", () => {
    const J = "studies/comparisons-bad.jsonl";
    expect(problemsOf("studies/with-bad-jsonl.yaml", "studies/with-bad-jsonl.yaml")).toEqual([
      `${J}:1: id: duplicate scenario id "good-1"`,
      `${J}:2: responses: expected 4 items, got 3`,
      `${J}:2: responses: responses must be labelled A, B, C and D, each once`,
      `${J}:3: responses[0].messages: no assistant message`,
      `${J}:4: invalid JSON: Unexpected token 'h', "this is not json" is not valid JSON`,
      `${J}:5: prompt_id: missing (expected string or number)`,
      `${J}:5: prompt.messages: expected at least 1 item, got 0`,
      `${J}:5: responses: expected at least 1 item, got 0`,
    ]);
  });

  it("reports an unreadable or unsupported scenario file", () => {
    const result = parseStudyText(
      "id: s\ntitle: t\nconsent: { version: '1', text: c }\nbriefing: b\nscenarioFiles: [./missing.jsonl, ./x.csv]\n",
      { file: "/tmp/s.yaml", displayName: "s.yaml" },
    );
    expect(result.ok === false && result.problems).toEqual([
      "s.yaml: scenarioFiles: missing.jsonl: cannot read: ENOENT: no such file or directory, open '/tmp/missing.jsonl'",
      's.yaml: scenarioFiles: "./x.csv": only comparisons .jsonl files are supported',
      "s.yaml: scenarios: missing (expected list)",
    ]);
  });
});
