import { describe, expect, it } from 'vitest';
import { allSuites, runBench, type BenchRow } from '@convlab/bench';

/** Every suite at tiny sizes: structure and sane numbers, never timings. */

function expectSaneRow(row: BenchRow): void {
  expect(row.operation.length).toBeGreaterThan(0);
  expect(row.strategy.length).toBeGreaterThan(0);
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
    ]);
    for (const row of suite.rows) {
      if (row.maxRelDiff !== undefined) expect(row.maxRelDiff, `${row.operation}: ${row.strategy}`).toBeLessThan(1e-4);
    }
  });
});
