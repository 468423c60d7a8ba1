/**
 * Child process of tests/slack/two-processes.test.ts: the Telegram side. The
 * real grammY bot (long polling through the runner) against the fake Bot API,
 * on the shared database file, takes `count` participants through the whole
 * mini study at the same time (all in the United States quota cell, which
 * takes two). Prints one JSON line when done.
 */
import { createEngine } from "../../../src/core/engine.js";
import { createI18n } from "../../../src/i18n/index.js";
import { createLogger } from "../../../src/logger.js";
import { LOCALES_DIR } from "../../../src/paths.js";
import { openDatabase } from "../../../src/store/client.js";
import { createSurveyStore } from "../../../src/store/survey-store.js";
import { createTelegramBot } from "../../../src/telegram/bot.js";
import { InFlight } from "../../../src/telegram/in-flight.js";
import { runTelegram } from "../../../src/telegram/run.js";
import { createTelegramStore } from "../../../src/telegram/store.js";
import { loadMiniStudy } from "../../helpers/db.js";
import { startFakeTelegramServer } from "../../helpers/fake-telegram-server.js";
import {
  type TelegramHarness,
  TestUser,
  trackHandledUpdates,
  walkThroughSurvey,
} from "../../helpers/telegram-harness.js";

const [databasePath, countText] = process.argv.slice(2);
if (!databasePath) throw new Error("usage: telegram-side.ts DATABASE COUNT");
const count = Number(countText ?? "3");

const database = openDatabase(databasePath);
const server = await startFakeTelegramServer();
const i18n = createI18n({ localesDir: LOCALES_DIR });
let participants = 0;
const engine = createEngine({
  store: createSurveyStore(database),
  clock: { now: () => new Date() },
  random: Math.random,
  newParticipantId: () => `tg-${++participants}`,
  locales: i18n.locales,
});
const logger = createLogger("silent");
const inFlight = new InFlight();
const bot = createTelegramBot({
  token: server.token,
  apiRoot: server.apiRoot,
  engine,
  i18n,
  logger,
  store: createTelegramStore(database),
  inFlight,
});
const handled = trackHandledUpdates(bot);
const running = await runTelegram(bot, { inFlight, i18n, logger, mode: { kind: "polling", timeoutSeconds: 1 } });
const harness = {
  db: { ...database, dir: "", path: databasePath, cleanup: () => database.close() },
  server,
  bot,
  i18n,
  study: loadMiniStudy(),
  running,
  handled,
  user: () => {
    throw new Error("not used");
  },
  close: async () => undefined,
} satisfies TelegramHarness;

const users = Array.from(
  { length: count },
  (_, index) => new TestUser(harness, { id: 5_000 + index, firstName: `Side${index}`, languageCode: "en" }),
);
// Ready: wait for the parent's "go", so both sides walk at the same time.
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.pause();
const startedAt = Date.now();
await Promise.all(users.map((user) => walkThroughSurvey(user)));
const finishedAt = Date.now();
await running.stop();
await server.close();
database.close();
process.stdout.write(
  `${JSON.stringify({ side: "telegram", users: users.map((user) => String(user.id)), startedAt, finishedAt })}\n`,
);
