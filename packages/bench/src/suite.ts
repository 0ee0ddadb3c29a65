import type { Machine, Timing } from './harness.js';

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
  /**
   * Smoke-test scale: suites shrink every shape they do not take from `batch` (sweeps get two
   * points, images a few pixels) so the whole suite runs in about a second. Numbers are then
   * only checked for sanity, never compared.
   */
  tiny?: boolean;
  /** Run the slow peer cases too (TensorFlow.js's pure-JavaScript backend on a training iteration). */
  peers?: boolean;
}

/** One measured case: a strategy for one operation at one shape. */
export interface BenchRow {
  /**
   * The operation and shape, e.g. "forward conv, layer 2 (500x20x12x12 * 50x20x5x5)". Rows of
   * one operation are measured interleaved (A B A B) and listed together; the first is the
   * baseline of their speed-up ratios.
   */
  operation: string;
  /** The strategy, e.g. "loop", "im2col", "fft (reused spectra)". */
  strategy: string;
  timing: Timing;
  /** Floating-point operations of one run, when meaningful, for GFLOP/s. */
  flops?: number;
  /** The lecture's figure for this row, in seconds, when it has one. */
  lectureSeconds?: number;
  note?: string;
  /**
   * A short stable name for the operation ("conv-forward-1"), the same at every batch size: it
   * names the chart file and joins rows across runs. Defaults to a slug of `operation`.
   */
  key?: string;
  /**
   * The largest difference between this strategy's output and the first strategy's output of
   * the same operation, relative to the first output's largest magnitude: proof that the rows
   * compared compute the same thing.
   */
  maxRelDiff?: number;
  /**
   * Why the case did not run (a peer not installed, skipped at smoke-test scale); its timing is
   * then `summarize([NaN])`. Rows with a non-finite median count as not measured either way.
   */
  skipped?: string;
  /** Parameters of a sweep point (kernel size, image size...), for line charts and tools. */
  params?: Record<string, number | string>;
}

/** An SVG chart a suite draws from its own rows. */
export interface BenchChart {
  /** File name without extension, e.g. "crossover-kernel-single". */
  name: string;
  title: string;
  svg: string;
}

export interface BenchSuite {
  /** The name users pass to `convlab bench <name>`. */
  name: string;
  description: string;
  run(context: BenchContext): BenchRow[] | Promise<BenchRow[]>;
  /**
   * Charts for this suite's rows; `where` names the machine, commit and batch, for a subtitle.
   * Without it, the runner draws one bar chart per operation with the strategies side by side.
   */
  charts?(rows: BenchRow[], where?: string): BenchChart[];
  /**
   * Markdown lines the suite's report puts above its table (`benchmarks/report.mjs`): the targets
   * and checks read from the rows, breakdowns the plain table cannot show. `machine` is the
   * machine the rows were measured on (its cores, for the threaded rows).
   */
  summary?(rows: readonly BenchRow[], machine: Machine): string[];
}
