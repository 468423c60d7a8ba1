/**
 * The fake Bot API behind a proxy capping sendMessage at the platform's
 * rate (tests/helpers), in its own process so the broadcast benchmark's
 * CPU figures are the sender's alone. IPC: { start: { cap } } answers with
 * the proxy's address; { report: true } answers with what the server saw;
 * { close: true } stops.
 */
import { FakeTelegramServer } from "../tests/helpers/fake-telegram-server.js";
import { FaultProxy } from "../tests/helpers/fault-proxy.js";

if (!process.send) throw new Error("broadcast-fake-process runs as a forked child with IPC");
const send = process.send.bind(process);
let server: FakeTelegramServer | undefined;
let proxy: FaultProxy | undefined;

process.on("message", async (message: { start?: { cap: number }; report?: true; close?: true }) => {
  if (message.start) {
    server = await new FakeTelegramServer().start();
    proxy = await new FaultProxy({
      target: server.apiRoot,
      style: "telegram",
      capPerSecond: message.start.cap,
      capPath: /\/sendMessage$/,
    }).start();
    send({ apiRoot: proxy.url, token: server.token });
  }
  if (message.report && server && proxy) {
    const perChat: Record<string, number> = {};
    for (const [chatId, messages] of server.chats) {
      perChat[String(chatId)] = messages.filter((m) => m.from === "bot").length;
    }
    send({ perChat, forwardedAt: proxy.forwardedAt, rejected: proxy.rejected });
  }
  if (message.close) {
    await proxy?.close();
    await server?.close();
    send({ closed: true }, () => process.exit(0));
  }
});
