import type { Machine } from './harness.js';
import type { BenchRow } from './suite.js';

/** What one suite measured. */
export interface SuiteResult {
  name: string;
  description: string;
  rows: BenchRow[];
  /** Wall time of the whole suite, warm-up included. */
  seconds: number;
  /** Set when the suite failed part-way; its rows are those measured before. */
  error?: string;
}

/** A whole `convlab bench` run, as written to `--json`. */
export interface BenchReport {
  format: 'convlab-bench/1';
  machine: Machine;
  options: { what: string[]; batch: number; repeat: number; warmup: number; peers: boolean; tiny: boolean };
  /** One-, five- and fifteen-minute load averages before and after: a busy machine shows here. */
  loadBefore: number[];
  loadAfter: number[];
  /** Set when the machine was busy while measuring (see `busyNote`). */
  note?: string;
  suites: SuiteResult[];
}

/**
 * A warning for results measured on a busy machine: a one-minute load average above three
 * quarters of the cores, before or after, means other jobs competed for them.
 */
export function busyNote(cores: number, loadBefore: readonly number[], loadAfter: readonly number[]): string | undefined {
  const load = Math.max(loadBefore[0] ?? 0, loadAfter[0] ?? 0);
  if (!(load > 0.75 * cores)) return undefined;
  return (
    `measured on a busy machine (load average up to ${load.toFixed(2)} on ${cores} cores): ` +
    'compare strategies within an operation (they were interleaved); absolute times are indicative'
  );
}

/** Rows grouped by operation, in first-seen order. */
export function groupByOperation(rows: readonly BenchRow[]): Array<{ operation: string; key: string; rows: BenchRow[] }> {
  const groups = new Map<string, { operation: string; key: string; rows: BenchRow[] }>();
  for (const row of rows) {
    let group = groups.get(row.operation);
    if (!group) {
      group = { operation: row.operation, key: row.key ?? slug(row.operation), rows: [] };
      groups.set(row.operation, group);
    }
    group.rows.push(row);
  }
  return [...groups.values()];
}

/** Whether a row holds a measurement (not skipped, a finite median). */
export function measured(row: BenchRow): boolean {
  return row.skipped === undefined && Number.isFinite(row.timing.median) && row.timing.median > 0;
}

/** Speed-up of `row` over the first row of its operation (above 1: faster), from interleaved medians. */
export function speedup(baseline: BenchRow, row: BenchRow): number {
  return baseline.timing.median / row.timing.median;
}

/** The lecture's ratio between the same two strategies, when it has both figures. */
export function lectureSpeedup(baseline: BenchRow, row: BenchRow): number | undefined {
  if (baseline.lectureSeconds === undefined || row.lectureSeconds === undefined) return undefined;
  return baseline.lectureSeconds / row.lectureSeconds;
}

export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/\(.*?\)/g, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'chart'
  );
}
