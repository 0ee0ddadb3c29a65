import type { Argv, CommandModule } from 'yargs';
import { lineChart } from '@convlab/bench';
import type { LineSeries } from '@convlab/bench';
import { writeFileAtomic } from '@convlab/nn';
import { UsageError } from '../fail.js';
import { fileOption } from '../options.js';
import { readTrainingLog } from '../training-log.js';
import type { EpochPoint } from '../training-log.js';

interface PlotArgs {
  log?: string;
  out?: string;
  title?: string;
}

const CMD = 'plot';

/** `convlab plot LOG.jsonl`: the training curves of a `convlab train --log` file as an SVG chart. */
export const plotCommand: CommandModule<object, PlotArgs> = {
  command: 'plot <log>',
  describe: 'Training curves (loss; training, validation and test error per epoch) of a train --log file, as SVG',
  builder: (yargs: Argv<object>) =>
    yargs
      .positional('log', { type: 'string', describe: 'a JSON-lines log written by `convlab train --log`' })
      .option('out', { type: 'string', describe: 'the SVG file to write (default: the log name with .svg)' })
      .option('title', { type: 'string', describe: 'the chart title (default: the log file name)' })
      .example('$0 plot run.jsonl --out run.svg', 'loss and error curves of a training run') as unknown as Argv<PlotArgs>,
  handler: (argv) => {
    const path = String(argv.log);
    const out = argv.out === undefined ? `${path.replace(/\.jsonl?$/i, '')}.svg` : fileOption(CMD, 'out', argv.out);
    if (!out.toLowerCase().endsWith('.svg')) throw new UsageError(`${CMD}: --out ${out}: convlab plot writes SVG only; name the file .svg`);
    const epochs = readTrainingLog(path);
    const svg = lineChart({
      title: argv.title ?? `Training curves: ${path}`,
      subtitle: `${epochs.length} epoch${epochs.length > 1 ? 's' : ''}; loss is the mean cross-entropy, errors are fractions misclassified`,
      xLabel: 'epoch',
      yLabel: 'loss, error',
      yFormat: (y) => String(Number(y.toPrecision(3))),
      series: curves(epochs),
    });
    try {
      writeFileAtomic(out, svg);
    } catch (error) {
      throw new UsageError(`${CMD}: cannot write ${out}: ${(error as Error).message}`);
    }
    process.stdout.write(`training curves of ${epochs.length} epochs written to ${out}\n`);
  },
};

/** One line per quantity; validation and test only when the run had them. */
function curves(epochs: EpochPoint[]): LineSeries[] {
  const line = (name: string, pick: (e: EpochPoint) => number | null): LineSeries => ({
    name,
    points: epochs.flatMap((e) => (pick(e) === null ? [] : [{ x: e.epoch, y: pick(e)! }])),
  });
  return [
    line('training loss', (e) => e.trainLoss),
    line('training error', (e) => e.trainError),
    line('validation error', (e) => e.validationError),
    line('test error', (e) => e.testError),
  ].filter((s) => s.points.length > 0);
}
