// Runs the gemm-conv2d benchmark suite from the built packages and records the results here:
//   npx tsc -b && node benchmarks/gemm-conv2d/run.mjs [--batch 500] [--repeat 5] [--warmup 1] [--tiny]
// writes results.json (machine + rows) and README.md (the table) beside this script; --tiny only prints.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { gemmConv2dSuite } = await import('../../packages/bench/dist/suites/gemm-conv2d.js');
const { machineInfo } = await import('../../packages/bench/dist/harness.js');

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '500' },
    repeat: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    tiny: { type: 'boolean', default: false },
  },
});
const positive = (name, text, min) => {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    console.error(`gemm-conv2d: --${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
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
const started = Date.now();
const rows = await gemmConv2dSuite.run(context);
const seconds = (Date.now() - started) / 1000;

const gflops = (row) => (row.flops ? row.flops / (row.timing.median * 1e6) : undefined);
const bestGflops = (row) => (row.flops ? row.flops / (row.timing.min * 1e6) : undefined);
const fixed = (v, digits) => (v === undefined ? '' : v.toFixed(digits));

function writeAtomic(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const settings = { batch: context.batch, repeat: context.repeat, warmup: context.warmup, tiny: context.tiny };
const result = {
  suite: gemmConv2dSuite.name,
  description: gemmConv2dSuite.description,
  machine,
  settings,
  seconds,
  rows: rows.map((r) => ({ ...r, gflops: gflops(r), bestGflops: bestGflops(r) })),
};

/** The GEMM target: at least 4 GFLOP/s on one core in float32 on both LeNet-5 products. */
function targetLines() {
  const gemm = rows.filter((r) => r.operation.startsWith('GEMM') && /^blocked GEMM( float32)?$/.test(r.strategy));
  if (gemm.length === 0) return [];
  const text = gemm.map((r) => `${fixed(gflops(r), 2)} GFLOP/s on ${r.operation.replace(/^GEMM( float32)?, /, '')}`);
  const met = gemm.every((r) => gflops(r) >= 4);
  return [`Target: float32 GEMM at 4 GFLOP/s or more on one core. Measured: ${text.join('; ')}: ${met ? 'met' : 'NOT met'}.`, ''];
}

const lines = [
  '# GEMM and conv2d benchmark',
  '',
  gemmConv2dSuite.description[0].toUpperCase() + gemmConv2dSuite.description.slice(1) + '.',
  '',
  'Re-run (under a minute at batch 500 on a quiet machine):',
  '',
  '```sh',
  'npx tsc -b && node benchmarks/gemm-conv2d/run.mjs --batch 500 --repeat 5',
  '```',
  '',
  `Measured on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, ` +
    `commit ${machine.commit}, ${machine.date}; batch ${settings.batch}, ${settings.warmup} warm-up + ${settings.repeat} timed runs ` +
    'per strategy, strategies of one operation interleaved (A B A B). One thread.',
  '',
  '**The machine was shared with other jobs while this ran, so the numbers are noisy**: compare strategies within one',
  'operation (they were interleaved), and treat absolute times as indicative. Raw times are in `results.json`.',
  '',
  ...targetLines(),
  '| operation | strategy | median ms | min ms | GFLOP/s (median) | GFLOP/s (best) | lecture loop (s) | max rel. diff from first strategy |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.operation} | ${r.strategy} | ${fixed(r.timing.median, 1)} | ${fixed(r.timing.min, 1)} | ${fixed(gflops(r), 2)} | ` +
      `${fixed(bestGflops(r), 2)} | ` +
      `${r.lectureSeconds === undefined ? '' : r.lectureSeconds} | ${r.maxRelDiff === undefined ? '' : r.maxRelDiff.toExponential(1)} |`,
  ),
  '',
  'GFLOP/s counts 2 floating-point operations per multiply-add of the mathematical product (padding excluded), from the',
  'median and from the fastest run (the least disturbed by other jobs). "Lecture loop" is the numpy/scipy loop timing of the',
  'same operation in the lecture (a 2016 machine), for scale.',
  '',
];
if (context.tiny) {
  // A smoke test: print, keep the recorded results.
  process.stdout.write(lines.join('\n'));
} else {
  writeAtomic(join(here, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  writeAtomic(join(here, 'README.md'), lines.join('\n'));
}
process.stderr.write(`gemm-conv2d: ${rows.length} rows in ${seconds.toFixed(0)} s\n`);
