import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '@convlab/nn';
import {
  barChart,
  busyNote,
  createProgress,
  formatMarkdownSuite,
  formatReport,
  lineChart,
  measureInterleaved,
  measureInterleavedAsync,
  registerSuite,
  reportCharts,
  resolveSuites,
  runBench,
  suiteNames,
  summarize,
  type BenchReport,
  type BenchRow,
} from '@convlab/bench';

const timing = (ms: number) => summarize([ms, ms * 1.1, ms * 0.9]);

function report(rows: BenchRow[]): BenchReport {
  return {
    format: 'convlab-bench/1',
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20', platform: 'linux x64', commit: 'abc1234', date: '2026-01-01T00:00:00Z' },
    options: { what: ['t'], batch: 500, repeat: 3, warmup: 1, peers: false, tiny: false },
    loadBefore: [0.5, 0.4, 0.3],
    loadAfter: [1.5, 0.6, 0.4],
    suites: [{ name: 't', description: 'a test suite', rows, seconds: 1.5 }],
  };
}

describe('harness', () => {
  it('runs warm-ups, then rounds in order A B A B, and summarizes each case', () => {
    const order: string[] = [];
    const events: string[] = [];
    const t = measureInterleaved(
      { a: () => order.push('a'), b: () => order.push('b') },
      { warmup: 1, repeat: 2, onRun: (e) => events.push(`${e.phase}:${e.name}:${e.round}/${e.rounds}`) },
    );
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(events).toEqual(['warmup:a:1/1', 'warmup:b:1/1', 'timed:a:1/2', 'timed:b:1/2', 'timed:a:2/2', 'timed:b:2/2']);
    expect(t.a.times).toHaveLength(2);
    expect(t.b.min).toBeLessThanOrEqual(t.b.max);
  });

  it('the async form awaits each run and times only run, not prepare', async () => {
    const order: string[] = [];
    const t = await measureInterleavedAsync(
      {
        slowPrepare: {
          prepare: () => new Promise((resolve) => setTimeout(resolve, 30)),
          run: () => order.push('p'),
        },
        plain: () => order.push('q'),
      },
      { warmup: 0, repeat: 2 },
    );
    expect(order).toEqual(['p', 'q', 'p', 'q']);
    expect(t.slowPrepare.max).toBeLessThan(25);
  });

  it('summarize gives the median of an even count as the mean of the middle two', () => {
    expect(summarize([4, 1, 3, 2])).toMatchObject({ median: 2.5, min: 1, max: 4 });
  });

  it('rejects a repeat or warm-up that is not a count', () => {
    expect(() => measureInterleaved({ a: () => 0 }, { repeat: 0 })).toThrow('repeat must be a positive integer, got 0');
    expect(() => measureInterleaved({ a: () => 0 }, { warmup: -1 })).toThrow('warmup must be a non-negative integer, got -1');
  });
});

describe('runner', () => {
  it('knows the suites by name and names the unknown ones', () => {
    expect(suiteNames()).toContain('lecture');
    expect(resolveSuites(['lecture', 'lecture']).map((s) => s.name)).toEqual(['lecture']);
    expect(() => resolveSuites(['lecture', 'nope', 'zap'])).toThrow(/unknown benchmark "nope", "zap"; known: .*lecture/);
  });

  it('a suite that throws is recorded with its message and the run goes on', async () => {
    registerSuite({
      name: 'broken-for-test',
      description: 'throws',
      run: () => {
        throw new Error('conv2d: boom');
      },
    });
    const r = await runBench({ what: ['broken-for-test'], repeat: 1 });
    expect(r.suites).toHaveLength(1);
    expect(r.suites[0]).toMatchObject({ name: 'broken-for-test', rows: [], error: 'conv2d: boom' });
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(() => registerSuite({ name: 'broken-for-test', description: '', run: () => [] })).toThrow('already registered');
  });

  it("keeps the lecture's seconds at the lecture's batch (500) and drops them at any other", async () => {
    registerSuite({
      name: 'lecture-figures-for-test',
      description: 'one row with a lecture figure',
      run: () => [{ operation: 'forward conv, layer 1', strategy: 'fft', timing: timing(5), lectureSeconds: 1.069 }],
    });
    const at500 = await runBench({ what: ['lecture-figures-for-test'], batch: 500, repeat: 1 });
    expect(at500.suites[0]!.rows[0]!.lectureSeconds).toBe(1.069);
    expect(formatReport(at500)).not.toMatch(/lecture figures hidden/);
    const at64 = await runBench({ what: ['lecture-figures-for-test'], batch: 64, repeat: 1 });
    expect(at64.suites[0]!.rows[0]).not.toHaveProperty('lectureSeconds');
    expect(formatReport(at64)).toMatch(/lecture figures hidden: the lecture timed batch 500, this run batch 64/);
    expect(reportCharts(at64)[0]!.svg).toMatch(/lecture figures hidden/);
  });

  it('rejects non-positive numbers before running anything', async () => {
    await expect(runBench({ what: ['lecture'], batch: 0 })).rejects.toThrow('--batch must be a positive integer, got 0');
    await expect(runBench({ what: ['lecture'], repeat: 2.5 })).rejects.toThrow('--repeat must be a positive integer, got 2.5');
  });
});

describe('table', () => {
  it('lists each operation with ratios to its first strategy and the lecture beside ours', () => {
    const text = formatReport(
      report([
        { operation: 'forward conv, layer 2', strategy: 'loop', timing: timing(2000), lectureSeconds: 25.1 },
        { operation: 'forward conv, layer 2', strategy: 'fft', timing: timing(250), lectureSeconds: 1.435, maxRelDiff: 3e-7, flops: 2e9 },
      ]),
    );
    expect(text).toMatch(/Test CPU, 2 cores, 4 GiB, Node v20, linux x64, commit abc1234/);
    expect(text).toMatch(/load average 0.50 0.40 0.30 before, 1.50 0.60 0.40 after/);
    const fft = text.split('\n').find((l) => l.trim().startsWith('fft'))!;
    // 2 s / 0.25 s = 8x ours; 25.1 / 1.435 = 17.5x the lecture's; 2 GFLOP in 0.25 s.
    expect(fft).toMatch(/^\s+fft\s+0\.2500\s+0\.2250\s+0\.2750\s+3\s+8\.00x\s+1\.435\s+17\.5x\s+8\.00\s+max rel diff 3\.0e-7$/);
  });

  it('shows a skipped case as skipped, with its reason, and draws no bar for it', () => {
    const r = report([
      { operation: 'op', strategy: 'ours', timing: timing(100) },
      { operation: 'op', strategy: 'peer', timing: summarize([NaN]), skipped: 'not installed' },
    ]);
    const line = formatReport(r).split('\n').find((l) => l.trim().startsWith('peer'))!;
    expect(line).toMatch(/^\s+peer\s+skipped\s+not installed$/);
    const svg = reportCharts(r)[0]!.svg;
    expect(svg).toContain('>ours<');
    expect(svg).not.toContain('>peer<');
  });

  it('writes the same rows as a Markdown table', () => {
    const md = formatMarkdownSuite(
      report([
        { operation: 'conv | layer 2', strategy: 'loop', timing: timing(2000), lectureSeconds: 25.1 },
        { operation: 'conv | layer 2', strategy: 'fft', timing: timing(250), lectureSeconds: 1.435 },
      ]).suites[0]!,
    ).split('\n');
    expect(md[0]).toMatch(/^\| operation \/ strategy \| median s \|/);
    expect(md[2]).toBe('| **conv \\| layer 2** | | | | | | | | |');
    expect(md[4]).toBe('| fft | 0.2500 | 0.2250 | 0.2750 | 3 | 8.00x | 1.435 | 17.5x |  |');
  });

  it('says when the machine was busy, from the load average', () => {
    expect(busyNote(2, [0.5, 0.4, 0.3], [1.4, 0.6, 0.4])).toBeUndefined();
    expect(busyNote(2, [3.73, 3.5, 4.3], [2.0, 3.5, 4.2])).toMatch(/^measured on a busy machine \(load average up to 3\.73 on 2 cores\)/);
    const r = report([{ operation: 'op', strategy: 'a', timing: timing(10) }]);
    r.note = 'measured on a busy machine (x)';
    expect(formatReport(r)).toMatch(/\nnote: measured on a busy machine \(x\)\n/);
  });

  it('reports a failed suite', () => {
    const r = report([]);
    r.suites[0]!.error = 'conv2d: boom';
    expect(formatReport(r)).toMatch(/!! t failed: conv2d: boom/);
  });
});

describe('charts', () => {
  const bars = (loop: number, fast: number) =>
    barChart({
      title: 'forward conv <layer 2> & more',
      bars: [
        { label: 'loop', seconds: loop, min: loop * 0.9, max: loop * 1.2, lectureSeconds: 25.1 },
        { label: 'im2col', seconds: fast },
      ],
    });

  it('writes a standalone SVG with escaped text, one bar per strategy and the lecture figure', () => {
    const svg = bars(2, 0.3);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('forward conv &lt;layer 2&gt; &amp; more');
    expect(svg).not.toMatch(/NaN|undefined|Infinity/);
    expect(svg).toContain('lecture 25.1 s');
    expect(svg).toContain('>loop<');
    expect(svg).toContain('>im2col<');
  });

  it('uses a log scale when the values span more than a factor of 30', () => {
    expect(bars(2, 0.5)).toContain('seconds (log scale)'); // the lecture's 25.1 s is in the span
    const narrow = barChart({ title: 't', bars: [{ label: 'a', seconds: 1 }, { label: 'b', seconds: 3 }] });
    expect(narrow).not.toContain('log scale');
    expect(narrow).toContain('>seconds<');
  });

  it('line charts draw one path per series and the strips beneath', () => {
    const svg = lineChart({
      title: 'time vs kernel size',
      xLabel: 'kernel size',
      series: [
        { name: 'direct', points: [{ x: 3, y: 0.001 }, { x: 9, y: 0.01 }] },
        { name: 'fft', points: [{ x: 3, y: 0.004 }, { x: 9, y: 0.004 }] },
      ],
      strips: [
        { label: 'fastest', values: [{ x: 3, series: 'direct' }, { x: 9, series: 'fft' }] },
        { label: 'cost model', values: [{ x: 3, series: 'direct' }, { x: 9, series: 'direct' }] },
      ],
    });
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.match(/<rect [^>]*rx="2"/g)).toHaveLength(4);
    expect(svg).toContain('>cost model<');
    expect(svg).not.toMatch(/NaN|undefined/);
  });

  it('line charts take any quantity with yLabel and yFormat (training curves)', () => {
    const svg = lineChart({
      title: 'curves',
      xLabel: 'epoch',
      yLabel: 'loss, error',
      yFormat: (y) => `${y}!`,
      series: [{ name: 'training loss', points: [{ x: 1, y: 0.8 }, { x: 2, y: 0.3 }] }],
    });
    expect(svg).toContain('>loss, error<');
    expect(svg).toContain('>0.8!<');
    expect(svg).not.toContain('seconds');
    const wide = lineChart({ title: 't', xLabel: 'epoch', yLabel: 'error', series: [{ name: 'e', points: [{ x: 1, y: 0.5 }, { x: 2, y: 0.005 }] }] });
    expect(wide).toContain('>error (log scale)<');
  });
});

describe('files and progress', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes atomically: the whole new text, no temporary file left, folders created', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const file = path.join(dir, 'a', 'b', 'r.json');
    writeFileAtomic(file, 'first');
    writeFileAtomic(file, 'second');
    expect(readFileSync(file, 'utf8')).toBe('second');
    expect(readdirSync(path.dirname(file))).toEqual(['r.json']);
  });

  it('a failed write leaves the old file as it was', () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const file = path.join(dir, 'r.json');
    writeFileSync(file, 'old');
    // A directory in the way of the rename makes it fail.
    expect(() => writeFileAtomic(path.join(dir, '.'), 'new')).toThrow();
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('shows a status line on a terminal and only one line per suite elsewhere', () => {
    const tty: string[] = [];
    const p = createProgress({ write: (t) => tty.push(t), isTTY: true, columns: 60 });
    p.suite('lecture');
    p.update('forward conv: loop (run 1/3)');
    p.done();
    expect(tty.every((t) => t.startsWith('\r\x1b[K'))).toBe(true);
    expect(tty[1]).toMatch(/\[\d+\.\d s\] lecture: forward conv: loop \(run 1\/3\)/);
    expect(tty.at(-1)).toBe('\r\x1b[K');

    const log: string[] = [];
    const q = createProgress({ write: (t) => log.push(t), isTTY: false });
    q.suite('lecture');
    q.update('forward conv: loop (run 1/3)');
    q.done();
    expect(log).toEqual(['bench: running lecture\n']);
  });
});
