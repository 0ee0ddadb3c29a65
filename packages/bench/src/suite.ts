import type { Timing } from './harness.js';

/** What every benchmark suite receives from `convlab bench`. */
export interface BenchContext {
  /** Batch size for the lecture's shapes (500 in the lecture). */
  batch: number;
  /** Timed repetitions per case. */
  repeat: number;
  /** Untimed warm-up runs per case. */
  warmup: number;
  /** Reports progress while a long case runs (a status line on a terminal). */
  progress: (message: string) => void;
}

/** One measured case: a strategy for one operation at one shape. */
export interface BenchRow {
  /** The operation and shape, e.g. "forward conv, layer 2 (500x20x12x12 * 50x20x5x5)". */
  operation: string;
  /** The strategy, e.g. "loop", "im2col", "fft (reused spectra)". */
  strategy: string;
  timing: Timing;
  /** Floating-point operations of one run, when meaningful, for GFLOP/s. */
  flops?: number;
  /** The lecture's figure for this row, in seconds, when it has one. */
  lectureSeconds?: number;
  note?: string;
}

export interface BenchSuite {
  /** The name users pass to `convlab bench <name>`. */
  name: string;
  description: string;
  run(context: BenchContext): BenchRow[] | Promise<BenchRow[]>;
}
