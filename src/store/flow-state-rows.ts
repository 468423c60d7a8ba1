import type Database from "better-sqlite3";
import { LRUCache } from "lru-cache";
import type { FlowState } from "../core/flow/state.js";

/**
 * The flow_states rows: one per participant, written on every input.
 *
 * Lean on the hot path in two ways. The assignment plans, the largest part
 * of a state and fixed for a whole batch of scenarios, live in their own
 * column, written only when they change; the `state` document holds the rest.
 * And every write raises the row's `revision`: this process keeps the state
 * objects it saved last with their revision, so reading one back costs a
 * number compared, not a document fetched and compared or parsed. Another
 * writer (a second bot process, a hand edit: a trigger raises the revision
 * for those that do not) changes the number, and the row is read afresh.
 */
export interface FlowStateRows {
  /** The stored document (unvalidated: the engine checks it), or the very object saved last; undefined without a row. */
  load(participantId: string): unknown;
  save(participantId: string, state: FlowState, at: string): void;
  /** Drops the in-memory copy (the participant was deleted). */
  forget(participantId: string): void;
  /**
   * Runs `write` (a transaction, or a savepoint inside one). If it throws,
   * the database undid what it saved, so the copies it left in memory are
   * dropped: another writer could bring the row to their revision.
   */
  undoneOnThrow<T>(write: () => T): T;
}

/** How many participants' last saved states are kept in memory. */
const RECENT_STATES = 10_000;

interface Saved {
  revision: number;
  state: FlowState;
}

interface StoredRow {
  revision: number;
  /** Null when the row still has the revision asked about: the copy in memory is current. */
  state: string | null;
  assignments: string | null;
}

export function createFlowStateRows(sqlite: Database.Database): FlowStateRows {
  const s = prepareStatements(sqlite);
  const recent = new LRUCache<string, Saved>({ max: RECENT_STATES });
  // Participants saved in the transaction under way, in order, until it commits.
  const savedInTransaction: string[] = [];

  function writeWhole(participantId: string, state: FlowState, at: string): number {
    const row = s.upsert.get(participantId, stateText(state), JSON.stringify(state.assignments), state.step, at);
    if (!row) throw new Error(`flow state of ${participantId} not written`);
    return row.revision;
  }

  return {
    load(participantId) {
      const saved = recent.get(participantId);
      const known = saved?.revision ?? -1;
      const row = s.load.get(known, known, participantId);
      if (!row) return undefined;
      if (saved && row.revision === saved.revision) return saved.state;
      return storedState(row);
    },

    save(participantId, state, at) {
      const saved = recent.get(participantId);
      let revision: number | undefined;
      if (saved && saved.state.assignments === state.assignments) {
        // The plans are as this process last wrote them, if nobody wrote since: then only the document changes.
        revision = s.updateDocument.get(stateText(state), state.step, at, participantId)?.revision;
        if (revision !== saved.revision + 1) revision = undefined;
      }
      recent.set(participantId, { revision: revision ?? writeWhole(participantId, state, at), state });
      // (A save outside any transaction has committed already.)
      if (sqlite.inTransaction) savedInTransaction.push(participantId);
    },

    forget: (participantId) => recent.delete(participantId),

    undoneOnThrow(write) {
      const mark = savedInTransaction.length;
      try {
        const result = write();
        if (!sqlite.inTransaction) savedInTransaction.length = 0;
        return result;
      } catch (error) {
        for (const participantId of savedInTransaction.splice(mark)) recent.delete(participantId);
        throw error;
      }
    },
  };
}

/** The document as stored: everything but the assignments, which have their own column. */
function stateText(state: FlowState): string {
  // (Measured in the bot: a copy without the key serialises faster than one with it set to undefined.)
  const { assignments: _ownColumn, ...document } = state;
  return JSON.stringify(document);
}

/** The state a row holds; a document written before the assignments column keeps its own. */
function storedState(row: StoredRow): unknown {
  const document: unknown = JSON.parse(row.state ?? "null");
  if (row.assignments === null || typeof document !== "object" || document === null || "assignments" in document) {
    return document;
  }
  return { ...document, assignments: JSON.parse(row.assignments) };
}

function prepareStatements(sqlite: Database.Database) {
  return {
    // The documents only when the revision differs from the one this process holds.
    load: sqlite.prepare<[number, number, string], StoredRow>(
      `SELECT revision, CASE revision WHEN ? THEN NULL ELSE state END AS state,
         CASE revision WHEN ? THEN NULL ELSE assignments END AS assignments
       FROM flow_states WHERE participant_id = ?`,
    ),
    upsert: sqlite.prepare<[string, string, string, number, string], { revision: number }>(
      `INSERT INTO flow_states (participant_id, state, assignments, step, updated_at, revision) VALUES (?, ?, ?, ?, ?, 1)
       ON CONFLICT (participant_id) DO UPDATE SET state = excluded.state, assignments = excluded.assignments,
         step = excluded.step, updated_at = excluded.updated_at, revision = flow_states.revision + 1
       RETURNING revision`,
    ),
    updateDocument: sqlite.prepare<[string, number, string, string], { revision: number }>(
      `UPDATE flow_states SET state = ?, step = ?, updated_at = ?, revision = revision + 1
       WHERE participant_id = ? RETURNING revision`,
    ),
  };
}
