import type { Machine } from '../harness.js';
import type { BenchRow } from '../suite.js';

// The iteration suite's report: its targets on this 2-core machine (an iteration in 0.35 s or
// less on all threads, all threads 1.7x one thread or more, 3x TensorFlow.js wasm, GEMM at
// 5 GFLOP/s a core, a training process under 800 MB), then where the time goes per layer.

const fixed = (v: number | undefined, digits: number) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));
const seconds3 = (ms: number) => (ms / 1000).toFixed(3);
const verdict = (ok: boolean) => (ok ? 'met' : '**NOT met**');
const gflops = (row: BenchRow, t = row.timing.median) => (row.flops && Number.isFinite(t) ? row.flops / (t * 1e6) : undefined);
const param = (row: BenchRow, name: string) => (typeof row.params?.[name] === 'number' ? (row.params[name] as number) : undefined);
/** A strategy without its thread count: the step it runs. */
const family = (strategy: string) => strategy.replace(/, (1 thread|\d+ threads)$/, '');

function pairLines(threaded: BenchRow, single: BenchRow, tfjs: BenchRow | undefined, torch: readonly BenchRow[], cores: number): string[] {
  const t = threaded.timing.median;
  const ratio = single.timing.median / t;
  const lines = [
    `- **${family(threaded.strategy)}**: one iteration on ${param(threaded, 'threads') ?? cores} threads **${seconds3(t)} s** median, ` +
      `${seconds3(threaded.timing.min)} s best (target 0.35 s: ${verdict(t <= 350)}${t > 350 ? `, ${(t / 350).toFixed(2)}x over` : ''}); ` +
      `1 thread ${seconds3(single.timing.median)} s median, ${seconds3(single.timing.min)} s best. Speed-up **${ratio.toFixed(2)}x** median, ` +
      `${(single.timing.min / threaded.timing.min).toFixed(2)}x best runs (target 1.7x: ${verdict(ratio >= 1.7)}).`,
  ];
  const cpu1 = param(single, 'cpuMs');
  const cpuN = param(threaded, 'cpuMs');
  if (cpu1 !== undefined && cpuN !== undefined) {
    lines.push(
      `  CPU time a step, all threads together: ${seconds3(cpu1)} s on 1 thread, ${seconds3(cpuN)} s threaded ` +
        `(${workChange(cpuN / cpu1)}); the process got ` +
        `${(cpuN / t).toFixed(2)} cores on average while threaded, ${(cpu1 / single.timing.median).toFixed(2)} on 1 thread.`,
    );
  }
  const busy1 = param(single, 'busiestThreadCpuMs');
  const busyN = param(threaded, 'busiestThreadCpuMs');
  if (busy1 !== undefined && busyN !== undefined) {
    lines.push(
      `  The busiest thread's CPU time a step: ${seconds3(busy1)} s on 1 thread, ${seconds3(busyN)} s threaded: on idle cores ` +
        `a step cannot be shorter than that, so the split allows at most **${(busy1 / busyN).toFixed(2)}x** ` +
        '(an upper bound, not a measurement: waits for the slower part come on top).',
    );
  }
  if (tfjs && Number.isFinite(tfjs.timing.median)) {
    const f = tfjs.timing.median / t;
    lines.push(
      `  vs ${tfjs.strategy} in the same run, interleaved, on a worker thread of its own: **${f.toFixed(2)}x** faster ` +
        `(target 3x: ${verdict(f >= 3)}).`,
    );
  }
  lines.push(
    `  A full epoch (100 iterations of 500) at this rate: about ${((100 * t) / 1000).toFixed(0)} s of training steps ` +
      `(target 40 s with evaluation: ${verdict(100 * t <= 40000)}).`,
  );
  if (threaded.strategy.includes('WebAssembly SIMD')) {
    const f = tfjs && Number.isFinite(tfjs.timing.median) ? tfjs.timing.median / t : undefined;
    lines.push(
      '  The SIMD targets (issue 15): ' +
        (f === undefined ? 'TensorFlow.js wasm not measured' : `${f.toFixed(2)}x TensorFlow.js wasm (target 6x: ${verdict(f >= 6)})`) +
        `; an epoch of steps about ${((100 * t) / 1000).toFixed(0)} s (target 25 s with evaluation: ${verdict(100 * t <= 25000)}).`,
    );
    const peer = torch.find((r) => param(r, 'threads') === param(threaded, 'threads') && Number.isFinite(r.timing.median));
    if (peer) {
      const f = t / peer.timing.median;
      lines.push(
        `  vs ${peer.strategy}, run after the interleaved steps: convlab's step takes **${f.toFixed(2)}x** PyTorch's ` +
          `(target 0.8x or less: ${verdict(f <= 0.8)}).`,
      );
    }
  }
  return lines;
}

function targetLines(rows: readonly BenchRow[], cores: number): string[] {
  const iteration = rows.filter((r) => r.key === 'iteration');
  const tfjs = iteration.find((r) => r.strategy.startsWith('tfjs'));
  const torch = iteration.filter((r) => r.strategy.startsWith('pytorch'));
  const lines: string[] = [];
  for (const threaded of iteration.filter((r) => / threads$/.test(r.strategy))) {
    const single = iteration.find((r) => r.strategy === `${family(threaded.strategy)}, 1 thread`);
    if (single) lines.push(...pairLines(threaded, single, tfjs, torch, cores));
  }
  if (tfjs && !Number.isFinite(tfjs.timing.median)) lines.push(`- TensorFlow.js wasm: ${tfjs.note ?? 'not measured'}.`);
  else if (tfjs) lines.push(`- ${tfjs.strategy}: ${seconds3(tfjs.timing.median)} s median, ${seconds3(tfjs.timing.min)} s best.`);
  for (const r of torch) {
    lines.push(`- ${r.strategy}: ${Number.isFinite(r.timing.median) ? `${seconds3(r.timing.median)} s median, ${seconds3(r.timing.min)} s best.` : (r.note ?? 'not measured')}`);
  }
  const convnet = iteration.find((r) => r.strategy.startsWith('convnetjs'));
  const fastest = Math.min(...iteration.filter((r) => r.strategy.startsWith('nn ')).map((r) => r.timing.median));
  if (convnet && Number.isFinite(convnet.timing.median) && Number.isFinite(fastest)) {
    lines.push(
      `- ${convnet.strategy} (1 run, not interleaved): ${seconds3(convnet.timing.median)} s, ` +
        `${(convnet.timing.median / fastest).toFixed(0)}x convlab's fastest step.`,
    );
  }

  const gemm = rows.filter((r) => r.key === 'gemm-fc');
  const gemmOne = gemm.find((r) => r.strategy === 'gemmInto');
  const gemmAll = gemm.find((r) => / threads$/.test(r.strategy));
  if (gemmOne) {
    const best = gflops(gemmOne, gemmOne.timing.min);
    lines.push(
      `- GEMM on one core, ${gemmOne.operation.replace(/^GEMM, /, '')}: **${fixed(gflops(gemmOne), 2)} GFLOP/s** median, ` +
        `${fixed(best, 2)} best (target 5: ${verdict((best ?? 0) >= 5)})` +
        (gemmAll ? `; ${gemmAll.strategy.replace(/^gemmParallelInto, /, 'on ')} ${fixed(gflops(gemmAll), 2)} median, ${fixed(gflops(gemmAll, gemmAll.timing.min), 2)} best.` : '.'),
    );
  }
  const gemmSimd = gemm.find((r) => r.strategy.startsWith('gemmInto, WebAssembly SIMD'));
  const gemmSimdAll = gemm.find((r) => r.strategy.startsWith('gemmParallelInto, WebAssembly SIMD'));
  if (gemmSimd) {
    const best = gflops(gemmSimd, gemmSimd.timing.min);
    lines.push(
      `- GEMM on one core, ${gemmSimd.strategy.replace(/^gemmInto, /, '')}: **${fixed(gflops(gemmSimd), 2)} GFLOP/s** median, ` +
        `${fixed(best, 2)} best (target 20: ${verdict((gflops(gemmSimd) ?? 0) >= 20)})` +
        (gemmSimdAll ? `; on ${gemmSimdAll.strategy.replace(/^.*, /, '')} ${fixed(gflops(gemmSimdAll), 2)} median, ${fixed(gflops(gemmSimdAll, gemmSimdAll.timing.min), 2)} best.` : '.'),
    );
  }
  // Peak memory of a separate training process, recorded on the nn rows (see the suite).
  for (const row of iteration.filter((r) => r.strategy.startsWith('nn lenet5'))) {
    const mb = param(row, 'trainingPeakRssMB');
    const threads = param(row, 'threads') ?? 1;
    const where = `on ${threads} thread${threads === 1 ? '' : 's'}, ${row.strategy.includes('WebAssembly SIMD') ? 'WebAssembly SIMD' : 'pure JavaScript'}`;
    if (mb !== undefined) {
      lines.push(`- Peak resident memory of a training process (full MNIST loaded, 20 minibatches of lenet5) ${where}: **${mb} MB** (target < 800 MB: ${verdict(mb < 800)}).`);
    } else {
      const why = /training process memory not measured \(([^)]*)\)/.exec(row.note ?? '')?.[1];
      if (why) lines.push(`- Peak resident memory of a training process ${where}: not measured (${why}).`);
    }
  }
  const rss = /peak resident memory of the bench process so far (\d+) MB/.exec(iteration[0]?.note ?? '');
  if (rss) lines.push(`- (The bench process itself, holding three LeNet-5s (the 1-thread and threaded steps, and the one whose weights TensorFlow.js copies), their buffers and TensorFlow.js, peaked at ${rss[1]} MB.)`);
  return lines;
}

/** Per-layer breakdown: one table per step (its 1-thread and threaded columns), phases in the order they run. */
function breakdownLines(rows: readonly BenchRow[]): string[] {
  const layerRows = rows.filter((r) => r.operation.startsWith('per layer: '));
  const phaseCell = (r: BenchRow | undefined) => (r ? fixed(r.timing.median, 1) + (r.flops ? ` (${fixed(gflops(r), 2)})` : '') : '');
  return [...new Set(layerRows.map((r) => family(r.strategy)))].flatMap((name) => {
    const mine = layerRows.filter((r) => family(r.strategy) === name);
    const configs = [...new Set(mine.map((r) => r.strategy))];
    const phases = [...new Set(mine.map((r) => r.operation))];
    const cell = (phase: string, config: string) => mine.find((r) => r.operation === phase && r.strategy === config);
    const sumOf = (config: string, test: (operation: string) => boolean) =>
      mine.filter((r) => r.strategy === config && test(r.operation)).reduce((t, r) => t + r.timing.median, 0);
    return [
      `### ${name}`,
      '',
      `| phase: median ms (GFLOP/s) | ${configs.map((c) => c.slice(name.length + 2)).join(' | ')} |`,
      `| --- | ${configs.map(() => '---:').join(' | ')} |`,
      ...phases.map((p) => `| ${p.replace('per layer: ', '')} | ${configs.map((c) => phaseCell(cell(p, c))).join(' | ')} |`),
      `| **forward (sum)** | ${configs.map((c) => fixed(sumOf(c, (o) => o.endsWith('forward') || o.endsWith('loss')), 1)).join(' | ')} |`,
      `| **backward (sum)** | ${configs.map((c) => fixed(sumOf(c, (o) => o.endsWith('backward')), 1)).join(' | ')} |`,
      `| **update** | ${configs.map((c) => fixed(cell('per layer: SGD update', c)?.timing.median, 1)).join(' | ')} |`,
      '',
    ];
  });
}

/** The iteration suite's Markdown: targets, then the per-layer breakdown of every step. */
export function iterationSummary(rows: readonly BenchRow[], machine: Machine): string[] {
  return [
    "The threaded step is nn's lenet5 with Conv2d and Linear run through core's threaded kernels (see",
    "docs/performance.md); the 1-thread rows run the same code on a 1-thread pool. A threaded run suffers most from",
    'other jobs on the machine: its threads wait for each other at every layer, so one stolen core slows the whole',
    'step; the "min" column is the least disturbed run.',
    '',
    '## Targets',
    '',
    ...targetLines(rows, machine.cores),
    '',
    '"max rel diff" on the iteration rows compares the loss before and after one SGD step with the first row\'s (same',
    'weights, same minibatch): equal second losses mean equal gradients.',
    '',
    '## Where the time goes',
    '',
    ...breakdownLines(rows),
  ];
}

/** How the threaded step's total CPU time compares with one thread's, in words. */
function workChange(ratio: number): string {
  const percent = Math.round(100 * Math.abs(ratio - 1));
  if (percent === 0) return 'the threading costs no extra work';
  return ratio > 1 ? `the threading costs ${percent}% more work` : `${percent}% less CPU time in all than on 1 thread`;
}
