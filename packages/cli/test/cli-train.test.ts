import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convlab, convlabInterrupted, ensureBuilt, fixtures } from './run-cli.js';

const plain = join(fixtures, 'plain');
const gz = join(fixtures, 'gz');
const png = (name: string) => join(fixtures, 'png', name);
let dir: string;

// A tiny run: 50 training, 10 validation, 20 test images of the fixtures, batches of 10.
const TINY = ['--data', plain, '--batch-size', '10', '--seed', '3'];

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'convlab-cli-'));
  const r = convlab(['train', ...TINY, '--epochs', '3', '--out', 'm.model', '--log', 'run.jsonl'], dir);
  if (r.status !== 0) throw new Error(`setup training run failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logOf(path: string): Array<Record<string, any>> {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

const pct = (fraction: number) => `${(fraction * 100).toFixed(6)} %`;

describe('convlab --help', () => {
  it.each([
    ['train', ['--epochs', '--batch-size', '--lr', '--optimizer', '--momentum', '--conv', '--data', '--limit', '--seed', '--out', '--log', '--resume', '--lr-decay', '--augment-shift']],
    ['eval', ['--model', '--data', '--limit']],
    ['predict', ['--model', '--image', '--index', '--data']],
  ])('%s --help lists its options', (command, options) => {
    const r = convlab([command, '--help'], dir);
    expect(r.status).toBe(0);
    for (const option of options) expect(r.stdout).toContain(option);
  });
});

describe('convlab train', () => {
  it("prints the lecture's per-epoch lines and plain minibatch lines off a terminal", () => {
    const r = convlab(['train', ...TINY, '--epochs', '2', '--out', 'two.model'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^epoch 1, minibatch 5\/5, validation error \d+\.\d{6} %$/m);
    expect(r.stdout).toMatch(/^ {4}epoch 1, minibatch 5\/5, test error of best model \d+\.\d{6} %$/m);
    expect(r.stdout).toMatch(/^time elapsed for this epoch \d+\.\d{6} s$/m);
    expect(r.stdout).toMatch(/^model written to two\.model$/m);
    expect(r.stderr).toMatch(/^epoch 2, minibatch 5\/5, loss \d+\.\d+, \d+\.\d+ s\/iteration$/m);
    // No progress bar, no escape codes when stderr is a pipe.
    expect(r.stderr).not.toContain('\x1b');
    expect(existsSync(join(dir, 'two.model'))).toBe(true);
    expect(existsSync(join(dir, 'two.ckpt'))).toBe(true);
  });

  it('writes JSON lines: start, every minibatch, every epoch, end', () => {
    const log = logOf(join(dir, 'run.jsonl'));
    expect(log[0]!.event).toBe('start');
    expect(log[0]!.config).toMatchObject({ model: 'lenet5', batchSize: 10, lr: 0.1, optimizer: 'sgd', epochs: 3, seed: 3 });
    expect(log[0]!.machine.cores).toBeGreaterThan(0);
    expect(log.filter((l) => l.event === 'batch')).toHaveLength(15);
    const epochs = log.filter((l) => l.event === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const e of epochs) {
      expect(e.validationError).toBeGreaterThanOrEqual(0);
      expect(e.epochSeconds).toBeGreaterThan(0);
      expect(e.iterationSeconds).toBeGreaterThan(0);
    }
    const end = log[log.length - 1]!;
    expect(end).toMatchObject({ event: 'end', stopped: false, out: 'm.model', checkpoint: 'm.ckpt' });
    expect(end.best.testError).toBe(epochs[end.best.epoch - 1]!.testError);
  });

  it('resumes from a checkpoint to the same model, byte for byte', () => {
    expect(convlab(['train', ...TINY, '--epochs', '1', '--out', 'r.model'], dir).status).toBe(0);
    const r = convlab(['train', '--data', plain, '--resume', 'r.ckpt', '--epochs', '3', '--out', 'r3.model'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^resuming lenet5/m);
    expect(r.stdout).not.toMatch(/^epoch 1,/m);
    expect(r.stdout).toMatch(/^epoch 3, minibatch 5\/5, validation error/m);
    expect(readFileSync(join(dir, 'r3.model'))).toEqual(readFileSync(join(dir, 'm.model')));
  });

  it('stops cleanly on Ctrl-C after saving, and the resumed run equals an uninterrupted one', async () => {
    const args = ['train', '--data', plain, '--batch-size', '5', '--seed', '4'];
    const stopped = await convlabInterrupted([...args, '--epochs', '50', '--out', 'c.model'], dir, /epoch 2, minibatch 3\/10/);
    expect(stopped.signalled).toBe(true);
    expect(stopped.status).toBe(130);
    expect(stopped.stdout).toMatch(/stopping after this minibatch/);
    expect(stopped.stdout).toMatch(/^stopped after (epoch \d+ and minibatch \d+\/10 of epoch \d+|the minibatches of epoch \d+, before its evaluation)$/m);
    // The whole command: the run's data folder too (its --out is in the checkpoint).
    expect(stopped.stdout).toContain(`continue with: convlab train --resume c.ckpt --data ${plain}\n`);
    expect(stopped.stderr).not.toMatch(/\n\s+at /);
    const resumed = convlab(['train', '--data', plain, '--resume', 'c.ckpt', '--epochs', '4', '--out', 'c4.model'], dir);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toMatch(/^resuming epoch \d+ at minibatch \d+\/10$/m);
    expect(convlab([...args, '--epochs', '4', '--out', 'u4.model'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'c4.model'))).toEqual(readFileSync(join(dir, 'u4.model')));
  });

  it('reads gzip-compressed data, trims with --limit, and names its files after the model by default', () => {
    const here = mkdtempSync(join(dir, 'defaults-'));
    const r = convlab(['train', '--data', gz, '--limit', '7', '--batch-size', '4', '--epochs', '1'], here);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/on 7 training, 7 validation, 7 test images/);
    expect(r.stdout).toMatch(/^epoch 1, minibatch 2\/2, validation error/m);
    expect(r.stdout).toMatch(/^model written to lenet5\.cvlm$/m);
    expect(r.stdout).toMatch(/^checkpoint written to lenet5\.ckpt$/m);
    expect(existsSync(join(here, 'lenet5.cvlm')) && existsSync(join(here, 'lenet5.ckpt'))).toBe(true);
  });
});

describe('convlab eval and predict', () => {
  it('eval prints the test error the training run reported for its best model, and the confusion matrix', () => {
    const log = logOf(join(dir, 'run.jsonl'));
    const best = log[log.length - 1]!.best;
    for (const model of ['m.model', 'm.ckpt']) {
      const r = convlab(['eval', '--model', model, '--data', plain], dir);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`test error ${pct(best.testError)} (${Math.round(best.testError * 20)} of 20 test images misclassified)`);
      expect(r.stdout).toContain('confusion matrix (rows: true class, columns: predicted class):');
      const rows = r.stdout.split('\n').filter((line) => /^\s+\d\s+(\s+\d+){10}\s+\d+\s+/.test(line));
      expect(rows).toHaveLength(10);
      const totals = rows.map((line) => Number(line.trim().split(/\s+/)[11]));
      expect(totals.reduce((a, b) => a + b, 0)).toBe(20);
    }
    expect(convlab(['eval', '--model', 'm.ckpt', '--data', plain], dir).stdout).toMatch(/checkpoint m\.ckpt \(its best model, epoch \d\)/);
  });

  it('predict gives probabilities for a test image, and the same for the same digit as a PNG', () => {
    const byIndex = convlab(['predict', '--model', 'm.model', '--index', '0', '--data', plain, '--json'], dir);
    expect(byIndex.status).toBe(0);
    const a = JSON.parse(byIndex.stdout);
    expect(a.label).toBe(7);
    expect(a.probabilities).toHaveLength(10);
    expect(a.probabilities.reduce((s: number, p: number) => s + p, 0)).toBeCloseTo(1, 12);
    expect(a.predicted).toBe(a.probabilities.indexOf(Math.max(...a.probabilities)));
    // The PNGs hold the same pixels as test image 0, in gray, RGB and RGBA.
    for (const name of ['seven-gray.png', 'seven-rgb.png', 'seven-rgba.png']) {
      const r = convlab(['predict', '--model', 'm.model', '--image', png(name), '--json'], dir);
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout).probabilities).toEqual(a.probabilities);
    }
    const text = convlab(['predict', '--model', 'm.model', '--index', '0', '--data', plain], dir);
    expect(text.stdout).toMatch(new RegExp(`^test image 0: predicted ${a.predicted} \\(probability \\d\\.\\d{6}\\), label 7$`, 'm'));
    expect(text.stdout.split('\n').filter((l) => /^\s+\d  \d\.\d{6}/.test(l))).toHaveLength(10);
  });

  it('prepares a PNG of any other size as MNIST was made: the same digit bigger, elsewhere, dark on light, gives the same probabilities', () => {
    const probabilities = (args: string[]) => {
      const r = convlab(['predict', '--model', 'm.model', '--json', ...args], dir);
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout).probabilities as number[];
    };
    const prepared = probabilities(['--image', png('seven-gray.png'), '--prepare']);
    // 32x32: test image 0 in its top-left corner, so the same ink box as the 28x28 one.
    expect(probabilities(['--image', png('wrong-size-32x32.png')])).toEqual(prepared);
    // Each pixel of test image 0 as a 3x3 block, dark on white, at (17, 9) of a 130x110 image: area
    // averaging the tripled box back to 20 pixels gives the same pixels up to round-off.
    const seven = PNG.sync.read(readFileSync(png('seven-gray.png')));
    writeFileSync(join(dir, 'big-seven.png'), grayPng(110, 130, (x, y) => {
      const sx = Math.floor((x - 9) / 3);
      const sy = Math.floor((y - 17) / 3);
      return 255 - (sx >= 0 && sx < 28 && sy >= 0 && sy < 28 ? seven.data[4 * (sy * 28 + sx)]! : 0);
    }));
    const big = probabilities(['--image', 'big-seven.png', '--invert']);
    big.forEach((p, i) => expect(p).toBeCloseTo(prepared[i]!, 6));
  });
});

/** A grayscale PNG whose pixels come from `pixel(x, y)` (0..255). */
function grayPng(width: number, height: number, pixel: (x: number, y: number) => number): Buffer {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      image.data[i] = image.data[i + 1] = image.data[i + 2] = pixel(x, y);
      image.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(image);
}

describe('bad input: one line, non-zero exit, no stack trace, no file overwritten', () => {
  const corrupt = (name: string) => join(fixtures, 'corrupt', name);
  /** A data folder with one file replaced by a corrupt one. */
  function brokenData(name: string, replacement: string): string {
    const d = mkdtempSync(join(dir, 'data-'));
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      copyFileSync(join(plain, f), join(d, f));
    }
    copyFileSync(replacement, join(d, name));
    return d;
  }

  const cases: Array<[string, () => string[], RegExp]> = [
    ['--epochs 0', () => ['train', '--epochs', '0'], /^convlab: train: --epochs must be a positive integer, got 0$/],
    ['--epochs -3', () => ['train', '--epochs', '-3'], /^convlab: train: --epochs must be a positive integer, got -3$/],
    ['--epochs 1.5', () => ['train', '--epochs', '1.5'], /^convlab: train: --epochs must be a positive integer, got 1\.5$/],
    ['--batch-size abc', () => ['train', '--batch-size', 'abc'], /^convlab: train: --batch-size must be a positive integer, got something that is not a number$/],
    ['--lr 0', () => ['train', '--lr', '0'], /^convlab: train: --lr must be a positive number, got 0$/],
    ['--momentum 1', () => ['train', '--momentum', '1'], /^convlab: train: --momentum must be a number in \[0, 1\), got 1$/],
    ['--augment-shift -1', () => ['train', '--augment-shift', '-1'], /^convlab: train: --augment-shift must be a non-negative integer, got -1$/],
    ['--limit 0', () => ['train', '--limit', '0'], /^convlab: train: --limit must be a positive integer, got 0$/],
    ['--optimizer rmsprop', () => ['train', '--optimizer', 'rmsprop'], /^convlab: train: --optimizer must be sgd or adam, got "rmsprop"$/],
    ['--conv winograd', () => ['train', '--conv', 'winograd'], /^convlab: train: --conv must be one of direct, im2col, fft, auto, got "winograd"$/],
    ['--model resnet', () => ['train', '--model', 'resnet'], /^convlab: train: --model "resnet" is not a known model \(known: lenet5, /],
    ['--activation swish', () => ['train', ...TINY, '--activation', 'swish'], /^convlab: train: --activation must be one of tanh, relu, sigmoid, got "swish"$/],
    ['an unknown option', () => ['train', '--epoch', '3'], /^convlab: Unknown argument: epoch$/],
    ['a missing data folder', () => ['train', '--data', 'no-such-dir'], /^convlab: train: --data no-such-dir: no such directory$/],
    ['a truncated IDX file', () => ['train', '--data', brokenData('train-images-idx3-ubyte', corrupt('truncated-images-idx3-ubyte'))], /train-images-idx3-ubyte: truncated: header says 60x28x28 = 47040 bytes of pixels, file has 1200$/],
    ['a file that is not IDX', () => ['train', '--data', brokenData('t10k-images-idx3-ubyte', corrupt('text-idx3-ubyte'))], /t10k-images-idx3-ubyte: not an IDX file: magic number 0x74686973/],
    ['labels given as images', () => ['train', '--data', brokenData('train-images-idx3-ubyte', corrupt('labels-as-images-idx3-ubyte'))], /train-images-idx3-ubyte: magic number 0x00000801 is not an IDX images file/],
    ['a missing checkpoint', () => ['train', '--resume', 'nothing.ckpt'], /^convlab: train: --resume nothing\.ckpt: no such file$/],
    ['a model file given as a checkpoint', () => ['train', '--resume', 'm.model'], /^convlab: m\.model: not a convlab checkpoint \(no CVLBNDL1 magic\)$/],
    ['a resume that changes the learning rate', () => ['train', '--data', plain, '--resume', 'm.ckpt', '--lr', '0.5'], /^convlab: train: --lr 0\.5 differs from the checkpoint's 0\.1 \(m\.ckpt\); a resumed run keeps its settings$/],
    ['--out naming a folder', () => ['train', '--out', '.'], /^convlab: train: --out \. is a directory, not a file$/],
    ['eval without --model', () => ['eval'], /^convlab: Missing required argument: model$/],
    ['eval of a missing model', () => ['eval', '--model', 'gone.model'], /^convlab: eval: --model gone\.model: no such file$/],
    ['eval of a file that is not a model', () => ['eval', '--model', 'run.jsonl'], /^convlab: run\.jsonl: not a convlab model file: it does not start with "CVLMODEL"$/],
    ['eval of a truncated model', () => {
      writeFileSync(join(dir, 'cut.model'), readFileSync(join(dir, 'm.model')).subarray(0, 5000));
      return ['eval', '--model', 'cut.model'];
    }, /^convlab: cut\.model: truncated: the header promises \d+ bytes of weights, the file holds \d+$/],
    ['predict of a PNG not 28x28 with --no-prepare', () => ['predict', '--model', 'm.model', '--image', png('wrong-size-32x32.png'), '--no-prepare'], /wrong-size-32x32\.png: the image is 32x32; without preparation a digit must be 28x28 pixels, like MNIST's$/],
    ['predict of an empty drawing', () => {
      writeFileSync(join(dir, 'empty.png'), grayPng(200, 150, () => 3));
      return ['predict', '--model', 'm.model', '--image', 'empty.png'];
    }, /^convlab: empty\.png: the drawing is empty: no pixel is above the ink threshold 0\.05$/],
    ['predict of a file that is not a PNG', () => ['predict', '--model', 'm.model', '--image', png('not-a-png.png')], /not-a-png\.png: not a readable PNG image/],
    ['predict without an input', () => ['predict', '--model', 'm.model'], /^convlab: predict: give --image PNG or --index K$/],
    ['predict with both inputs', () => ['predict', '--model', 'm.model', '--index', '0', '--image', png('seven-gray.png')], /^convlab: Arguments image and index are mutually exclusive$/],
    ['predict past the test set', () => ['predict', '--model', 'm.model', '--data', plain, '--index', '20'], /^convlab: predict: --index 20 is past the last test image \(19\)$/],
    ['predict of a negative index', () => ['predict', '--model', 'm.model', '--index', '-1'], /^convlab: predict: --index must be a non-negative integer, got -1$/],
  ];

  it.each(cases)('%s', (_, args, message) => {
    const r = convlab(args(), dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('keeps the files a failed run would have written', () => {
    const precious = { 'keep.model': 'my model', 'keep.ckpt': 'my checkpoint', 'keep.jsonl': 'my log' };
    for (const [name, text] of Object.entries(precious)) writeFileSync(join(dir, name), text);
    const outputs = ['--out', 'keep.model', '--checkpoint', 'keep.ckpt', '--log', 'keep.jsonl'];
    const broken = brokenData('train-labels-idx1-ubyte', corrupt('trailing-labels-idx1-ubyte'));
    for (const args of [
      ['train', '--data', broken, ...outputs],
      ['train', '--data', plain, '--lr', '-1', ...outputs],
      ['train', '--data', plain, '--resume', 'run.jsonl', ...outputs],
    ]) {
      const r = convlab(args, dir);
      expect(r.status).not.toBe(0);
      for (const [name, text] of Object.entries(precious)) expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
    }
    expect(convlab(['train', '--data', plain, '--out', 'same', '--log', 'same'], dir).stderr.trim()).toBe(
      'convlab: train: --log and --out name the same file same',
    );
  });
});
