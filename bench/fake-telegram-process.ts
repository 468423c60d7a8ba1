/**
 * The fake Bot API (tests/helpers/fake-telegram-server.ts) in its own
 * process, so in the Telegram benchmark its CPU time is not the bot's.
 * IPC messages: { reset: { latencyMs } } starts a fresh server (a new chat
 * history, every call answered after latencyMs) and answers with its address
 * { push: Update[] } queues updates; { stats: true } answers with the number
 * of calls answered (getUpdates aside) and how many failed; { close: true } stops.
 */
import type { Update } from "grammy/types";
import { FakeTelegramServer } from "../tests/helpers/fake-telegram-server.js";

if (!process.send) throw new Error("fake-telegram-process runs as a forked child with IPC");
const send = process.send.bind(process);
let server: FakeTelegramServer | undefined;

const answered = () => {
  const calls = server?.calls.filter((call) => call.method !== "getUpdates") ?? [];
  return { calls: calls.length, failed: calls.filter((call) => call.status !== 200).length };
};

process.on(
  "message",
  async (message: { reset?: { latencyMs: number }; push?: Update[]; stats?: true; close?: true }) => {
    if (message.reset) {
      await server?.close();
      // Replayed presses point at message ids of the recording run: edits are not checked against the chat.
      server = await new FakeTelegramServer({ strictMessages: false }).start();
      server.latencyMs = message.reset.latencyMs;
      send({ apiRoot: server.apiRoot, token: server.token });
    }
    if (message.push && server) {
      for (const update of message.push) server.pushUpdate(update);
    }
    if (message.stats) send(answered());
    if (message.close) {
      await server?.close();
      send({ closed: true }, () => process.exit(0));
    }
  },
);
