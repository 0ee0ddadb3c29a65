import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { wasmSimdSupported } from '@convlab/core';
import { allSuites, measured, reportCharts, runBench, type BenchRow } from '@convlab/bench';

/** Every suite at tiny sizes: structure and sane numbers, never timings. */

function expectSaneRow(row: BenchRow, allowSkipped = false): void {
  expect(row.operation.length).toBeGreaterThan(0);
  expect(row.strategy.length).toBeGreaterThan(0);
  if (!measured(row)) {
    // A case that could not run must be allowed to and say why.
    expect(allowSkipped, `${row.operation}: ${row.strategy} was not measured`).toBe(true);
    expect(`${row.skipped ?? ''} ${row.note ?? ''}`).toMatch(/skipped|not installed/);
    return;
  }
  const t = row.timing;
  expect(t.times.length).toBeGreaterThan(0);
  for (const ms of t.times) {
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
  }
  expect(t.min).toBeLessThanOrEqual(t.median);
  expect(t.median).toBeLessThanOrEqual(t.max);
  if (row.flops !== undefined) expect(row.flops).toBeGreaterThan(0);
  if (row.lectureSeconds !== undefined) expect(row.lectureSeconds).toBeGreaterThan(0);
}

describe('bench suites at tiny sizes', () => {
  it('lecture: every row of the lecture table, strategies agreeing', async () => {
    const report = await runBench({ what: ['lecture'], batch: 2, repeat: 1, warmup: 0, tiny: true });
    const suite = report.suites[0]!;
    expect(suite.error).toBeUndefined();
    for (const row of suite.rows) expectSaneRow(row);
    const keys = new Set(suite.rows.map((r) => r.key));
    expect([...keys]).toEqual([
      'conv-forward-1',
      'conv-forward-2',
      'maxpool-forward-1',
      'maxpool-forward-2',
      'pool-delta-2',
      'weight-grad-1',
      'weight-grad-2',
      'training-iteration',
    ]);
    const strategies = (key: string) => suite.rows.filter((r) => r.key === key).map((r) => r.strategy.split(' ')[0]);
    // Every im2col row twice where the runtime has WebAssembly SIMD: pure JavaScript, then SIMD.
    const twice = (name: string) => (wasmSimdSupported() ? [name, name] : [name]);
    expect(strategies('conv-forward-2')).toEqual(['loop', 'direct', ...twice('vectorized'), 'fft']);
    expect(strategies('maxpool-forward-1')).toEqual(['loop', 'vectorized']);
    expect(strategies('pool-delta-2')).toEqual(['loop', 'fft', ...twice('im2col')]);
    expect(strategies('weight-grad-2')).toEqual(['loop', 'fft', ...twice('im2col')]);
    expect(suite.rows.filter((r) => r.key === 'training-iteration').map((r) => r.strategy)).toEqual([
      'spectral, no reuse',
      'spectral, reused spectra',
      'im2col + GEMM',
      ...(wasmSimdSupported() ? ['im2col + GEMM, WebAssembly SIMD'] : []),
    ]);
    // The lecture timed batch 500; at batch 2 its figures are hidden (framework.test.ts checks they stay at 500).
    expect(suite.rows.filter((r) => r.lectureSeconds !== undefined)).toHaveLength(0);
    for (const row of suite.rows) {
      if (row.maxRelDiff !== undefined) expect(row.maxRelDiff, `${row.operation}: ${row.strategy}`).toBeLessThan(1e-4);
    }
  });

  it('peers: convlab beside every installed TensorFlow.js backend, same numbers', async () => {
    // Two runs: the training check compares the losses of two iterations (the second after an SGD step).
    const report = await runBench({ what: ['peers'], batch: 3, repeat: 2, warmup: 0, tiny: true, peers: true });
    const suite = report.suites[0]!;
    expect(suite.error).toBeUndefined();
    for (const row of suite.rows) expectSaneRow(row);
    const keys = [...new Set(suite.rows.map((r) => r.key))];
    expect(keys).toEqual(['conv-forward-1', 'conv-forward-2', 'training-iteration']);
    for (const key of keys) {
      const rows = suite.rows.filter((r) => r.key === key);
      expect(rows[0]!.strategy).toMatch(/^convlab/);
      // Installed here as optional dependencies: both backends must show up.
      expect(rows.some((r) => /^tfjs \S+ wasm \((no )?SIMD, \d+ threads?\)$/.test(r.strategy))).toBe(true);
      expect(rows.some((r) => /^tfjs \S+ cpu$/.test(r.strategy))).toBe(true);
      for (const row of rows.slice(1)) expect(row.maxRelDiff, row.strategy).toBeLessThan(1e-4);
    }
    const threads = os.availableParallelism();
    expect(suite.rows.filter((r) => r.key === 'training-iteration').map((r) => r.strategy.replace(/ \(.*/, ''))).toEqual([
      'convlab im2col',
      'convlab spectral, reused spectra',
      ...(threads > 1 ? [`convlab auto, ${threads} threads`] : []),
      'tfjs 4.22.0 wasm',
      'tfjs 4.22.0 cpu',
    ]);
  });

  it('crossover: every sweep point with each strategy, and its line charts', async () => {
    const report = await runBench({ what: ['crossover'], batch: 2, repeat: 1, warmup: 0, tiny: true });
    const suite = report.suites[0]!;
    expect(suite.error).toBeUndefined();
    for (const row of suite.rows) expectSaneRow(row);
    const points = new Set(suite.rows.map((r) => `${r.params!.sweep}/${r.params!.scale}/${r.params!.kernel}/${r.params!.image}`));
    expect([...points]).toEqual([
      'kernel/single/3/8',
      'kernel/single/5/8',
      'image/single/3/8',
      'image/single/3/12',
      'kernel/batched/3/8',
      'kernel/batched/5/8',
      'image/batched/3/8',
      'image/batched/3/12',
      'kernel/rgb/3/8',
      'kernel/rgb/5/8',
      'image/rgb/3/8',
      'image/rgb/3/12',
    ]);
    for (const op of new Set(suite.rows.map((r) => r.operation))) {
      const rows = suite.rows.filter((r) => r.operation === op);
      expect(rows.map((r) => r.strategy)).toEqual(STRATEGIES);
      for (const row of rows.slice(1)) expect(row.maxRelDiff, `${op} ${row.strategy}`).toBeLessThan(1e-4);
    }
    const charts = reportCharts(report);
    expect(charts.map((c) => c.name)).toEqual([
      'crossover-kernel-single',
      'crossover-kernel-batched',
      'crossover-kernel-rgb',
      'crossover-image-single',
      'crossover-image-batched',
      'crossover-image-rgb',
    ]);
    for (const c of charts) {
      expect(c.svg).toContain('fastest here');
      expect(c.svg).toContain('chooseConvMethod');
    }
    for (const row of suite.rows) expect(['direct', 'im2col', 'fft']).toContain(row.params!.chosen);
  });
});

const STRATEGIES = ['direct', 'im2col', 'fft'];

describe('the other suites at tiny sizes', () => {
  for (const name of ['gemm-conv2d', 'fft', 'iteration']) {
    it(`${name}: rows with sane numbers`, async () => {
      const report = await runBench({ what: [name], batch: 2, repeat: 1, warmup: 0, tiny: true });
      const suite = report.suites[0]!;
      expect(suite.error).toBeUndefined();
      expect(suite.rows.length).toBeGreaterThan(0);
      for (const row of suite.rows) expectSaneRow(row, true);
    });
  }

  it('every registered suite has a smoke test here', () => {
    expect(allSuites().map((s) => s.name).sort()).toEqual(['crossover', 'fft', 'gemm-conv2d', 'iteration', 'lecture', 'peers']);
  });
});

