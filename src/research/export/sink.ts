import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";

/**
 * A UTF-8 file written through a stream with backpressure. Small writes are
 * gathered into ~48 KB chunks: big enough to keep system calls few, small
 * enough that V8 never puts the joined string in its large-object space,
 * which only a full collection frees (256 KB chunks made a million-row
 * export's memory climb by ~100 MB). When the stream's buffer
 * is full, `write` returns a promise that settles on 'drain', and the caller
 * awaits it before producing more rows, so memory stays bounded even when
 * the disk is slower than SQLite.
 */
export interface TextSink {
  /** undefined when the caller may go on; a promise when it must wait for the disk. */
  write(text: string): Promise<void> | undefined;
  /** Flushes and closes; rejects if any write failed. */
  end(): Promise<void>;
  readonly path: string;
}

const CHUNK = 48 * 1024;

export function openTextSink(path: string): TextSink {
  const stream: WriteStream = createWriteStream(path, { encoding: "utf8", highWaterMark: 1024 * 1024 });
  let failure: Error | undefined;
  let waiting: { resolve: () => void; reject: (error: Error) => void } | null = null;
  stream.on("error", (error) => {
    failure = error;
    waiting?.reject(error);
    waiting = null;
  });
  stream.on("drain", () => {
    waiting?.resolve();
    waiting = null;
  });
  let parts: string[] = [];
  let pending = 0;

  function flush(): Promise<void> | undefined {
    if (failure) return Promise.reject(failure);
    if (parts.length === 0) return undefined;
    const chunk = parts.length === 1 ? (parts[0] as string) : parts.join("");
    parts = [];
    pending = 0;
    if (stream.write(chunk)) return undefined;
    return new Promise<void>((resolve, reject) => {
      waiting = { resolve, reject };
    });
  }

  return {
    path,
    write(text) {
      parts.push(text);
      pending += text.length;
      return pending >= CHUNK ? flush() : undefined;
    },
    async end() {
      await flush();
      if (failure) throw failure;
      stream.end();
      await once(stream, "finish");
      if (failure) throw failure;
    },
  };
}
