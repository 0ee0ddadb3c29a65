// Turns the JSON-lines logs of full `convlab train` runs into the committed record:
//   benchmarks/training/runs/<name>.jsonl   the log without its per-minibatch lines, each epoch
//                                            line carrying the min/median/max minibatch time
//   benchmarks/training/runs.json           per run: settings, machine, every epoch, the summary
//   docs/training-error.svg, docs/training-time.svg   the curves
//
// Usage (from the repository root):
//   node benchmarks/training/report.mjs --run lecture=path/to/lecture.jsonl --run recipe=path/to/recipe.jsonl
//   node benchmarks/training/report.mjs          # re-plot from the committed runs/*.jsonl
// Logs of runs still in progress work too: the record says how far they got.
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lineChart } from './line-chart.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const runsDir = join(here, 'runs');

/** The lecture's figures (Wang 2016, numpy/scipy LeNet-5) and the LISA tutorial's. */
const LECTURE = { testError: 0.0139, epoch: 26, epochSeconds: 700, iterationSeconds: 6.05 };
const LISA = { testError: 0.0092 };
const TARGETS = { lecture: 0.0139, recipe: 0.009, 'recipe-no-shift': 0.009 };
const COLORS = { lecture: '#1f77b4', recipe: '#d62728', 'recipe-no-shift': '#ff7f0e' };

function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Reads a full log (with batch lines) or a compact one; returns the compact lines. */
function compact(path) {
  const lines = readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const batches = new Map();
  const out = [];
  for (const l of lines) {
    if (l.event === 'batch') {
      if (!batches.has(l.epoch)) batches.set(l.epoch, []);
      batches.get(l.epoch).push(l.seconds);
      continue;
    }
    if (l.event === 'epoch' && batches.has(l.epoch)) {
      const s = batches.get(l.epoch);
      l.minibatchSeconds = { min: Math.min(...s), median: median(s), max: Math.max(...s), count: s.length };
    }
    out.push(l);
  }
  return out;
}

function summarise(name, lines) {
  const start = lines.find((l) => l.event === 'start');
  const end = [...lines].reverse().find((l) => l.event === 'end') ?? null;
  // A resumed run logs a second start line and repeats nothing: keep the last record of each epoch.
  const byEpoch = new Map();
  for (const l of lines) if (l.event === 'epoch') byEpoch.set(l.epoch, l);
  const epochs = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  const last = epochs[epochs.length - 1];
  const target = TARGETS[name];
  const reached = target === undefined ? undefined : epochs.find((e) => e.bestTestError !== null && e.bestTestError <= target);
  const trainEpochs = epochs.map((e) => e.iterationSeconds * e.batches);
  return {
    name,
    config: start?.config ?? null,
    machine: start?.machine ?? null,
    finished: end !== null && end.stopped === false,
    epochsDone: epochs.length,
    best: last ? { epoch: last.bestEpoch, validationError: last.bestValidationError, testError: last.bestTestError } : null,
    target: target ?? null,
    targetReachedAtEpoch: reached ? reached.epoch : null,
    seconds: {
      epochMedian: epochs.length ? median(epochs.map((e) => e.epochSeconds)) : null,
      trainingPartOfEpochMedian: epochs.length ? median(trainEpochs) : null,
      iterationMedian: epochs.length ? median(epochs.map((e) => e.iterationSeconds)) : null,
      iterationMin: epochs.length ? Math.min(...epochs.map((e) => e.minibatchSeconds?.min ?? e.iterationSeconds)) : null,
      evaluationMedian: epochs.length ? median(epochs.map((e) => e.evalSeconds)) : null,
      total: epochs.reduce((s, e) => s + e.epochSeconds, 0),
    },
    epochs: epochs.map((e) => ({
      epoch: e.epoch,
      lr: e.lr,
      trainLoss: e.trainLoss,
      trainError: e.trainError,
      validationError: e.validationError,
      testError: e.testError,
      bestTestError: e.bestTestError,
      epochSeconds: e.epochSeconds,
      iterationSeconds: e.iterationSeconds,
      evalSeconds: e.evalSeconds,
      minibatchSeconds: e.minibatchSeconds ?? null,
    })),
  };
}

// 1. Read the logs given on the command line (compacting them into runs/) or the committed ones.
const given = [];
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--run') {
    const [name, path] = process.argv[++i].split('=');
    given.push({ name, path });
  }
}
const sources = given.length
  ? given
  : readdirSync(runsDir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => ({ name: f.replace(/\.jsonl$/, ''), path: join(runsDir, f) }));
const runs = sources.map(({ name, path }) => {
  const lines = compact(path);
  if (given.length) writeAtomic(join(runsDir, `${name}.jsonl`), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return summarise(name, lines);
});
runs.sort((a, b) => a.name.localeCompare(b.name));

writeAtomic(
  join(here, 'runs.json'),
  JSON.stringify(
    {
      note:
        'Full LeNet-5 training runs on MNIST (50,000 train / 10,000 validation / 10,000 test), batch 500. ' +
        'Times are wall-clock on a 2-core machine shared with other jobs while these ran: they are noisy upper bounds; ' +
        'benchmarks/training/iteration.json holds a quieter measurement of one iteration.',
      lecture: LECTURE,
      lisa: LISA,
      runs,
    },
    null,
    2,
  ) + '\n',
);

// 2. The curves.
const label = (r) => {
  const c = r.config;
  if (!c) return r.name;
  const opt = c.optimizer === 'adam' ? `Adam ${c.lr}` : `SGD ${c.lr}${c.momentum ? ` m ${c.momentum}` : ''}`;
  return `${r.name}: ${c.activation ?? 'tanh'}, ${opt}${c.lrDecay ? `, decay ${c.lrDecay}` : ''}${c.augmentShift ? `, shifts ${c.augmentShift} px` : ''}${c.shuffle === false ? ', in order' : ''}`;
};
const pct = (v) => `${Number((v * 100).toFixed(2))} %`;
const series = [];
for (const r of runs) {
  const color = COLORS[r.name] ?? '#2ca02c';
  series.push({ name: `${label(r)} (validation)`, color, points: r.epochs.map((e) => ({ x: e.epoch, y: e.validationError })) });
  series.push({
    name: `${r.name}: test error of best model`,
    color,
    dash: '2 3',
    marks: true,
    points: r.epochs.filter((e) => e.bestTestError !== null).map((e) => ({ x: e.epoch, y: e.bestTestError })),
  });
}
const errorSvg = lineChart({
  title: 'LeNet-5 on MNIST: error per epoch',
  subtitle: 'validation error after each epoch, and the test error of the model with the best validation error so far',
  xLabel: 'epoch',
  yLabel: 'error (log scale)',
  logY: true,
  yFormat: pct,
  series,
  references: [
    { y: LECTURE.testError, label: 'lecture 1.39 %', color: '#1f77b4' },
    { y: LISA.testError, label: 'LISA tutorial 0.92 %', color: '#777777' },
    { y: TARGETS.recipe, label: 'target 0.9 %', color: '#d62728', align: 'left', below: true },
  ],
});
const timeSvg = lineChart({
  title: 'LeNet-5 on MNIST: wall time per epoch (batch 500, 100 minibatches + validation/test)',
  subtitle: 'on 2 cores shared with other jobs: the spread is contention, not the code',
  xLabel: 'epoch',
  yLabel: 'seconds',
  series: runs.flatMap((r) => [
    { name: `${r.name}: epoch`, color: COLORS[r.name] ?? '#2ca02c', marks: true, points: r.epochs.map((e) => ({ x: e.epoch, y: e.epochSeconds })) },
    { name: `${r.name}: 100 x median step`, color: COLORS[r.name] ?? '#2ca02c', dash: '2 3', points: r.epochs.map((e) => ({ x: e.epoch, y: 100 * (e.minibatchSeconds?.median ?? e.iterationSeconds) })) },
  ]),
  references: [{ y: LECTURE.epochSeconds, label: 'lecture ~700 s/epoch', color: '#777777' }],
});
writeAtomic(join(root, 'docs', 'training-error.svg'), errorSvg);
writeAtomic(join(root, 'docs', 'training-time.svg'), timeSvg);
for (const r of runs) {
  const b = r.best;
  console.log(
    `${r.name}: ${r.epochsDone} epochs${r.finished ? '' : ' (in progress or stopped)'}, best validation ${b ? (b.validationError * 100).toFixed(2) : '-'} % at epoch ${b?.epoch ?? '-'}, ` +
      `test ${b?.testError != null ? (b.testError * 100).toFixed(2) : '-'} %, target ${r.target !== null ? (r.target * 100).toFixed(2) : '-'} % reached at epoch ${r.targetReachedAtEpoch ?? '-'}; ` +
      `median epoch ${r.seconds.epochMedian?.toFixed(1)} s, median iteration ${r.seconds.iterationMedian?.toFixed(3)} s`,
  );
}
