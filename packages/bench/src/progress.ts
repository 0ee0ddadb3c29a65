import { performance } from 'node:perf_hooks';

/** Where progress goes: a writable stream, and whether it is a terminal. */
export interface ProgressTarget {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Progress {
  /** A new suite starts: on a terminal the status line names it; elsewhere one plain line. */
  suite(name: string): void;
  /** What runs now (a status line on a terminal, nothing elsewhere). */
  update(message: string): void;
  /** Clears the status line. */
  done(): void;
}

/**
 * A one-line status display for long loops. On a terminal it rewrites one line in place with
 * the elapsed time of the whole run and the case about to run; when stderr is a file or a
 * pipe it writes only one line per suite, so logs stay readable.
 */
export function createProgress(target: ProgressTarget = process.stderr): Progress {
  const tty = target.isTTY === true;
  const start = performance.now();
  let shown = false;
  let suiteName = '';

  // Every update draws: the case named last is the one running, however long it takes.
  const draw = (message: string): void => {
    const now = performance.now();
    const width = Math.max(20, (target.columns ?? 80) - 1);
    const line = `[${((now - start) / 1000).toFixed(1)} s] ${suiteName}: ${message}`;
    target.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    shown = true;
  };

  return {
    suite(name) {
      suiteName = name;
      if (tty) draw('starting');
      else target.write(`bench: running ${name}\n`);
    },
    update(message) {
      if (tty) draw(message);
    },
    done() {
      if (tty && shown) target.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** A progress display that shows nothing (tests, library use). */
export const silentProgress: Progress = { suite() {}, update() {}, done() {} };
