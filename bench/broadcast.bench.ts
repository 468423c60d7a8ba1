/**
 * Broadcast benchmark: a 10,000-recipient broadcast against the fake
 * Telegram Bot API capped at 30 messages/s (a sliding one-second window; a
 * message over the cap gets a 429 like Telegram's). Measures the sustained
 * rate as a share of the cap, the sender's CPU while pacing, 429s provoked,
 * and duplicates / missing recipients.
 *
 *   npm run bench:broadcast                    # 10,000 recipients (about 6 minutes)
 *   BENCH_RECIPIENTS=1500 npm run bench:broadcast
 */
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createBroadcast, startSending } from "../src/broadcast/outbox.js";
import { createTelegramSender } from "../src/broadcast/senders/telegram.js";
import { createBroadcastWorker } from "../src/broadcast/worker.js";
import { createI18n } from "../src/i18n/index.js";
import { LOCALES_DIR } from "../src/paths.js";
import { cliActor } from "../src/staff/audit.js";
import { openDatabase } from "../src/store/client.js";
import { importStudy, publishStudy } from "../src/store/study-repository.js";
import { loadStudyFile } from "../src/studies/load.js";
import { encodeChoice } from "../src/telegram/callback-data.js";
import { seedParticipants } from "../tests/helpers/participants.js";

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const CAP = 30;

interface Report {
  perChat: Record<string, number>;
  forwardedAt: number[];
  rejected: number;
}

function quantiles(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(1);
  return `${at(0.5)} / ${at(0.9)} / ${at(0.99)} ms`;
}

function ask<T>(child: ReturnType<typeof fork>, message: object): Promise<T> {
  return new Promise((resolve) => {
    child.once("message", (answer) => resolve(answer as T));
    child.send(message);
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "chorus-bench-broadcast-"));
  const database = openDatabase(path.join(dir, "chorus.db"));
  const fixture = fileURLToPath(new URL("../tests/fixtures/mini-study.yaml", import.meta.url));
  const loaded = loadStudyFile(fixture);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  importStudy(database.db, loaded.study);
  publishStudy(database.db, loaded.study.id);
  seedParticipants(
    database.sqlite,
    loaded.study.id,
    Array.from({ length: RECIPIENTS }, (_, i) => ({
      platform: "telegram" as const,
      userId: String(1_000_000 + i),
      locale: i % 3 === 0 ? "es" : "en",
      assigned: ["weather", "headache"],
    })),
  );
  const i18n = createI18n({ localesDir: LOCALES_DIR });
  const created = createBroadcast(
    { sqlite: database.sqlite, i18n },
    { filter: { studyId: loaded.study.id }, messageKey: "broadcast.new_scenarios", withStartButton: true },
    cliActor(),
  );
  startSending(database.sqlite, created.id, cliActor());

  const child = fork(fileURLToPath(new URL("./broadcast-fake-process.ts", import.meta.url)), [], {
    execArgv: ["--import", "tsx"],
  });
  const fake = await ask<{ apiRoot: string; token: string }>(child, { start: { cap: CAP } });

  let sent = 0;
  // Round trips as the sender sees them: the window holds each message until its answer.
  const roundTrips: number[] = [];
  const telegram = createTelegramSender({ token: fake.token, apiRoot: fake.apiRoot, encodeChoice });
  const timed: typeof telegram = {
    platform: "telegram",
    async send(recipient, message) {
      const began = performance.now();
      try {
        await telegram.send(recipient, message);
      } finally {
        roundTrips.push(performance.now() - began);
      }
    },
  };
  const worker = createBroadcastWorker({
    sqlite: database.sqlite,
    i18n,
    senders: { telegram: timed },
    pacing: { telegram: { ratePerSecond: CAP, perKeyIntervalMs: 1000 } },
    onDelivery: (event) => {
      if (event.outcome === "sent" && ++sent % 1000 === 0) process.stderr.write(`  ${sent}/${RECIPIENTS}\n`);
    },
  });
  process.stderr.write(
    `Broadcast to ${RECIPIENTS} recipients at most ${CAP}/s (about ${Math.ceil(RECIPIENTS / CAP)} s)…\n`,
  );
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const [result] = await worker.drain();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const report = await ask<Report>(child, { report: true });
  await ask(child, { close: true });
  database.close();
  rmSync(dir, { recursive: true, force: true });

  const times = report.forwardedAt;
  const first = times[0] ?? 0;
  const last = times.at(-1) ?? 0;
  // Server-side sustained rate: messages after the first over the time they took.
  const serverRate = times.length > 1 ? ((times.length - 1) / (last - first)) * 1000 : 0;
  let maxWindow = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= 1000) j++;
    maxWindow = Math.max(maxWindow, i - j + 1);
  }
  const counts = Object.values(report.perChat);
  const duplicates = counts.reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const missing = RECIPIENTS - counts.filter((n) => n >= 1).length;
  const cpuMs = (cpu.user + cpu.system) / 1000;

  const rows: [string, string][] = [
    ["recipients", String(RECIPIENTS)],
    ["delivered (worker)", String(result?.counts.sent ?? 0)],
    ["wall time", `${(wallMs / 1000).toFixed(1)} s`],
    [
      "sustained rate (server)",
      `${serverRate.toFixed(2)} msg/s = ${((serverRate / CAP) * 100).toFixed(1)}% of ${CAP}/s`,
    ],
    ["overall rate (worker)", `${((RECIPIENTS / wallMs) * 1000).toFixed(2)} msg/s`],
    ["most in any 1 s window", String(maxWindow)],
    ["429s provoked", String(report.rejected)],
    ["round trip (median / p90 / p99)", quantiles(roundTrips)],
    [
      "sender CPU",
      `${cpuMs.toFixed(0)} ms = ${((cpuMs / wallMs) * 100).toFixed(2)}% of one core, ${((cpuMs * 1000) / RECIPIENTS).toFixed(0)} µs/message`,
    ],
    ["duplicates", String(duplicates)],
    ["missing", String(missing)],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`\n${rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join("\n")}\n`);
  process.stdout.write(`machine: ${os.cpus()[0]?.model ?? "?"} ×${os.cpus().length}, Node ${process.version}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
