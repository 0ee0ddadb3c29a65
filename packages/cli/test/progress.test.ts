import { describe, expect, it } from 'vitest';
import type { EpochRecord, TrainEvent } from '@convlab/nn';
import { createReporter, epochLines, percent } from '../src/progress.js';
import { formatConfusion, softmax } from '../src/report-format.js';

/** A stream that records what is written. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 120,
    chunks,
    write(s: string) {
      chunks.push(String(s));
      return true;
    },
    // cli-progress asks a terminal stream for these.
    cursorTo() {
      return true;
    },
    clearLine() {
      return true;
    },
    moveCursor() {
      return true;
    },
    on() {},
    removeListener() {},
    text: () => chunks.join(''),
  };
}

const record: EpochRecord = {
  epoch: 27, lr: 0.1, trainLoss: 0.0123456, trainError: 0.00321, validationError: 0.0149, testError: 0.0139,
  bestValidationError: 0.0149, bestTestError: 0.0139, bestEpoch: 27, epochSeconds: 711.111577,
  iterationSeconds: 1.2345, evalSeconds: 20.5, batches: 100,
};

function run(isTTY: boolean) {
  const out = sink(false);
  const err = sink(isTTY);
  const reporter = createReporter({ out: out as never, err: err as never });
  const events: TrainEvent[] = [
    { type: 'epoch-start', epoch: 27, epochs: 30, batches: 100, lr: 0.1, resumedAt: 0 },
    ...Array.from({ length: 100 }, (_, b): TrainEvent => ({ type: 'batch', epoch: 27, batch: b + 1, batches: 100, loss: 0.5, seconds: 1.2 })),
    { type: 'evaluate', epoch: 27, split: 'validation', done: 500, total: 10000 },
    { type: 'epoch-end', record },
  ];
  for (const e of events) reporter.onEvent(e);
  reporter.close();
  return { out: out.text(), err: err.text() };
}

describe('training output', () => {
  it("formats the lecture's epoch lines to the digit", () => {
    expect(percent(0.0139)).toBe('1.390000 %');
    expect(epochLines(record).slice(0, 3)).toEqual([
      'epoch 27, minibatch 100/100, validation error 1.490000 %',
      '    epoch 27, minibatch 100/100, test error of best model 1.390000 %',
      'time elapsed for this epoch 711.111577 s',
    ]);
    expect(epochLines({ ...record, testError: null })).toHaveLength(3);
  });

  it('writes a plain line every tenth of an epoch off a terminal, and a bar on one', () => {
    const plain = run(false);
    expect(plain.err.trim().split('\n')).toHaveLength(10);
    expect(plain.err).toMatch(/^epoch 27, minibatch 10\/100, loss 0\.500000, 1\.200 s\/iteration$/m);
    expect(plain.out).toContain('epoch 27, minibatch 100/100, validation error 1.490000 %');
    const tty = run(true);
    expect(tty.err).toContain('epoch 27/30');
    expect(tty.err).toContain('100/100');
    expect(tty.err).toContain('validating');
    expect(tty.out).toContain('test error of best model 1.390000 %');
  });
});

describe('the stop message', () => {
  it('says where the run stopped: between epochs, mid-epoch, or before an evaluation', () => {
    const said = (batch: number) => {
      const out = sink(false);
      const reporter = createReporter({ out: out as never, err: sink(false) as never });
      reporter.onEvent({ type: 'stopped', epoch: 4, batch, batches: 100 });
      return out.text().trim();
    };
    expect(said(0)).toBe('stopped after epoch 4');
    expect(said(37)).toBe('stopped after epoch 4 and minibatch 37/100 of epoch 5');
    expect(said(100)).toBe('stopped after the minibatches of epoch 5, before its evaluation');
  });
});

describe('eval and predict tables', () => {
  it('prints the confusion matrix with totals and per-class error', () => {
    const lines = formatConfusion([
      [8, 2],
      [1, 9],
    ]);
    expect(lines[0]).toBe('confusion matrix (rows: true class, columns: predicted class):');
    expect(lines[2]!.trim().split(/\s+/)).toEqual(['0', '8', '2', '10', '20.00', '%']);
    expect(lines[3]!.trim().split(/\s+/)).toEqual(['1', '1', '9', '10', '10.00', '%']);
  });

  it('computes a stable softmax', () => {
    const p = softmax([1000, 1000 + Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
  });
});
