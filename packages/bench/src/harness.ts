import { execSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

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
  const names = Object.keys(cases) as K[];
  for (let w = 0; w < warmup; w++) for (const name of names) cases[name]();
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < repeat; r++) {
    for (const name of names) {
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
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { stdio: ['ignore', 'pipe', 'ignore'] })
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
