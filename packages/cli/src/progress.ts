import cliProgress from 'cli-progress';
import type { EpochRecord, TrainEvent } from '@convlab/nn';

/** Where training output goes: lines for the log of the run, and a stream for the live bar. */
export interface ReporterTarget {
  /** Per-epoch lines (stdout). */
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** The progress bar or, off a terminal, the periodic minibatch lines (stderr). */
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A percentage with the lecture's six decimals: 0.0139 -> "1.390000 %". */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(6)} %`;
}

/** The lecture's per-epoch lines, followed by one line of our own details. */
export function epochLines(r: EpochRecord): string[] {
  const lines: string[] = [];
  const at = `epoch ${r.epoch}, minibatch ${r.batches}/${r.batches}`;
  if (r.validationError !== null) lines.push(`${at}, validation error ${percent(r.validationError)}`);
  if (r.testError !== null) lines.push(`    ${at}, test error of best model ${percent(r.testError)}`);
  lines.push(`time elapsed for this epoch ${r.epochSeconds.toFixed(6)} s`);
  lines.push(
    `    training loss ${r.trainLoss.toFixed(6)}, training error ${percent(r.trainError)}, lr ${r.lr}, ` +
      `${r.iterationSeconds.toFixed(3)} s/iteration, evaluation ${r.evalSeconds.toFixed(1)} s`,
  );
  return lines;
}

/**
 * Turns training events into output: on a terminal a progress bar over the minibatches (and over
 * the evaluation batches) on stderr; elsewhere a plain line every tenth of an epoch. Per-epoch
 * lines go to stdout either way.
 */
export function createReporter(target: ReporterTarget): { onEvent: (event: TrainEvent) => void; close: () => void; message: (line: string) => void } {
  const tty = target.err.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  let barPhase = '';
  let every = 1;
  let lossAverage = NaN;

  const stopBar = () => {
    if (bar) bar.stop();
    bar = null;
    barPhase = '';
  };
  const startBar = (phase: string, total: number, value: number, payload: object) => {
    stopBar();
    bar = new cliProgress.SingleBar(
      {
        format: '{phase} [{bar}] {value}/{total} | {info} | {duration_formatted} elapsed, ETA {eta_formatted}',
        stream: target.err,
        clearOnComplete: true,
        hideCursor: true,
        barsize: 30,
        etaBuffer: 20,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    barPhase = phase;
    bar.start(total, value, { phase, ...payload });
  };
  const message = (line: string) => {
    stopBar();
    target.out.write(`${line}\n`);
  };

  const onEvent = (event: TrainEvent): void => {
    switch (event.type) {
      case 'epoch-start': {
        every = Math.max(1, Math.ceil(event.batches / 10));
        lossAverage = NaN;
        if (event.resumedAt > 0) message(`resuming epoch ${event.epoch} at minibatch ${event.resumedAt + 1}/${event.batches}`);
        if (tty) startBar(`epoch ${event.epoch}/${event.epochs}`, event.batches, event.resumedAt, { info: `lr ${event.lr}` });
        break;
      }
      case 'batch': {
        lossAverage = Number.isNaN(lossAverage) ? event.loss : 0.9 * lossAverage + 0.1 * event.loss;
        const info = `loss ${lossAverage.toFixed(4)}, ${event.seconds.toFixed(2)} s/iteration`;
        if (tty) bar?.update(event.batch, { info });
        else if (event.batch % every === 0 || event.batch === event.batches) {
          target.err.write(`epoch ${event.epoch}, minibatch ${event.batch}/${event.batches}, loss ${event.loss.toFixed(6)}, ${event.seconds.toFixed(3)} s/iteration\n`);
        }
        break;
      }
      case 'evaluate': {
        if (!tty) break;
        const phase = event.split === 'validation' ? 'validating' : 'testing';
        if (barPhase !== phase) startBar(phase, event.total, 0, { info: `epoch ${event.epoch}` });
        bar?.update(event.done, { info: `epoch ${event.epoch}` });
        break;
      }
      case 'epoch-end': {
        stopBar();
        for (const line of epochLines(event.record)) target.out.write(`${line}\n`);
        break;
      }
      case 'checkpoint':
        break;
      case 'stopped': {
        const next = event.epoch + 1;
        const where =
          event.batch === 0
            ? `after epoch ${event.epoch}`
            : event.batch === event.batches
              ? `after the minibatches of epoch ${next}, before its evaluation`
              : `after epoch ${event.epoch} and minibatch ${event.batch}/${event.batches} of epoch ${next}`;
        message(`stopped ${where}`);
        break;
      }
    }
  };
  return { onEvent, close: stopBar, message };
}
