// Runs the iteration benchmark suite from the built packages and records the results here:
//   npx tsc -b && node benchmarks/iteration/run.mjs [--batch 500] [--repeat 7] [--warmup 2] [--tiny]
// writes results.json (machine, load, rows) and README.md (targets and tables) beside this script;
// --tiny only prints.
import { spawnSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { iterationSuite } = await import('../../packages/bench/dist/suites/iteration.js');
const { machineInfo } = await import('../../packages/bench/dist/harness.js');

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '500' },
    repeat: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    tiny: { type: 'boolean', default: false },
  },
});
const positive = (name, text, min) => {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    console.error(`iteration: --${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return v;
};
const context = {
  batch: positive('batch', values.batch, 1),
  repeat: positive('repeat', values.repeat, 1),
  warmup: positive('warmup', values.warmup, 0),
  tiny: values.tiny,
  progress: (message) => process.stderr.write(`  ${message}\n`),
};

process.chdir(root); // machineInfo reads the git commit of the checkout
const machine = machineInfo();
const loadBefore = loadavg();
const started = Date.now();
const rows = await iterationSuite.run(context);

// Peak resident memory of a training process: full MNIST loaded, lenet5 (method auto) trained for
// 20 minibatches of 500 on every thread, in a child process of its own (the suite's process holds
// four models and TensorFlow.js, which says nothing about training).
function trainingRss(threads) {
  const nn = new URL('../../packages/nn/dist/index.js', import.meta.url).href;
  const core = new URL('../../packages/core/dist/index.js', import.meta.url).href;
  const script = `
    const { setNumThreads } = await import(${JSON.stringify(core)});
    const { Random, SGD, SoftmaxCrossEntropy, epochOrder, gatherBatch, lenet5, loadMnist } = await import(${JSON.stringify(nn)});
    setNumThreads(${threads});
    const data = loadMnist();
    const model = lenet5({ seed: 0 });
    const sgd = new SGD(model.parameters(), { lr: 0.1 });
    const ce = new SoftmaxCrossEntropy();
    const order = epochOrder(data.train.labels.length, new Random(1));
    for (let k = 0; k < ${context.tiny ? 1 : 20}; k++) {
      const { x, labels } = gatherBatch(data.train, order, k * 500, (k + 1) * 500);
      sgd.zeroGrad();
      ce.forward(model.forward(x), labels);
      model.backward(ce.backward());
      sgd.step();
    }
    console.log(JSON.stringify({ maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 600_000 });
  if (child.status !== 0) return { error: (child.stderr || String(child.error)).trim().split('\n').at(-1) };
  return JSON.parse(child.stdout.trim().split('\n').at(-1));
}
context.progress('iteration: peak memory of a training process');
const memory = { threads1: trainingRss(1), [`threads${machine.cores}`]: trainingRss(machine.cores) };
const seconds = (Date.now() - started) / 1000;
const loadAfter = loadavg();

const gflops = (row, t = row.timing.median) => (row.flops && Number.isFinite(t) ? row.flops / (t * 1e6) : undefined);
const fixed = (v, digits) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(digits));

function writeAtomic(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const settings = { batch: context.batch, repeat: context.repeat, warmup: context.warmup, tiny: context.tiny };
const result = {
  suite: iterationSuite.name,
  description: iterationSuite.description,
  machine,
  loadAverage: { before: loadBefore, after: loadAfter },
  settings,
  seconds,
  trainingMemory: memory,
  rows: rows.map((r) => ({ ...r, gflops: gflops(r) })),
};

// Targets (2-core machine): iteration <= 0.35 s on all threads; all threads >= 1.7x one thread;
// >= 3x faster than tfjs wasm; GEMM >= 5 GFLOP/s a core; peak RSS < 800 MB.
const iteration = rows.filter((r) => r.key === 'iteration');
const threadRows = iteration.filter((r) => / threads$/.test(r.strategy));
// Each threaded row and the 1-thread row of the same code.
const pairs = threadRows
  .map((threaded) => ({ threaded, single: iteration.find((r) => r.strategy === threaded.strategy.replace(/, \d+ threads$/, ', 1 thread')) }))
  .filter((p) => p.single !== undefined);
const tfjs = iteration.find((r) => r.strategy.startsWith('tfjs'));
const gemm = rows.filter((r) => r.key === 'gemm-fc');
const gemmOne = gemm.find((r) => r.strategy === 'gemmInto');
const gemmAll = gemm.find((r) => / threads$/.test(r.strategy));
const rssMatch = /peak resident memory of the bench process so far (\d+) MB/.exec(iteration[0]?.note ?? '');
const verdict = (ok) => (ok ? 'met' : '**NOT met**');
const seconds3 = (ms) => (ms / 1000).toFixed(3);
const cpuOf = (r) => r.params?.cpuMs;
const busiest = (r) => r.params?.busiestThreadCpuMs;

const pairLines = ({ threaded, single }) => {
  const name = threaded.strategy.replace(/, \d+ threads$/, '');
  const t = threaded.timing.median;
  const ratio = single.timing.median / t;
  const lines = [
    `- **${name}**: one iteration on ${threaded.params?.threads ?? machine.cores} threads **${seconds3(t)} s** median, ${seconds3(threaded.timing.min)} s best ` +
      `(target 0.35 s: ${verdict(t <= 350)}${t > 350 ? `, ${(t / 350).toFixed(2)}x over` : ''}); 1 thread ${seconds3(single.timing.median)} s median, ` +
      `${seconds3(single.timing.min)} s best. Speed-up measured on this loaded machine **${ratio.toFixed(2)}x** median, ` +
      `${(single.timing.min / threaded.timing.min).toFixed(2)}x best runs (target 1.7x: ${verdict(ratio >= 1.7)}).`,
  ];
  if (cpuOf(single) !== undefined && cpuOf(threaded) !== undefined) {
    lines.push(
      `  CPU time a step, all threads together: ${seconds3(cpuOf(single))} s on 1 thread, ${seconds3(cpuOf(threaded))} s threaded ` +
        `(the threading costs ${(100 * (cpuOf(threaded) / cpuOf(single) - 1)).toFixed(0)}% more work); the process got ` +
        `${(cpuOf(threaded) / t).toFixed(2)} cores on average while threaded, ${(cpuOf(single) / single.timing.median).toFixed(2)} on 1 thread.`,
    );
  }
  if (busiest(single) !== undefined && busiest(threaded) !== undefined) {
    lines.push(
      `  The busiest thread's CPU time a step: ${seconds3(busiest(single))} s on 1 thread, ${seconds3(busiest(threaded))} s threaded: on idle cores ` +
        `a step cannot be shorter than that, so the split allows at most **${(busiest(single) / busiest(threaded)).toFixed(2)}x** ` +
        `(an upper bound, not a measurement: waits for the slower part come on top).`,
    );
  }
  if (tfjs && Number.isFinite(tfjs.timing.median)) {
    const f = tfjs.timing.median / t;
    lines.push(`  vs ${tfjs.strategy} in the same run: **${f.toFixed(2)}x** faster (target 3x: ${verdict(f >= 3)}).`);
  }
  lines.push(`  A full epoch (100 iterations of 500) at this rate: about ${(100 * t / 1000).toFixed(0)} s of training steps (target 40 s with evaluation: ${verdict(100 * t <= 40000)}).`);
  return lines;
};

const targetLines = () => {
  const lines = pairs.flatMap(pairLines);
  if (tfjs && !Number.isFinite(tfjs.timing.median)) lines.push(`- TensorFlow.js wasm: ${tfjs.note}.`);
  else if (tfjs) lines.push(`- ${tfjs.strategy}: ${seconds3(tfjs.timing.median)} s median, ${seconds3(tfjs.timing.min)} s best.`);
  if (gemmOne) {
    lines.push(
      `- GEMM on one core, ${gemmOne.operation.replace(/^GEMM, /, '')}: **${fixed(gflops(gemmOne), 2)} GFLOP/s** median, ${fixed(gflops(gemmOne, gemmOne.timing.min), 2)} best ` +
        `(target 5: ${verdict((gflops(gemmOne, gemmOne.timing.min) ?? 0) >= 5)})` +
        (gemmAll ? `; on ${machine.cores} threads ${fixed(gflops(gemmAll), 2)} median, ${fixed(gflops(gemmAll, gemmAll.timing.min), 2)} best.` : '.'),
    );
  }
  for (const [key, m] of Object.entries(memory)) {
    const n = key.replace('threads', '');
    lines.push(
      m.maxRssMB === undefined
        ? `- Peak resident memory of a training process on ${n} thread(s): not measured (${m.error}).`
        : `- Peak resident memory of a training process (full MNIST loaded, 20 minibatches of lenet5) on ${n} thread${n === '1' ? '' : 's'}: **${m.maxRssMB} MB** (target < 800 MB: ${verdict(m.maxRssMB < 800)}).`,
    );
  }
  if (rssMatch) lines.push(`- (The bench process itself, holding four LeNet-5s, their buffers and TensorFlow.js, peaked at ${rssMatch[1]} MB.)`);
  return lines;
};

const table = (list, withFlops) => [
  `| operation | strategy | median ms | min ms |${withFlops ? ' GFLOP/s (median) | GFLOP/s (best) |' : ''} max rel. diff | note |`,
  `| --- | --- | ---: | ---: |${withFlops ? ' ---: | ---: |' : ''} ---: | --- |`,
  ...list.map(
    (r) =>
      `| ${r.operation} | ${r.strategy} | ${fixed(r.timing.median, 1)} | ${fixed(r.timing.min, 1)} |` +
      (withFlops ? ` ${fixed(gflops(r), 2)} | ${fixed(gflops(r, r.timing.min), 2)} |` : '') +
      ` ${r.maxRelDiff === undefined ? '' : r.maxRelDiff.toExponential(1)} | ${r.note ?? ''} |`,
  ),
];

// Per-layer breakdown: one table per step (its 1-thread and threaded columns), phases in the order they run.
const layerRows = rows.filter((r) => r.operation.startsWith('per layer: '));
const family = (strategy) => strategy.replace(/, (1 thread|\d+ threads)$/, '');
const families = [...new Set(layerRows.map((r) => family(r.strategy)))];
const phaseCell = (r) => (r ? fixed(r.timing.median, 1) + (r.flops ? ` (${fixed(gflops(r), 2)})` : '') : '');
const breakdownOf = (name) => {
  const mine = layerRows.filter((r) => family(r.strategy) === name);
  const configs = [...new Set(mine.map((r) => r.strategy))];
  const phases = [...new Set(mine.map((r) => r.operation))];
  const cell = (phase, config) => mine.find((r) => r.operation === phase && r.strategy === config);
  const sumOf = (config, test) => mine.filter((r) => r.strategy === config && test(r.operation)).reduce((t, r) => t + r.timing.median, 0);
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
};
const breakdown = families.flatMap(breakdownOf);

const lines = [
  '# LeNet-5 training iteration: one thread and all threads',
  '',
  iterationSuite.description[0].toUpperCase() + iterationSuite.description.slice(1) + '.',
  'The threaded step is nn\'s lenet5 with Conv2d and Linear run through core\'s threaded kernels',
  '(see docs/performance.md); the 1-thread rows run the same code on a 1-thread pool.',
  '',
  'Re-run (a few minutes at batch 500):',
  '',
  '```sh',
  'npx tsc -b && node benchmarks/iteration/run.mjs --batch 500 --repeat 7',
  '```',
  '',
  `Measured on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, ` +
    `commit ${machine.commit}, ${machine.date}; batch ${settings.batch}, ${Math.max(1, settings.warmup)} warm-up + ${settings.repeat} timed runs ` +
    'per configuration, configurations interleaved (A B C A B C).',
  '',
  `**Load average ${loadBefore.map((v) => v.toFixed(2)).join(' / ')} before and ${loadAfter.map((v) => v.toFixed(2)).join(' / ')} after (1 / 5 / 15 min) on ${machine.cores} cores.**`,
  'Other jobs shared the machine while this ran, and a threaded run suffers most from that: its threads wait for',
  'each other at every layer, so one stolen core slows the whole step. Treat the figures as indicative; the',
  '"min" column is the least disturbed run. Raw times are in `results.json`.',
  '',
  '## Targets',
  '',
  ...targetLines(),
  '',
  '## The iteration',
  '',
  ...table(iteration, true),
  '',
  '"max rel. diff" compares the loss before and after one SGD step with the first row\'s (same weights, same minibatch):',
  'equal second losses mean equal gradients.',
  '',
  '## Where the time goes',
  '',
  ...breakdown,
  '',
  '## The GEMM',
  '',
  ...table(gemm, true),
  '',
  'GFLOP/s counts 2 floating-point operations per multiply-add, from the median and from the fastest run.',
  '',
];
if (context.tiny) {
  process.stdout.write(lines.join('\n'));
} else {
  writeAtomic(join(here, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  writeAtomic(join(here, 'README.md'), lines.join('\n'));
}
process.stderr.write(`iteration: ${rows.length} rows in ${seconds.toFixed(0)} s\n`);
