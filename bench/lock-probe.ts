/**
 * A stand-in for a bot while a benchmark imports: opens the database as
 * Chorus does (WAL, busy timeout) and writes one row per small transaction,
 * every 5 ms, recording how long each write waited for the lock. Stops on
 * SIGTERM and prints {writes, maxWaitMs, p99WaitMs, failed} as JSON.
 *
 *   node --import tsx bench/lock-probe.ts DB_FILE
 */
import Database from "better-sqlite3";

const file = process.argv[2];
if (!file) throw new Error("usage: lock-probe.ts DB_FILE");
const db = new Database(file, { timeout: 30_000 });
db.pragma("journal_mode = WAL");
db.exec("CREATE TABLE IF NOT EXISTS bench_lock_probe (at REAL NOT NULL)");
const insert = db.prepare("INSERT INTO bench_lock_probe (at) VALUES (?)");
const write = db.transaction((at: number) => insert.run(at));
const waits: number[] = [];
let failed = 0;
let running = true;

process.on("SIGTERM", () => {
  running = false;
});
process.stdout.write("ready\n");

function tick(): void {
  if (!running) {
    const sorted = [...waits].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    process.stdout.write(
      `${JSON.stringify({ writes: waits.length, maxWaitMs: sorted.at(-1) ?? 0, p99WaitMs: p99, failed })}\n`,
    );
    db.close();
    return;
  }
  const started = performance.now();
  try {
    write.immediate(started);
    waits.push(performance.now() - started);
  } catch {
    failed++;
  }
  setTimeout(tick, 5);
}
tick();
