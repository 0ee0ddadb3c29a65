import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { machineInfo } from './harness.js';
import { silentProgress, type Progress } from './progress.js';
import { allSuites, findSuite, suiteNames } from './registry.js';
import { LECTURE_BATCH } from './lecture-table.js';
import { busyNote, type BenchReport, type SuiteResult } from './report.js';
import type { BenchContext, BenchRow, BenchSuite } from './suite.js';

/** The suites `convlab bench` runs when no name is given: the lecture's table, about a minute at batch 500. */
export const DEFAULT_SUITES: readonly string[] = ['lecture'];

export interface RunOptions {
  /** Suite names; empty or absent: the default set. */
  what?: readonly string[];
  batch?: number;
  repeat?: number;
  warmup?: number;
  /** Run the slow peer cases too (and the peers suite, when it was not named). */
  peers?: boolean;
  /** Smoke-test scale (see BenchContext.tiny). */
  tiny?: boolean;
  progress?: Progress;
}

/** Checks the numbers of a run; the message names the option and the value. */
export function checkRunOptions(options: RunOptions): void {
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new Error(`bench: --${name} must be a positive integer, got ${value}`);
    }
  };
  positive('batch', options.batch);
  positive('repeat', options.repeat);
  if (options.warmup !== undefined && !(Number.isInteger(options.warmup) && options.warmup >= 0)) {
    throw new Error(`bench: --warmup must be a non-negative integer, got ${options.warmup}`);
  }
}

/** The suites named (each once, in the order given), or the default set; unknown names are an error. */
export function resolveSuites(what: readonly string[] = [], peers = false): BenchSuite[] {
  const names = what.length > 0 ? [...new Set(what)] : [...DEFAULT_SUITES];
  if (peers && !names.includes('peers') && findSuite('peers')) names.push('peers');
  const unknown = names.filter((n) => !findSuite(n));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `"${n}"`).join(', ');
    throw new Error(`bench: unknown benchmark ${list}; known: ${suiteNames().join(', ')}`);
  }
  return names.map((n) => findSuite(n)!);
}

/**
 * Runs the named suites one after another and collects their rows with the machine and commit.
 * A suite that throws keeps the rows it returned before (none) and records the error, so one
 * broken suite does not lose a long run; the caller decides how to exit.
 */
export async function runBench(options: RunOptions = {}): Promise<BenchReport> {
  checkRunOptions(options);
  const suites = resolveSuites(options.what ?? [], options.peers ?? false);
  const progress = options.progress ?? silentProgress;
  const context: BenchContext = {
    batch: options.batch ?? 500,
    repeat: options.repeat ?? 5,
    warmup: options.warmup ?? 1,
    progress: (message) => progress.update(message),
    tiny: options.tiny ?? false,
    peers: options.peers ?? false,
  };
  const machine = machineInfo();
  const loadBefore = os.loadavg();
  const results: SuiteResult[] = [];
  for (const suite of suites) {
    progress.suite(suite.name);
    const start = performance.now();
    const result: SuiteResult = { name: suite.name, description: suite.description, rows: [], seconds: 0 };
    try {
      result.rows = lectureFiguresAt(context.batch, await suite.run(context));
    } catch (error) {
      result.error = error instanceof Error ? error.message : String(error);
    }
    result.seconds = (performance.now() - start) / 1000;
    results.push(result);
  }
  progress.done();
  const loadAfter = os.loadavg();
  const note = busyNote(machine.cores, loadBefore, loadAfter);
  return {
    format: 'convlab-bench/1',
    machine,
    options: {
      what: suites.map((s) => s.name),
      batch: context.batch,
      repeat: context.repeat,
      warmup: context.warmup,
      peers: context.peers ?? false,
      tiny: context.tiny ?? false,
    },
    loadBefore,
    loadAfter,
    ...(note ? { note } : {}),
    suites: results,
  };
}

/**
 * The lecture's seconds were measured at batch 500; beside a run at another batch they would
 * read as a speed-up or slow-down that is only the batch size, so such rows drop them.
 */
export function lectureFiguresAt(batch: number, rows: BenchRow[]): BenchRow[] {
  if (batch === LECTURE_BATCH) return rows;
  return rows.map(({ lectureSeconds: _dropped, ...row }) => row);
}

export { allSuites };
