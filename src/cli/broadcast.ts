import type { Command } from "commander";
import { BROADCAST_PLATFORMS, type BroadcastFilter, MESSAGEABLE_STATUSES } from "../broadcast/filter.js";
import { broadcastSenders, workerSettings } from "../broadcast/from-config.js";
import { BROADCAST_KEYS } from "../broadcast/message.js";
import {
  BroadcastError,
  type BroadcastSummary,
  broadcastSummary,
  cancelBroadcast,
  createBroadcast,
  listBroadcasts,
  previewBroadcast,
  startSending,
} from "../broadcast/outbox.js";
import { createBroadcastWorker, type DrainResult } from "../broadcast/worker.js";
import type { Platform } from "../core/ports.js";
import { sleep } from "../sleep.js";
import { pendingCountsByPlatform } from "../store/broadcasts.js";
import { readText } from "../studies/read-text.js";
import { parseYamlText } from "../studies/yaml.js";
import {
  type CliIo,
  type CliRuntime,
  defaultIo,
  EXIT,
  formatTable,
  printJson,
  runCommand,
  runReadCommand,
  startProgress,
  UsageError,
} from "./runtime.js";

/**
 * `chorus broadcast create|preview|send|status|resume|cancel`: the outbox
 * and its sender from the command line. `send` and `resume` send from this
 * process when it has the platform's credentials and holds the platform's
 * lease; if a running `npm start` holds it, they follow that process's
 * progress instead. Ctrl-C stops after the message in flight; `resume`
 * continues later, never resending a delivery marked sent.
 */

interface CreateOptions {
  study: string;
  platform?: string[];
  status?: string[];
  locale?: string[];
  country?: string[];
  notFinished?: boolean;
  key?: string;
  text?: string[];
  textFile?: string;
  startButton?: boolean;
  json?: boolean;
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
];
const repeat = (value: string, previous: string[] = []) => [...previous, value];

function parseId(text: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`"${text}" is not a broadcast id (a positive number)`);
  return id;
}

function checkedList<T extends string>(values: string[] | undefined, allowed: readonly T[], what: string) {
  if (!values) return undefined;
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) {
      const hint =
        what === "status" && ["paused", "declined", "screened_out", "unreachable"].includes(value)
          ? ` (${value} participants are never messaged)`
          : "";
      throw new UsageError(`--${what} ${value}: expected one of ${allowed.join(", ")}${hint}`);
    }
  }
  return values as T[];
}

/** `--text en=Hello --text es=Hola`, or a YAML/JSON file mapping locale → text. */
function messagesFrom(options: CreateOptions): Record<string, string> | undefined {
  const messages: Record<string, string> = {};
  if (options.textFile) {
    // A file that cannot be read or is not locale → text is bad input (exit 2), like a bad --text.
    const read = readText(options.textFile);
    if (!read.ok) throw new UsageError(read.problem);
    const parsed = parseYamlText(read.text, options.textFile);
    if (!parsed.ok) throw new UsageError(parsed.problems.join("\n"));
    const value = parsed.value;
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      throw new UsageError(`${options.textFile}: expected a mapping of locale to text, e.g. "en: New scenarios…"`);
    }
    for (const [locale, text] of Object.entries(value as Record<string, unknown>)) {
      if (typeof text !== "string") throw new UsageError(`${options.textFile}: ${locale}: expected text`);
      messages[locale] = text;
    }
  }
  for (const entry of options.text ?? []) {
    const equals = entry.indexOf("=");
    if (equals <= 0)
      throw new UsageError(`--text ${JSON.stringify(entry)}: expected LOCALE=TEXT, e.g. en="New scenarios"`);
    messages[entry.slice(0, equals).trim()] = entry.slice(equals + 1);
  }
  return Object.keys(messages).length > 0 ? messages : undefined;
}

function filterFrom(options: CreateOptions): BroadcastFilter {
  const platforms = checkedList(options.platform, BROADCAST_PLATFORMS, "platform");
  const statuses = checkedList(options.status, MESSAGEABLE_STATUSES, "status");
  return {
    studyId: options.study,
    ...(platforms ? { platforms } : {}),
    ...(statuses ? { statuses } : {}),
    ...(options.locale ? { locales: options.locale } : {}),
    ...(options.country ? { countries: options.country.map((code) => code.toUpperCase()) } : {}),
    ...(options.notFinished ? { notFinished: true } : {}),
  };
}

function describeCounts(summary: BroadcastSummary): string {
  const d = summary.deliveries;
  const parts = [`${d.sent} sent`, `${d.pending} pending`];
  if (d.failed) parts.push(`${d.failed} failed`);
  if (d.unreachable) parts.push(`${d.unreachable} unreachable`);
  if (d.skipped) parts.push(`${d.skipped} skipped`);
  if (summary.inFlight)
    parts.push(`${summary.inFlight} in flight at an interruption (resent on resume; may duplicate)`);
  if (summary.possibleDuplicates)
    parts.push(`${summary.possibleDuplicates} may have arrived twice (sent again after an interruption)`);
  return `${summary.total} recipients: ${parts.join(", ")}`;
}

function printSummary(io: CliIo, summary: BroadcastSummary): void {
  io.out(
    `Broadcast ${summary.id} [${summary.status}] study ${summary.studyId}, created ${summary.createdAt} by ${summary.createdBy}`,
  );
  io.out(`  to: ${summary.filterText}`);
  io.out(
    `  message: ${summary.messageKey ?? `given text (${Object.keys(summary.messages).join(", ")})`}${summary.withStartButton ? ", with a start button" : ""}`,
  );
  io.out(`  ${describeCounts(summary)}`);
  if (summary.startedAt)
    io.out(`  started ${summary.startedAt}${summary.sentAt ? `, finished ${summary.sentAt}` : ""}`);
}

function pendingByPlatform(runtime: CliRuntime, ids: number[]): Map<Platform, number> {
  const result = new Map<Platform, number>();
  for (const id of ids) {
    for (const row of pendingCountsByPlatform(runtime.database.sqlite, id)) {
      result.set(row.platform, (result.get(row.platform) ?? 0) + row.n);
    }
  }
  return result;
}

/**
 * Sends the pending deliveries of `ids` (broadcasts in sending state) from
 * this process, with a progress bar; follows another process's progress
 * when it holds a platform's lease. Returns the exit code.
 */
async function deliver(runtime: CliRuntime, io: CliIo, ids: number[], wait: boolean): Promise<number> {
  const pending = pendingByPlatform(runtime, ids);
  const total = [...pending.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) {
    for (const id of ids) io.out(describeCounts(broadcastSummary(runtime.database.sqlite, id)));
    return EXIT.ok;
  }
  const available = broadcastSenders(runtime.config);
  const senders: typeof available = {};
  for (const platform of pending.keys()) {
    const sender = available[platform];
    if (sender) senders[platform] = sender;
    else {
      io.err(
        `${pending.get(platform)} ${platform} deliveries wait for a process with ${platform === "telegram" ? "TELEGRAM_BOT_TOKEN" : "SLACK_BOT_TOKEN"} (npm start sends them)`,
      );
    }
  }
  if (Object.keys(senders).length === 0) return EXIT.ok;

  const stop = new AbortController();
  const onSigint = () => {
    io.err("\nStopping after the message in flight… (resume with: chorus broadcast resume)");
    stop.abort();
  };
  process.once("SIGINT", onSigint);
  const progress = startProgress(io, "Sending", total);
  const done = { sent: 0, other: 0 };
  const worker = createBroadcastWorker({
    sqlite: runtime.database.sqlite,
    i18n: runtime.i18n,
    senders,
    ...workerSettings(runtime.config),
    onDelivery: (event) => {
      if (event.outcome === "retry" || event.outcome === "rate_limited") return;
      if (event.outcome === "sent") done.sent++;
      else done.other++;
      progress.update(done.sent + done.other, `${done.sent} sent, ${done.other} not`);
    },
  });
  const results: DrainResult[] = [];
  try {
    for (const id of ids) {
      results.push(...(await worker.drain({ broadcastId: id, signal: stop.signal })));
      if (stop.signal.aborted) break;
    }
    const held = results.filter((result) => result.heldBy);
    if (held.length > 0 && wait && !stop.signal.aborted) {
      for (const result of held) io.err(`${result.platform}: being sent by ${result.heldBy}; following its progress`);
      await follow(runtime, ids, total, progress, stop.signal);
    } else {
      for (const result of held) {
        io.err(`${result.platform}: being sent by ${result.heldBy}; see: chorus broadcast status`);
      }
    }
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSigint);
  }
  const resent = results.reduce((sum, result) => sum + result.resumedInFlight, 0);
  if (resent > 0) {
    io.err(
      `${resent} delivery(ies) were in flight when an earlier sender stopped; they were sent again and may have arrived twice.`,
    );
  }
  for (const id of ids) io.out(`Broadcast ${id}: ${describeCounts(broadcastSummary(runtime.database.sqlite, id))}`);
  return EXIT.ok;
}

/** Polls the outbox while another process sends, until nothing is pending or Ctrl-C. */
async function follow(
  runtime: CliRuntime,
  ids: number[],
  total: number,
  progress: ReturnType<typeof startProgress>,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    const left = [...pendingByPlatform(runtime, ids).values()].reduce((sum, n) => sum + n, 0);
    progress.update(total - left, "sent by another process");
    if (left === 0) return;
    // Ctrl-C ends the wait at once; the loop then sees the signal.
    await sleep(1000, signal).catch(() => undefined);
  }
}

export function registerBroadcastCommands(program: Command, io: CliIo = defaultIo()): void {
  const broadcast = program
    .command("broadcast")
    .description("Message participants: create the outbox, preview, send (paced, resumable), status, cancel");

  broadcast
    .command("create")
    .description("Write a draft broadcast and one delivery per matching participant (nothing is sent yet)")
    .requiredOption("--study <id>", "the study whose participants get it")
    .option("--platform <list>", `only these platforms (${BROADCAST_PLATFORMS.join(", ")})`, list)
    .option(
      "--status <list>",
      `participant statuses (${MESSAGEABLE_STATUSES.join(", ")}; default active,completed)`,
      list,
    )
    .option("--locale <list>", "only participants using these UI locales", list)
    .option("--country <list>", "only these countries of residence (ISO codes, e.g. KE,US)", list)
    .option("--not-finished", "only participants who have not completed their scenarios")
    .option("--key <key>", `a message from locales/, in each participant's language (${BROADCAST_KEYS.join(", ")})`)
    .option("--text <locale=text>", "the message for one locale (repeatable); others get the default locale's", repeat)
    .option("--text-file <file>", "a YAML/JSON file mapping locale to message")
    .option(
      "--start-button",
      'add a "Start the new scenarios" button; only participants who can start new scenarios now are included',
    )
    .option("--json", "print the created broadcast as JSON")
    .action((options: CreateOptions) =>
      runCommand(io, (runtime) => {
        const messages = messagesFrom(options);
        if (options.key && messages) throw new UsageError("give either --key or --text/--text-file, not both");
        if (!options.key && !messages) {
          throw new UsageError(`give a message: --key ${BROADCAST_KEYS[0]}, or --text en="…"`);
        }
        const summary = createBroadcast(
          { sqlite: runtime.database.sqlite, i18n: runtime.i18n },
          {
            filter: filterFrom(options),
            ...(options.key ? { messageKey: options.key } : {}),
            ...(messages ? { messages } : {}),
            withStartButton: options.startButton ?? false,
          },
          runtime.actor,
        );
        if (options.json) printJson(io, summary);
        else {
          io.out(`Created broadcast ${summary.id} (draft) for ${summary.total} recipient(s): ${summary.filterText}`);
          io.out(`Next: chorus broadcast preview ${summary.id}, then chorus broadcast send ${summary.id}`);
        }
        return EXIT.ok;
      }),
    );

  broadcast
    .command("preview")
    .argument("<id>", "broadcast id")
    .description("Show who gets it (by platform and locale) and the message as each locale will read it")
    .option("--json", "print as JSON")
    .action((id: string, options: { json?: boolean }) =>
      runReadCommand(io, (runtime) => {
        const preview = previewBroadcast({ sqlite: runtime.database.sqlite, i18n: runtime.i18n }, parseId(id));
        if (options.json) {
          printJson(io, preview);
          return EXIT.ok;
        }
        printSummary(io, preview);
        io.out("");
        io.out(
          formatTable(
            ["platform", "locale", "recipients"],
            preview.recipients.map((r) => [r.platform, r.locale, r.count]),
          ),
        );
        for (const sample of preview.samples) {
          io.out(`\n--- ${sample.locale} ---\n${sample.text}${sample.button ? `\n[ ${sample.button} ]` : ""}`);
        }
        return EXIT.ok;
      }),
    );

  broadcast
    .command("send")
    .argument("<id>", "broadcast id")
    .description("Start sending a draft (paced per platform); a broadcast already sent is refused, never duplicated")
    .option("--no-wait", "only mark it for sending; a running npm start sends it")
    .action((id: string, options: { wait: boolean }) =>
      runCommand(io, async (runtime) => {
        const broadcastId = parseId(id);
        const { resumed } = startSending(runtime.database.sqlite, broadcastId, runtime.actor);
        if (resumed) io.err(`Broadcast ${broadcastId} was already being sent; continuing with its pending deliveries.`);
        if (!options.wait) {
          io.out(`Broadcast ${broadcastId} is marked for sending; a running npm start sends it within seconds.`);
          return EXIT.ok;
        }
        return deliver(runtime, io, [broadcastId], true);
      }),
    );

  broadcast
    .command("resume")
    .argument("[id]", "broadcast id (default: every broadcast being sent)")
    .description(
      "Send the pending deliveries of broadcasts interrupted mid-way (deliveries marked sent are never resent)",
    )
    .action((id: string | undefined) =>
      runCommand(io, async (runtime) => {
        const sqlite = runtime.database.sqlite;
        const ids = id
          ? [parseId(id)]
          : listBroadcasts(sqlite)
              .filter((b) => b.status === "sending")
              .map((b) => b.id)
              .reverse();
        if (ids.length === 0) {
          io.out("No broadcast is being sent; nothing to resume.");
          return EXIT.ok;
        }
        for (const broadcastId of ids) {
          const summary = broadcastSummary(sqlite, broadcastId);
          if (summary.status === "draft") {
            throw new BroadcastError(
              "not_draft",
              `Broadcast ${broadcastId} was never sent; start it with: chorus broadcast send ${broadcastId}`,
            );
          }
          startSending(sqlite, broadcastId, runtime.actor);
        }
        return deliver(runtime, io, ids, true);
      }),
    );

  broadcast
    .command("status")
    .argument("[id]", "broadcast id (default: every broadcast, newest first)")
    .description("Deliveries by status: sent, pending, failed, unreachable, skipped")
    .option("--study <id>", "only broadcasts of this study")
    .option("--json", "print as JSON")
    .action((id: string | undefined, options: { json?: boolean; study?: string }) =>
      runReadCommand(io, (runtime) => {
        const sqlite = runtime.database.sqlite;
        const summaries = id
          ? [broadcastSummary(sqlite, parseId(id))]
          : listBroadcasts(sqlite, options.study ? { studyId: options.study } : {});
        if (options.json) {
          printJson(io, id ? summaries[0] : summaries);
          return EXIT.ok;
        }
        if (summaries.length === 0) io.out("No broadcasts yet.");
        for (const summary of summaries) printSummary(io, summary);
        return EXIT.ok;
      }),
    );

  broadcast
    .command("cancel")
    .argument("<id>", "broadcast id")
    .description("Cancel a draft or a broadcast being sent: its pending deliveries are skipped")
    .action((id: string) =>
      runCommand(io, (runtime) => {
        const summary = cancelBroadcast(runtime.database.sqlite, parseId(id), runtime.actor);
        io.out(`Broadcast ${summary.id} cancelled: ${describeCounts(summary)}`);
        return EXIT.ok;
      }),
    );
}
