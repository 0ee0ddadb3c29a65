import { execSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** Timing of one case: every repetition in milliseconds, and their median, min and max. */
export interface Timing {
  times: number[];
  median: number;
  min: number;
  max: number;
}

export interface MeasureOptions {
  /** Untimed runs first, so the JIT has compiled the hot paths (default 1). */
  warmup?: number;
  /** Timed runs (default 5). */
  repeat?: number;
  /** Called before every run, warm-up included, e.g. to update a status line. */
  onRun?: (event: RunEvent) => void;
}

/** Which run of which case is about to start. */
export interface RunEvent {
  name: string;
  /** 'warmup' runs are untimed. */
  phase: 'warmup' | 'timed';
  /** 1-based round within the phase, and the number of rounds. */
  round: number;
  rounds: number;
}

export function summarize(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { times, median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Times `fn` alone: warm-up runs, then `repeat` timed runs. */
export function measure(fn: () => unknown, options: MeasureOptions = {}): Timing {
  return measureInterleaved({ only: fn }, options).only!;
}

/**
 * Times several cases in rounds A B C, A B C, ... so that drift of a noisy machine falls on every
 * case alike; ratios between the returned medians are fair comparisons.
 */
export function measureInterleaved<K extends string>(
  cases: Record<K, () => unknown>,
  options: MeasureOptions = {},
): Record<K, Timing> {
  const warmup = options.warmup ?? 1;
  const repeat = options.repeat ?? 5;
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`measure: repeat must be a positive integer, got ${repeat}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`measure: warmup must be a non-negative integer, got ${warmup}`);
  const names = Object.keys(cases) as K[];
  const onRun = options.onRun;
  for (let w = 0; w < warmup; w++) {
    for (const name of names) {
      onRun?.({ name, phase: 'warmup', round: w + 1, rounds: warmup });
      cases[name]();
    }
  }
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < repeat; r++) {
    for (const name of names) {
      onRun?.({ name, phase: 'timed', round: r + 1, rounds: repeat });
      const start = performance.now();
      cases[name]();
      times[name].push(performance.now() - start);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(times[n])])) as Record<K, Timing>;
}

/** What a result was measured on. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  commit: string;
  date: string;
}

export function machineInfo(): Machine {
  let commit = 'unknown';
  // Ask git where this code lives, not where the command was started.
  const git = { stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'], cwd: fileURLToPath(new URL('.', import.meta.url)) };
  try {
    commit = execSync('git rev-parse --short HEAD', git).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', git)
      .toString()
      .trim();
    if (dirty) commit += '+dirty';
  } catch {
    // Not a git checkout (an installed package): the commit stays unknown.
  }
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    commit,
    date: new Date().toISOString(),
  };
}

/** A case with an untimed step before each run (switching a library's backend, say). */
export interface PreparedCase {
  /** Runs before every run of `run`, outside the timed span. */
  prepare?: () => unknown;
  run: () => unknown;
}

/**
 * `measureInterleaved` for cases that may be asynchronous or need an untimed step before each
 * run: promises returned by `prepare` and `run` are awaited, and only `run` is timed.
 */
export async function measureInterleavedAsync<K extends string>(
  cases: Record<K, PreparedCase | (() => unknown)>,
  options: MeasureOptions = {},
): Promise<Record<K, Timing>> {
  const warmup = options.warmup ?? 1;
  const repeat = options.repeat ?? 5;
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`measure: repeat must be a positive integer, got ${repeat}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`measure: warmup must be a non-negative integer, got ${warmup}`);
  const names = Object.keys(cases) as K[];
  const asCase = (c: PreparedCase | (() => unknown)): PreparedCase => (typeof c === 'function' ? { run: c } : c);
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  const phases: Array<['warmup' | 'timed', number]> = [
    ['warmup', warmup],
    ['timed', repeat],
  ];
  for (const [phase, rounds] of phases) {
    for (let r = 0; r < rounds; r++) {
      for (const name of names) {
        const c = asCase(cases[name]);
        options.onRun?.({ name, phase, round: r + 1, rounds });
        await c.prepare?.();
        const start = performance.now();
        await c.run();
        const elapsed = performance.now() - start;
        if (phase === 'timed') times[name].push(elapsed);
      }
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(times[n])])) as Record<K, Timing>;
}
