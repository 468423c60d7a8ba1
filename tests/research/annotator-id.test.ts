import { describe, expect, it } from "vitest";
import { createAnnotatorIds, requireExportSecret } from "../../src/research/annotator-id.js";
import { ResearchError } from "../../src/research/export/scope.js";

/**
 * Ids written by the earlier hand-written HMAC (inner and outer key states
 * precomputed): exports made before and after the switch to createHmac must
 * give every participant the same annotator_id, or files would not join up.
 */
const EARLIER_IDS: Record<string, string[]> = {
  "research-test-secret-0123456789": [
    "dd34610d058bfd4aaf8ecb6201eb87e0",
    "5b4329c8708a1e07fac8a4a6b8fb53d9",
    "55f181b1c637f8e4db886c4d0849a884",
    "ab550da2211e23dee945790276546406",
  ],
  ["0123456789abcdef".repeat(4)]: [
    "6d0a1e52598221ce74d68591e9ccf39a",
    "081247dc68bb7fafbf13220013a0ab71",
    "32a02de2557d3c509bcee163560b1267",
    "79fc08420d5f599e4fac019ebadeaade",
  ],
  ["a key longer than one SHA-256 block ".repeat(3)]: [
    "ab52d6a66f65132c09060e8a4b46e23f",
    "bc5970941b4e093e62ea93121cdcafcd",
    "9ddd9ef7a31926f35defee7ef7296447",
    "0cc17cac72652ff9f84734f7d3cf8fa6",
  ],
};
const PARTICIPANTS = ["p-one", "", "ünïcødé-participant-✓", "x".repeat(200)];

describe("annotator ids", () => {
  it("are the ids earlier exports wrote, for keys shorter than, as long as and longer than a SHA-256 block", () => {
    for (const [secret, expected] of Object.entries(EARLIER_IDS)) {
      expect(PARTICIPANTS.map(createAnnotatorIds(secret))).toEqual(expected);
    }
  });

  it("are 32 hex characters, stable for a secret and different for another", () => {
    const ids = createAnnotatorIds("research-test-secret-0123456789", 2);
    const again = createAnnotatorIds("research-test-secret-0123456789");
    const other = createAnnotatorIds("another-secret-entirely-000000");
    const participants = ["p1", "p2", "p3", "p1", "p2"];
    const first = participants.map(ids);
    expect(first.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
    expect(first).toEqual(participants.map(again));
    expect(new Set(first).size).toBe(3);
    expect(participants.map(other).some((id) => first.includes(id))).toBe(false);
  });

  it("refuses a missing or short secret with a clear message", () => {
    expect(() => requireExportSecret(undefined)).toThrow(ResearchError);
    expect(() => requireExportSecret(undefined)).toThrow(/EXPORT_SECRET is not set/);
    expect(() => requireExportSecret("short")).toThrow(/at least 16 characters/);
  });
});
