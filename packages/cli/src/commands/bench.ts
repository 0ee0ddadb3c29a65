import {
  createProgress,
  formatReport,
  reportCharts,
  resolveSuites,
  runBench,
  suiteNames,
  writeCharts,
  DEFAULT_SUITES,
} from '@convlab/bench';
import { writeFileAtomic } from '@convlab/nn';
import { existsSync, statSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../fail.js';
import { checkWritable } from '../output-files.js';

/** A working folder (git-ignored in the repository), so that a plain `convlab bench` changes no tracked file. */
const DEFAULT_CHARTS_DIR = 'runs/charts';

/** --tiny's batch unless --batch says otherwise: enough samples for every suite's shapes to make sense. */
const TINY_BATCH = 4;

interface BenchArgs {
  what?: string[];
  batch?: number;
  repeat: number;
  warmup: number;
  json?: string;
  charts: string | false;
  peers: boolean;
  tiny: boolean;
}

function positiveInteger(name: string, value: number, allowZero = false): void {
  const ok = Number.isInteger(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    const got = Number.isNaN(value) ? 'something that is not a number' : String(value);
    throw new UsageError(`bench: --${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${got}`);
  }
}

/** `convlab bench [what...]`: runs benchmark suites, prints a table, writes JSON and SVG charts. */
export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench [what..]',
  describe: "Time convolution strategies and training iterations, beside the lecture and TensorFlow.js",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('what', {
        type: 'string',
        array: true,
        describe: `suites to run (default: ${DEFAULT_SUITES.join(', ')}); known: ${suiteNames().join(', ')}`,
      })
      .option('batch', { type: 'number', describe: "batch size of the lecture's shapes (default 500; 4 with --tiny)" })
      .option('repeat', { type: 'number', default: 5, describe: 'timed runs per case (slow loops may run fewer; their note says so)' })
      .option('warmup', { type: 'number', default: 1, describe: 'untimed runs per case first' })
      .option('json', {
        type: 'string',
        describe: 'write the results, machine and commit as JSON here (benchmarks/report.mjs makes a README of it)',
      })
      .option('charts', {
        type: 'string',
        default: DEFAULT_CHARTS_DIR,
        describe: 'directory for the SVG charts (--charts docs/charts refreshes the committed ones; --no-charts: none)',
      })
      .option('peers', {
        type: 'boolean',
        default: false,
        describe: "run the peers suite with its slow cases (TensorFlow.js's cpu backend training: minutes)",
      })
      .option('tiny', { type: 'boolean', default: false, describe: 'smoke-test scale: tiny shapes, timings meaningless' })
      .example('$0 bench', "the lecture's table at batch 500 (about a minute)")
      .example('$0 bench crossover --repeat 3 --json crossover.json', 'the crossover study')
      .example('$0 bench iteration --no-charts --json it.json', 'a training iteration, 1 and all threads') as unknown as Argv<BenchArgs>,
  handler: async (argv) => {
    const batch = argv.batch ?? (argv.tiny ? TINY_BATCH : 500);
    positiveInteger('batch', batch);
    positiveInteger('repeat', argv.repeat);
    positiveInteger('warmup', argv.warmup, true);
    if (argv.json !== undefined && argv.json.trim() === '') throw new UsageError('bench: --json needs a file name');
    if (argv.json !== undefined && existsSync(argv.json) && statSync(argv.json).isDirectory()) {
      throw new UsageError(`bench: --json ${argv.json} is a directory; give a file name`);
    }
    const charts = argv.charts === ('false' as string) ? false : argv.charts;
    if (charts !== false && charts.trim() === '') throw new UsageError('bench: --charts needs a directory (or --no-charts)');
    // Minutes of measuring must not end in a file that cannot be written: check the places first.
    if (argv.json !== undefined) checkWritable('bench', 'json', argv.json);
    if (charts !== false) checkWritable('bench', 'charts', charts, { folder: true });
    const what = argv.what ?? [];
    try {
      resolveSuites(what, argv.peers);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }

    const report = await runBench({
      what,
      batch,
      repeat: argv.repeat,
      warmup: argv.warmup,
      peers: argv.peers,
      tiny: argv.tiny,
      progress: createProgress(process.stderr),
    });
    process.stdout.write(formatReport(report));
    const failed = report.suites.filter((s) => s.error);
    if (failed.length > 0) {
      // A failed run leaves the user's files as they were.
      throw new Error(`bench: ${failed.map((s) => `${s.name} failed (${s.error})`).join('; ')}; no results or charts written`);
    }
    if (argv.json !== undefined) {
      writeFileAtomic(argv.json, `${JSON.stringify(report, null, 2)}\n`);
      process.stderr.write(`bench: results written to ${argv.json}\n`);
    }
    if (charts !== false) {
      const files = writeCharts(charts, reportCharts(report));
      if (files.length > 0) process.stderr.write(`bench: ${files.length} charts written to ${charts}\n`);
    }
  },
};
