import { describe, expect, it } from 'vitest';
import {
  checkBenchReport,
  findSuite,
  formatMarkdownReport,
  formatMarkdownTable,
  formatMs,
  summarize,
  type BenchReport,
  type BenchRow,
  type BenchSuite,
  type Machine,
} from '@convlab/bench';

/** A timing whose median is `ms` and whose fastest run is 0.9 ms of it. */
const timing = (ms: number) => summarize([ms, ms * 1.1, ms * 0.9]);
const machine: Machine = { cpu: 'Test CPU', cores: 2, memoryGiB: 8, node: 'v20.0.0', platform: 'linux x64', commit: 'abc1234', date: '2026-01-01T00:00:00.000Z' };

function report(name: string, rows: BenchRow[], load: number[] = [0.2, 0.3, 0.4]): BenchReport {
  return {
    format: 'convlab-bench/1',
    machine,
    options: { what: [name], batch: 500, repeat: 7, warmup: 2, peers: false, tiny: false },
    loadBefore: load,
    loadAfter: load,
    suites: [{ name, description: 'what it measures', seconds: 12.4, rows }],
  };
}

const summaryOf = (name: string, rows: BenchRow[]) => findSuite(name)!.summary!(rows, machine).join('\n');

describe('Markdown report', () => {
  it('writes milliseconds with four significant digits and microseconds below 0.1 ms', () => {
    expect(formatMs(1234.56)).toBe('1235');
    expect(formatMs(134.567)).toBe('134.6');
    expect(formatMs(1.5)).toBe('1.500');
    expect(formatMs(0.00812)).toBe('8.12 µs');
    expect(formatMs(NaN)).toBe('');
  });

  it('tables each operation with speed-up over its first strategy, GFLOP/s from the median, skipped rows and escaped pipes', () => {
    const rows: BenchRow[] = [
      { operation: 'GEMM (a|b)', strategy: 'blocked', timing: timing(100), flops: 4e8 },
      { operation: 'GEMM (a|b)', strategy: 'loop', timing: timing(400), flops: 4e8, maxRelDiff: 1.5e-7, note: 'slow' },
      { operation: 'GEMM (a|b)', strategy: 'peer', timing: summarize([NaN]), skipped: 'not installed' },
    ];
    const lines = formatMarkdownTable({ name: 'x', description: 'd', seconds: 1, rows });
    expect(lines[0]).toBe('| operation / strategy | median ms | min ms | max ms | runs | speed-up | GFLOP/s | note |');
    expect(lines[2]).toBe('| **GEMM (a\\|b)** |  |  |  |  |  |  |  |');
    // 4e8 operations in 100 ms: 4 GFLOP/s; in 400 ms: 1.
    expect(lines[3]).toBe('| blocked | 100.0 | 90.00 | 110.0 | 3 | 1.00x | 4.00 |  |');
    expect(lines[4]).toBe('| loop | 400.0 | 360.0 | 440.0 | 3 | 0.25x | 1.00 | slow; max rel diff 1.5e-7 |');
    expect(lines[5]).toBe('| peer | skipped |  |  |  |  |  | skipped: not installed |');
  });

  it('leaves out the GFLOP/s column when no row counts its operations, and adds the lecture column when one has it', () => {
    const plain = formatMarkdownTable({ name: 'x', description: 'd', seconds: 1, rows: [{ operation: 'op', strategy: 's', timing: timing(5) }] });
    expect(plain[0]).toBe('| operation / strategy | median ms | min ms | max ms | runs | speed-up | note |');
    const lecture = formatMarkdownTable({ name: 'x', description: 'd', seconds: 1, rows: [{ operation: 'op', strategy: 's', timing: timing(5), lectureSeconds: 1.25 }] });
    expect(lecture[0]).toBe('| operation / strategy | median ms | min ms | max ms | runs | speed-up | lecture s | note |');
    expect(lecture[3]).toBe('| s | 5.000 | 4.500 | 5.500 | 3 | 1.00x | 1.25 |  |');
  });

  it('says how to re-run, where and under what load it was measured, then the suite summary and the table', () => {
    const suite: BenchSuite = { name: 'demo', description: 'a demo', run: () => [], summary: (rows, m) => [`${rows.length} rows on ${m.cores} cores`] };
    const busy = { ...report('demo', [{ operation: 'op', strategy: 's', timing: timing(5) }], [3.1, 2, 1]), note: 'measured on a busy machine' };
    const text = formatMarkdownReport(busy, { source: 'benchmarks/demo/results.json', suites: [suite] });
    expect(text).toContain('# Benchmark: demo\n\nWhat it measures.\n');
    expect(text).toContain('npx convlab bench demo --batch 500 --repeat 7 --warmup 2 --no-charts --json benchmarks/demo/results.json\nnode benchmarks/report.mjs benchmarks/demo/results.json\n');
    expect(text).toContain('Measured on Test CPU, 2 cores, 8 GiB, Node v20.0.0, linux x64, commit abc1234, 2026-01-01T00:00:00.000Z; batch 500, 2 warm-up + 7 timed runs');
    expect(text).toContain('Load average 3.10 / 2.00 / 1.00 before and 3.10 / 2.00 / 1.00 after (1 / 5 / 15 min) on 2 cores.');
    expect(text).toContain('**Note: measured on a busy machine.**');
    expect(text.indexOf('1 rows on 2 cores')).toBeLessThan(text.indexOf('## All measurements (12 s)'));
    expect(text).toContain('| s | 5.000 | 4.500 | 5.500 | 3 | 1.00x |  |');
    expect(text).not.toMatch(/\n\n\n/);
  });

  it('says when the load average was not recorded, and reports a failed suite', () => {
    const old = report('demo', [], []);
    old.suites[0]!.error = 'out of memory';
    const text = formatMarkdownReport(old, { source: 'r.json', suites: [] });
    expect(text).toContain('The load average was not recorded for this run.');
    expect(text).toContain('**demo failed:** out of memory');
  });

  it('accepts only convlab-bench/1 results files, naming the file', () => {
    expect(() => checkBenchReport({ suite: 'fft', rows: [] }, 'old.json')).toThrow('report: old.json is not a convlab-bench/1 results file (format none)');
    expect(() => checkBenchReport({ format: 'other/2' }, 'x.json')).toThrow('(format "other/2")');
    expect(() => checkBenchReport({ format: 'convlab-bench/1', machine }, 'x.json')).toThrow('report: x.json lacks its machine, options or suites');
    const good = report('demo', []);
    expect(checkBenchReport(JSON.parse(JSON.stringify(good)), 'x.json')).toEqual(good);
  });
});

describe('suite summaries', () => {
  it('gemm-conv2d: the float32 GEMM target from the median GFLOP/s of both products', () => {
    const rows: BenchRow[] = [
      { operation: 'GEMM float32, fully connected (500x800 * 800x500)', strategy: 'blocked GEMM', timing: timing(80), flops: 4e8 },
      { operation: 'GEMM float32, fully connected (500x800 * 800x500)', strategy: 'reference triple loop', timing: timing(800), flops: 4e8 },
      { operation: 'GEMM, conv layer 2 (50x500 * 500x32000)', strategy: 'blocked GEMM float32', timing: timing(400), flops: 1.6e9 },
    ];
    expect(summaryOf('gemm-conv2d', rows)).toContain(
      'Measured (median): 5.00 GFLOP/s on fully connected (500x800 * 800x500); 4.00 GFLOP/s on conv layer 2 (50x500 * 500x32000): met.',
    );
    rows[2]!.timing = timing(500);
    expect(summaryOf('gemm-conv2d', rows)).toContain('3.20 GFLOP/s on conv layer 2 (50x500 * 500x32000): NOT met.');
  });

  it('fft: reuse vs im2col on layer 2, the 32x32 transform in µs, and the cost model against the fastest', () => {
    const rows: BenchRow[] = [
      { operation: 'fft: forward conv, layer 2', key: 'fft-forward-2', strategy: 'fft, reused spectra', timing: timing(100) },
      { operation: 'fft: forward conv, layer 2', key: 'fft-forward-2', strategy: 'im2col + GEMM', timing: timing(300) },
      { operation: 'fft: real 2-D FFT of 32x32, per transform', key: 'fft-rfft2-32', strategy: 'rfft2, rows paired', timing: timing(0.0105) },
      { operation: 'fft: cost model check, big (1x1 * 1x1)', key: 'fft-choice-big', strategy: 'direct', timing: timing(50), note: 'the model picks fft' },
      { operation: 'fft: cost model check, big (1x1 * 1x1)', key: 'fft-choice-big', strategy: 'fft', timing: timing(20), note: 'the model picks fft' },
    ];
    const text = summaryOf('fft', rows);
    expect(text).toContain('300.0 ms / 100.0 ms = **3.00x** (target 3x: met)');
    expect(text).toContain('**10.50 µs** a transform, median (fastest run 9.45 µs; target 10 µs: met by the fastest run only)');
    expect(text).toContain('- Cost model, big (1x1 * 1x1): picks fft, fastest measured fft: right.');
  });

  it('iteration: threads vs one thread, the training memory, and one breakdown table per step', () => {
    const it1 = (ms: number, cpuMs: number, extra: Record<string, number> = {}): Partial<BenchRow> => ({ timing: timing(ms), params: { threads: 1, cpuMs, ...extra } });
    const rows: BenchRow[] = [
      { operation: 'iteration', key: 'iteration', strategy: 'nn lenet5 (auto), 1 thread', ...it1(600, 600, { trainingPeakRssMB: 700 }), flops: 6e9 } as BenchRow,
      { operation: 'iteration', key: 'iteration', strategy: 'nn lenet5 (auto), 2 threads', timing: timing(300), params: { threads: 2, cpuMs: 660 }, note: 'x; training process memory not measured (no MNIST)' },
      { operation: 'per layer: conv1 forward', strategy: 'nn lenet5 (auto), 1 thread', timing: timing(10), flops: 2e7 },
      { operation: 'per layer: conv1 forward', strategy: 'nn lenet5 (auto), 2 threads', timing: timing(5), flops: 2e7 },
      { operation: 'per layer: SGD update', strategy: 'nn lenet5 (auto), 1 thread', timing: timing(2) },
      { operation: 'per layer: SGD update', strategy: 'nn lenet5 (auto), 2 threads', timing: timing(1) },
    ];
    const text = summaryOf('iteration', rows);
    expect(text).toContain('one iteration on 2 threads **0.300 s** median');
    expect(text).toContain('(target 0.35 s: met); 1 thread 0.600 s median');
    expect(text).toContain('Speed-up **2.00x** median, 2.00x best runs (target 1.7x: met)');
    expect(text).toContain('the threading costs 10% more work');
    expect(text).toContain('on 1 thread, pure JavaScript: **700 MB** (target < 800 MB: met)');
    expect(text).toContain('on 2 threads, pure JavaScript: not measured (no MNIST)');
    expect(text).toContain('### nn lenet5 (auto)\n\n| phase: median ms (GFLOP/s) | 1 thread | 2 threads |');
    expect(text).toContain('| conv1 forward | 10.0 (2.00) | 5.0 (4.00) |');
    expect(text).toContain('| **update** | 2.0 | 1.0 |');
  });

  it('iteration: the SIMD step against the issue 15 targets, PyTorch and TensorFlow.js in the same run', () => {
    const row = (strategy: string, ms: number, threads: number, extra: Partial<BenchRow> = {}): BenchRow =>
      ({ operation: 'iteration', key: 'iteration', strategy, timing: timing(ms), params: { threads }, ...extra }) as BenchRow;
    const rows: BenchRow[] = [
      row('nn lenet5 (auto), WebAssembly SIMD (FMA), 1 thread', 400, 1),
      row('nn lenet5 (auto), WebAssembly SIMD (FMA), 2 threads', 200, 2),
      row('tfjs 4.22.0 wasm (SIMD, 1 thread)', 1300, 1),
      row('pytorch cpu, 2 threads (torch 1.13.0a0)', 400, 2),
      { operation: 'GEMM', key: 'gemm-fc', strategy: 'gemmInto, WebAssembly SIMD (FMA)', timing: timing(20), flops: 4e8 } as BenchRow,
    ];
    const text = summaryOf('iteration', rows);
    expect(text).toContain('The SIMD targets (issue 15): 6.50x TensorFlow.js wasm (target 6x: met); an epoch of steps about 20 s (target 25 s with evaluation: met).');
    expect(text).toContain("convlab's step takes **0.50x** PyTorch's (target 0.8x or less: met)");
    expect(text).toContain('- pytorch cpu, 2 threads (torch 1.13.0a0): 0.400 s median');
    expect(text).toContain('GEMM on one core, WebAssembly SIMD (FMA): **20.00 GFLOP/s** median');
  });
});
