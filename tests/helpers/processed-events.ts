import type Database from "better-sqlite3";

/**
 * Every platform event id the store remembers as processed: those claimed in
 * processed_events (first contact, withdrawal) and those kept in participants'
 * flow states (their latest inputs). A first contact's event is in both; it is listed once.
 */
export function processedEventIds(sqlite: Database.Database, platform?: string): string[] {
  const claimed = sqlite
    .prepare<[string | null, string | null], { event_id: string }>(
      "SELECT event_id FROM processed_events WHERE ? IS NULL OR platform = ?",
    )
    .all(platform ?? null, platform ?? null);
  const remembered = sqlite
    .prepare<[string | null, string | null], { event_id: string }>(
      `SELECT e.value AS event_id FROM flow_states f
       JOIN participants p ON p.id = f.participant_id, json_each(f.state, '$.recentEvents') e
       WHERE ? IS NULL OR p.platform = ?`,
    )
    .all(platform ?? null, platform ?? null);
  return [...new Set([...claimed, ...remembered].map((row) => row.event_id))];
}
