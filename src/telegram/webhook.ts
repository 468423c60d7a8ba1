import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.js";
import type { ChorusContext } from "./context.js";
import { errorFields } from "./errors.js";

/** Updates are small; anything bigger is not from Telegram. */
const MAX_BODY_BYTES = 1024 * 1024;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

export interface WebhookServerOptions {
  secret: string;
  port: number;
  host?: string;
  /** The path Telegram posts to (the webhook URL's path). */
  path: string;
  logger: Logger;
}

export interface WebhookServer {
  port: number;
  /** Stops accepting connections; requests already received finish. */
  close(): Promise<void>;
}

/**
 * A plain node:http server for webhook mode. Only POSTs to `path` carrying
 * the secret token Telegram was given in setWebhook are handled (anything
 * else: 401 or 404). The answer is sent once the update was handled, so a
 * crash mid-update makes Telegram deliver it again (a no-op if it was done).
 */
export async function startWebhookServer(
  bot: Bot<ChorusContext>,
  options: WebhookServerOptions,
): Promise<WebhookServer> {
  const expected = Buffer.from(options.secret, "utf8");
  const server = createServer(async (request, response) => {
    const answer = (status: number, body = "") => {
      response.writeHead(status, { "content-type": "text/plain" }).end(body);
    };
    if (request.url?.split("?")[0] !== options.path) return answer(404, "not found");
    if (request.method !== "POST") return answer(405, "method not allowed");
    const given = request.headers[SECRET_HEADER];
    const secret = Buffer.from(typeof given === "string" ? given : "", "utf8");
    if (secret.length !== expected.length || !timingSafeEqual(secret, expected)) {
      options.logger.warn("webhook request with a wrong or missing secret token");
      request.resume();
      return answer(401, "unauthorized");
    }
    let update: Update;
    try {
      update = JSON.parse(await readBody(request)) as Update;
    } catch {
      return answer(400, "bad request");
    }
    if (typeof update?.update_id !== "number") return answer(400, "bad request");
    // Errors are handled by the bot's error boundary; handleUpdate rejects only if that fails too.
    await bot.handleUpdate(update).catch((error: unknown) => {
      options.logger.error({ update_id: update.update_id, err: errorFields(error) }, "webhook update failed");
    });
    answer(200, "ok");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
