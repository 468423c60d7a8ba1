import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAnnotatorIds, hmacSha256, requireExportSecret } from "../../src/research/annotator-id.js";
import { ResearchError } from "../../src/research/export/scope.js";

describe("annotator ids", () => {
  it("are HMAC-SHA256 of the participant id, byte for byte, for short and long keys", () => {
    for (const key of ["a-sixteen-chars!", "k".repeat(64), "a key longer than one SHA-256 block ".repeat(3)]) {
      const hmac = hmacSha256(Buffer.from(key));
      for (const message of ["p-one", "", "ünïcødé-participant-✓", "x".repeat(200)]) {
        expect(hmac(message).toString("hex")).toBe(createHmac("sha256", key).update(message).digest("hex"));
      }
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
