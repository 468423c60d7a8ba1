import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback HTTP proxy in front of a fake platform server (Telegram or
 * Slack) that adds what the fakes themselves do not: a rate cap enforced the
 * way the platform does (a sliding one-second window; requests over it get a
 * 429 in the platform's own format) and network errors (the connection is
 * reset before the request reaches the server, so nothing was delivered).
 */
interface FaultProxyOptions {
  /** The fake server's base URL, e.g. http://127.0.0.1:1234. */
  target: string;
  /** Which API's 429 format to answer with. */
  style: "telegram" | "slack";
  /** Requests per second allowed for paths matching `capPath` (sliding window of 1,000 ms). */
  capPerSecond?: number;
  capPath?: RegExp;
  /** Seconds a capped request is told to wait. */
  retryAfterSeconds?: number;
  /**
   * Called for every request before it is forwarded (`stage: "request"`) and
   * after the server answered but before the answer is relayed (`stage:
   * "answer"`); a test can kill the client at exactly that moment. Returning
   * "drop" is the explicit hand-off: the request is never forwarded, or the
   * answer never relayed (the connection is cut), whatever the socket's state.
   */
  hook?: (path: string, stage: "request" | "answer") => Promise<HookVerdict> | HookVerdict;
}

/** What a hook decides: "drop" cuts the exchange at that stage; anything else lets it go on. */
type HookVerdict = "drop" | undefined;

export class FaultProxy {
  /** Requests forwarded to the server whose path matched `capPath`, with their arrival time (ms). */
  readonly forwardedAt: number[] = [];
  /** Requests answered 429 by the cap. */
  rejected = 0;
  /** Connections reset by `resetNext`. */
  resets = 0;

  private readonly server = createServer((request, response) => void this.handle(request, response));
  private readonly window: number[] = [];
  private readonly resetQueue: { path: RegExp | undefined; remaining: number }[] = [];
  private port = 0;

  constructor(private readonly options: FaultProxyOptions) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The next `times` requests whose path matches (any if undefined) get their connection reset. */
  resetNext(path: RegExp | undefined, times = 1): void {
    this.resetQueue.push({ path, remaining: times });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = request.url ?? "/";
    const reset = this.resetQueue.find((entry) => entry.path === undefined || entry.path.test(path));
    if (reset) {
      if (--reset.remaining <= 0) this.resetQueue.splice(this.resetQueue.indexOf(reset), 1);
      this.resets++;
      request.socket.destroy();
      return;
    }
    const capped = this.options.capPerSecond !== undefined && (this.options.capPath?.test(path) ?? true);
    if (capped) {
      const now = performance.now();
      while (this.window.length > 0 && (this.window[0] as number) <= now - 1000) this.window.shift();
      if (this.window.length >= (this.options.capPerSecond as number)) {
        this.rejected++;
        for await (const _ of request) {
          // Drain the body before answering.
        }
        return this.tooManyRequests(response);
      }
      this.window.push(now);
      this.forwardedAt.push(now);
    }
    const body: Buffer[] = [];
    for await (const chunk of request) body.push(chunk as Buffer);
    if ((await this.options.hook?.(path, "request")) === "drop") {
      // Cut off on the way: it never arrives.
      request.socket.destroy();
      return;
    }
    const upstream = httpRequest(`${this.options.target}${path}`, {
      method: request.method,
      headers: { ...request.headers, host: new URL(this.options.target).host },
    });
    upstream.on("response", async (answer) => {
      const chunks: Buffer[] = [];
      for await (const chunk of answer) chunks.push(chunk as Buffer);
      if ((await this.options.hook?.(path, "answer")) === "drop" || response.destroyed) {
        response.destroy();
        return;
      }
      response.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
    });
    upstream.on("error", () => response.destroy());
    upstream.end(Buffer.concat(body));
  }

  private tooManyRequests(response: ServerResponse): void {
    const seconds = this.options.retryAfterSeconds ?? 1;
    if (this.options.style === "telegram") {
      response.writeHead(429, { "content-type": "application/json" }).end(
        JSON.stringify({
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${seconds}`,
          parameters: { retry_after: seconds },
        }),
      );
    } else {
      response
        .writeHead(429, { "content-type": "application/json", "retry-after": String(seconds) })
        .end(JSON.stringify({ ok: false, error: "ratelimited" }));
    }
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  return new FaultProxy(options).start();
}
