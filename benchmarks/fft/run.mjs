// Runs the fft benchmark suite from the built packages and records the results here:
//   npx tsc -b && node benchmarks/fft/run.mjs [--batch 500] [--repeat 5] [--warmup 1] [--tiny]
// writes results.json (machine + rows) and README.md (the table) beside this script; --tiny only prints.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { fftSuite } = await import('../../packages/bench/dist/suites/fft.js');
const { machineInfo } = await import('../../packages/bench/dist/harness.js');

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '500' },
    repeat: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    tiny: { type: 'boolean', default: false },
  },
});
const integer = (name, text, min) => {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) {
    console.error(`fft benchmark: --${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return v;
};
const context = {
  batch: integer('batch', values.batch, 1),
  repeat: integer('repeat', values.repeat, 1),
  warmup: integer('warmup', values.warmup, 0),
  tiny: values.tiny,
  progress: (message) => process.stderr.write(`  ${message}\n`),
};

process.chdir(root); // machineInfo reads the git commit of the checkout
const machine = machineInfo();
const started = Date.now();
const rows = await fftSuite.run(context);
const seconds = (Date.now() - started) / 1000;

const gflops = (row) => (row.flops ? row.flops / (row.timing.median * 1e6) : undefined);
const fixed = (v, digits) => (v === undefined || Number.isNaN(v) ? '' : v.toFixed(digits));
const find = (key, strategy) => rows.find((r) => r.key === key && r.strategy === strategy);

function writeAtomic(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** The two targets: layer 2 forward with reused spectra 3x faster than im2col; a 32x32 real FFT in 10 us. */
function targetLines() {
  const lines = [];
  const fft = find('fft-forward-2', 'fft, reused spectra');
  const im2col = find('fft-forward-2', 'im2col + GEMM');
  if (fft && im2col) {
    const ratio = im2col.timing.median / fft.timing.median;
    lines.push(
      `- Layer 2 forward, FFT with reused spectra vs im2col + GEMM in the same run: ${fixed(im2col.timing.median, 1)} ms / ` +
        `${fixed(fft.timing.median, 1)} ms = **${ratio.toFixed(2)}x** (target 3x: ${ratio >= 3 ? 'met' : 'NOT met'}).`,
    );
  }
  const rfft = find('fft-rfft2-32', 'rfft2, rows paired');
  if (rfft) {
    const us = rfft.timing.median * 1000;
    const best = rfft.timing.min * 1000;
    lines.push(
      `- Real 2-D FFT of 32x32, batched: **${us.toFixed(2)} us** a transform, median (fastest run ${best.toFixed(2)} us; ` +
        `target 10 us: ${us <= 10 ? 'met' : best <= 10 ? 'met by the fastest run only' : 'NOT met'}).`,
    );
  }
  const numpy = find('fft-rfft2-32', 'numpy scipy.fft.rfft2');
  if (numpy && !Number.isNaN(numpy.timing.median)) lines.push(`- numpy's scipy.fft.rfft2 on the same batch: ${(numpy.timing.median * 1000).toFixed(2)} us a transform.`);
  const choices = rows.filter((r) => r.key?.startsWith('fft-choice-'));
  for (const key of [...new Set(choices.map((r) => r.key))]) {
    const group = choices.filter((r) => r.key === key);
    const fastest = group.reduce((a, b) => (b.timing.median < a.timing.median ? b : a));
    const picked = /the model picks (\w+)/.exec(group[0].note ?? '')?.[1];
    lines.push(`- Cost model, ${group[0].operation.replace(/^fft: cost model check, /, '')}: picks ${picked}, fastest measured ${fastest.strategy}: ${picked === fastest.strategy ? 'right' : 'WRONG'}.`);
  }
  return lines.length ? ['Targets and checks:', '', ...lines, ''] : [];
}

const settings = { batch: context.batch, repeat: context.repeat, warmup: context.warmup, tiny: context.tiny };
const result = { suite: fftSuite.name, description: fftSuite.description, machine, settings, seconds, rows: rows.map((r) => ({ ...r, gflops: gflops(r) })) };

const timeCell = (r, field) => {
  const v = r.timing[field];
  if (Number.isNaN(v)) return '';
  return r.key === 'fft-rfft2-32' ? `${(v * 1000).toFixed(2)} us` : fixed(v, 1);
};
const lines = [
  '# Spectral convolution benchmark',
  '',
  fftSuite.description[0].toUpperCase() + fftSuite.description.slice(1) + '.',
  '',
  'Re-run (a few minutes at batch 500; the direct loop of layer 2 dominates):',
  '',
  '```sh',
  'npx tsc -b && node benchmarks/fft/run.mjs --batch 500 --repeat 5',
  '```',
  '',
  `Measured on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}, ` +
    `commit ${machine.commit}, ${machine.date}; batch ${settings.batch}, ${settings.warmup} warm-up + ${settings.repeat} timed runs ` +
    'per strategy (3 where the direct loop is slow), strategies of one operation interleaved (A B C D, A B C D). One thread, float32 tensors.',
  '',
  '**This is a shared, noisy machine: other jobs ran while this was measured.** Compare strategies within one operation',
  '(they were interleaved, so drift fell on all of them); treat absolute times as indicative. Raw times are in `results.json`.',
  '',
  ...targetLines(),
  '| operation | strategy | median | min | GFLOP/s | max rel. diff from first | note |',
  '| --- | --- | ---: | ---: | ---: | ---: | --- |',
  ...rows.map(
    (r) =>
      `| ${r.operation} | ${r.strategy} | ${timeCell(r, 'median')} | ${timeCell(r, 'min')} | ${fixed(gflops(r), 2)} | ` +
      `${r.maxRelDiff === undefined ? '' : r.maxRelDiff.toExponential(1)} | ${r.note ?? ''} |`,
  ),
  '',
  'Times in milliseconds unless marked. GFLOP/s counts 2 operations per multiply-add of the spatial convolution (the',
  'same count for every strategy, so it reads as speed); for the pointwise row, 8 per complex multiply-add.',
  '"Reused spectra": the weights transformed once per batch, the input spectrum kept from forward, gy transformed',
  'once for both gradients (charged to grad input). "No reuse": the weights transformed for every sample in forward;',
  'each gradient transforms all it needs. See docs/fft.md for the design and for what the profile shows.',
  '',
];
if (context.tiny) {
  process.stdout.write(lines.join('\n'));
} else {
  writeAtomic(join(here, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  writeAtomic(join(here, 'README.md'), lines.join('\n'));
}
process.stderr.write(`fft benchmark: ${rows.length} rows in ${seconds.toFixed(0)} s\n`);
