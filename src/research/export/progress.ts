import cliProgress from "cli-progress";

/**
 * Progress of a long export or analysis: a bar on a terminal, plain lines
 * ("export csv: 250000/1000000 assessments (25%)") when stderr is a file or
 * a pipe, so logs stay readable. Ticks are cheap: the bar redraws on its own
 * timer and plain lines are printed only at every 10%.
 */
export interface Progress {
  tick(count?: number): void;
  done(): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Force plain lines or a bar; default: a bar when the stream is a TTY. */
  tty?: boolean;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? "assessments";
  const total = Math.max(0, options.total);
  let value = 0;
  if (options.tty ?? stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: `${options.label} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`,
        hideCursor: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      tick(count = 1) {
        value += count;
        bar.update(value);
      },
      done() {
        bar.update(Math.max(value, total));
        bar.stop();
      },
    };
  }
  let nextReport = total / 10;
  const line = () => {
    const percent = total > 0 ? Math.round((value / total) * 100) : 100;
    stream.write(`${options.label}: ${value}/${total} ${unit} (${percent}%)\n`);
  };
  return {
    tick(count = 1) {
      value += count;
      if (total > 0 && value >= nextReport && value < total) {
        line();
        while (nextReport <= value) nextReport += total / 10;
      }
    },
    done() {
      line();
    },
  };
}

/** A progress that prints nothing (tests, --quiet). */
export const silentProgress: Progress = { tick() {}, done() {} };
