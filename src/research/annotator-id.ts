import { createHmac } from "node:crypto";
import { LRUCache } from "lru-cache";
import { secretWeakness } from "../secrets.js";
import { ResearchError } from "./export/scope.js";

/**
 * Participants leave the database only as a pseudonymous `annotator_id`:
 * HMAC-SHA256 of the participant's random id, keyed with EXPORT_SECRET,
 * truncated to 128 bits (32 hex characters). The same secret gives the same
 * ids in every export, so files from different days join up; without the
 * secret nobody can link an annotator_id back to a participant id, and a new
 * secret gives unlinkable ids (e.g. for a second public release).
 */

const ANNOTATOR_ID_HEX_LENGTH = 32;

export function requireExportSecret(secret: string | undefined): string {
  if (!secret) {
    throw new ResearchError(
      "EXPORT_SECRET is not set: exports identify participants only by an HMAC keyed with it. " +
        "Set EXPORT_SECRET (at least 16 random characters, e.g. `openssl rand -hex 32`) and keep it: " +
        "the same secret gives the same annotator ids in every export.",
    );
  }
  const weakness = secretWeakness(secret);
  if (weakness) throw new ResearchError(`EXPORT_SECRET: ${weakness}`);
  return secret;
}

/**
 * Returns participant id → annotator id. Recent results are cached (a
 * participant's assessments sit close together in every export order) so a
 * million-row export computes far fewer HMACs than rows; the cache is
 * bounded, so memory does not grow with the number of participants.
 */
export function createAnnotatorIds(secret: string, cacheSize = 4096): (participantId: string) => string {
  const key = Buffer.from(requireExportSecret(secret), "utf8");
  const cache = new LRUCache<string, string>({ max: cacheSize });
  return (participantId) => {
    const cached = cache.get(participantId);
    if (cached !== undefined) return cached;
    const id = createHmac("sha256", key).update(participantId, "utf8").digest("hex").slice(0, ANNOTATOR_ID_HEX_LENGTH);
    cache.set(participantId, id);
    return id;
  };
}
