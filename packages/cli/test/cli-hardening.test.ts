import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Flatten, Linear, Sequential, deserializeModel, encodeIdx, serializeModel } from '@convlab/nn';
import { bin, convlab, convlabInterrupted, ensureBuilt, fixtures } from './run-cli.js';

/*
 * The command line at its edges: bad seeds and thread counts, resumed runs that must not clobber
 * another run's files, outputs that cannot be written, a reader that goes away, and input files
 * built to cost a lot (a model or PNG declaring huge sizes) or to be the wrong thing. Every bad
 * input exits with status 2 and one line naming it; nothing prints a stack trace.
 */

const plain = join(fixtures, 'plain');
// 10 training, 10 validation, 10 test images of the fixtures: one batch of 10 an epoch.
const TINY = ['--data', plain, '--batch-size', '10', '--seed', '3', '--limit', '10'];
let dir: string;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'convlab-hardening-'));
  const r = convlab(['train', ...TINY, '--epochs', '1', '--out', 'base.cvlm'], dir);
  if (r.status !== 0) throw new Error(`setup training run failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectOneLine(stderr: string, line: string): void {
  expect(stderr).toBe(`convlab: ${line}\n`);
}

describe('--seed and --threads', () => {
  it.each([
    ['4294967296', '4294967296'],
    ['-1', '-1'],
    ['1.5', '1.5'],
    ['abc', 'something that is not a number'],
  ])('--seed %s is refused with status 2', (seed, shown) => {
    const r = convlab(['train', ...TINY.slice(0, 4), '--seed', seed, '--epochs', '1', '--limit', '10'], dir);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, `train: --seed must be an integer in [0, 4294967295], got ${shown}`);
  });

  it('takes the largest seed, 4294967295', () => {
    const r = convlab(['train', ...TINY.slice(0, 4), '--seed', '4294967295', '--epochs', '1', '--limit', '10', '--out', 'maxseed.cvlm'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/seed 4294967295, /);
  });

  it('caps --threads at the cores with one line, and trains on that many', () => {
    const cores = availableParallelism();
    const r = convlab(['train', ...TINY, '--epochs', '1', '--threads', '500', '--out', 'threads.cvlm'], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`convlab: train: --threads 500 is more than the ${cores} cores of this machine; using ${cores}\n`);
    expect(r.stdout).toMatch(new RegExp(`seed 3, ${cores} threads?$`, 'm'));
  });
});

describe('--resume', () => {
  it("writes the run's own --out, never the default name in the working folder", () => {
    const here = mkdtempSync(join(dir, 'resume-'));
    mkdirSync(join(here, 'runs'));
    expect(convlab(['train', ...TINY, '--epochs', '1', '--out', 'runs/a.cvlm'], here).status).toBe(0);
    const first = readFileSync(join(here, 'runs/a.cvlm'));
    writeFileSync(join(here, 'lenet5.cvlm'), 'another run of mine');
    const r = convlab(['train', '--data', plain, '--resume', 'runs/a.ckpt', '--epochs', '2'], here);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^model written to runs\/a\.cvlm$/m);
    expect(readFileSync(join(here, 'lenet5.cvlm'), 'utf8')).toBe('another run of mine');
    expect(readFileSync(join(here, 'runs/a.cvlm'))).not.toEqual(first);
  });

  it('says what a smaller --epochs did: nothing trained, the best model written', () => {
    const here = mkdtempSync(join(dir, 'fewer-'));
    expect(convlab(['train', ...TINY, '--epochs', '2', '--out', 'b.cvlm'], here).status).toBe(0);
    const model = readFileSync(join(here, 'b.cvlm'));
    const checkpoint = readFileSync(join(here, 'b.ckpt'));
    const r = convlab(['train', '--data', plain, '--resume', 'b.ckpt', '--epochs', '1'], here);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^the checkpoint has finished 2 epochs and the run asks for 1: nothing is trained; its best model goes to b\.cvlm$/m);
    expect(r.stdout).not.toMatch(/^epoch \d/m);
    expect(r.stdout).not.toMatch(/checkpoint written/);
    // The same weights (the header's copy of the settings now says 1 epoch); the checkpoint untouched.
    const weights = (bytes: Buffer) => Buffer.concat(deserializeModel(bytes).parameters().map((p) => new Uint8Array(p.value.data.buffer)));
    expect(weights(readFileSync(join(here, 'b.cvlm'))).equals(weights(model))).toBe(true);
    expect(readFileSync(join(here, 'b.ckpt')).equals(checkpoint)).toBe(true);
  });

  it('says what a larger --epochs did', () => {
    const here = mkdtempSync(join(dir, 'more-'));
    expect(convlab(['train', ...TINY, '--epochs', '1', '--out', 'c.cvlm'], here).status).toBe(0);
    const r = convlab(['train', '--data', plain, '--resume', 'c.ckpt', '--epochs', '2'], here);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^--epochs 2: the run was set to 1 epochs and now ends after epoch 2 \(1 done\)$/m);
  });

  it('refuses a checkpoint made on other data with status 2, before training', () => {
    // Six training images: five train, one validates; the run trained on ten.
    const six = join(dir, 'mnist-6');
    mkdirSync(six);
    writeFileSync(join(six, 'train-images-idx3-ubyte'), encodeIdx([6, 28, 28], new Uint8Array(6 * 784)));
    writeFileSync(join(six, 'train-labels-idx1-ubyte'), encodeIdx([6], new Uint8Array(6)));
    for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(plain, name), join(six, name));
    const r = convlab(['train', '--data', six, '--resume', 'base.ckpt'], dir);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, `base.ckpt: the run trained on 10 images, the data in ${six} gives 5`);
  });

  it('prints the whole command to continue after Ctrl-C, quoting what the shell needs', async () => {
    const here = mkdtempSync(join(dir, 'interrupt-'));
    const stopped = await convlabInterrupted(
      ['train', '--data', plain, '--batch-size', '5', '--limit', '20', '--epochs', '50', '--out', 'my run.cvlm', '--log', 'run.jsonl'],
      here,
      /epoch 1, minibatch 2\/4/,
    );
    expect(stopped.status).toBe(130);
    expect(stopped.stdout).toContain(`continue with: convlab train --resume 'my run.ckpt' --data ${plain} --log run.jsonl\n`);
  });
});

describe('output files', () => {
  it('fails before training when --out, --checkpoint or --log is under a file, naming that path', () => {
    writeFileSync(join(dir, 'afile'), 'x');
    for (const flag of ['out', 'checkpoint', 'log']) {
      const r = convlab(['train', ...TINY, '--epochs', '1', `--${flag}`, 'afile/x.out'], dir);
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, `train: --${flag} afile/x.out: ${join(dir, 'afile')} is not a folder`);
      expect(r.stdout).toBe('');
    }
  });

  it('fails before training when a folder or a log cannot be written (EACCES), naming the path', (context) => {
    // Permissions do not stop root: as root, the command runs as the unprivileged user "nobody"
    // (when nobody can read this checkout at all; otherwise there is no one to test as).
    const asRoot = process.getuid?.() === 0;
    const nobody = { uid: 65534, gid: 65534 };
    if (asRoot && spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(bin)})`], nobody).status !== 0) context.skip();
    const here = mkdtempSync(join(tmpdir(), 'convlab-eacces-'));
    try {
      chmodSync(here, 0o777);
      mkdirSync(join(here, 'readonly'), { mode: 0o555 });
      chmodSync(join(here, 'readonly'), 0o555);
      writeFileSync(join(here, 'locked.jsonl'), 'an old log\n', { mode: 0o444 });
      chmodSync(join(here, 'locked.jsonl'), 0o444);
      const run = (args: string[]) =>
        spawnSync(process.execPath, [bin, 'train', ...TINY, '--epochs', '1', ...args], {
          cwd: here,
          encoding: 'utf8',
          env: { ...process.env, CONVLAB_DEBUG: '' },
          ...(asRoot ? nobody : {}),
        });
      const out = run(['--out', 'readonly/m.cvlm']);
      expect(out.status).toBe(2);
      expectOneLine(out.stderr, `train: --out readonly/m.cvlm: cannot write in ${join(here, 'readonly')}: EACCES: permission denied`);
      const log = run(['--out', 'm.cvlm', '--log', 'locked.jsonl']);
      expect(log.status).toBe(2);
      expectOneLine(log.stderr, 'train: --log locked.jsonl: cannot write: EACCES: permission denied');
      expect(readFileSync(join(here, 'locked.jsonl'), 'utf8')).toBe('an old log\n');
      expect(existsSync(join(here, 'm.cvlm'))).toBe(false);
    } finally {
      rmSync(here, { recursive: true, force: true });
    }
  });

  it('bench checks --json and --charts before measuring anything', () => {
    writeFileSync(join(dir, 'afile'), 'x');
    const json = convlab(['bench', '--tiny', '--json', 'afile/r.json'], dir);
    expect(json.status).toBe(2);
    expectOneLine(json.stderr, `bench: --json afile/r.json: ${join(dir, 'afile')} is not a folder`);
    const charts = convlab(['bench', '--tiny', '--charts', 'afile/charts'], dir);
    expect(charts.status).toBe(2);
    expectOneLine(charts.stderr, `bench: --charts afile/charts: ${join(dir, 'afile')} is not a folder`);
  });

  it('names the log file when the disk is full (ENOSPC), not a temporary file', () => {
    const r = convlab(['train', ...TINY, '--epochs', '1', '--out', 'full.cvlm', '--log', '/dev/full'], dir);
    expect(r.status).toBe(1);
    expectOneLine(r.stderr, '/dev/full: cannot write: ENOSPC: no space left on device');
    expect(existsSync(join(dir, 'full.cvlm'))).toBe(false);
  });

  it('ends quietly with the model written when stdout closes early (convlab train | head -1)', async () => {
    const here = mkdtempSync(join(dir, 'pipe-'));
    const result = await new Promise<{ status: number | null; stderr: string; first: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'train', ...TINY, '--epochs', '2', '--out', 'p.cvlm'], { cwd: here, env: { ...process.env, CONVLAB_DEBUG: '' } });
      let stderr = '';
      let first = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.once('data', (d: Buffer) => {
        first = d.toString().split('\n')[0]!;
        child.stdout.destroy();
      });
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stderr, first }));
    });
    expect(result.first).toMatch(/^training lenet5/);
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/Error|\n\s+at /);
    expect(existsSync(join(here, 'p.cvlm'))).toBe(true);
  });
});

describe('untrusted input files exit with status 2 and name the file', () => {
  it('a small model file declaring a 40000x40000 Linear is refused before any layer is built', () => {
    // A real file whose header has room to spare (its meta), forged to declare a huge layer.
    const bytes = Buffer.from(serializeModel(new Sequential(new Flatten(), new Linear({ inFeatures: 784, outFeatures: 10 })), { meta: { note: "room to spare" } }));
    const headerLength = bytes.readUInt32LE(12);
    const header = JSON.parse(bytes.subarray(16, 16 + headerLength).toString('utf8'));
    delete header.meta;
    header.architecture.layers[1].inFeatures = 40000;
    header.architecture.layers[1].outFeatures = 40000;
    const json = Buffer.from(JSON.stringify(header));
    // Keep the file's layout: pad the new header to the old one's length (the data stays where it was).
    expect(json.length).toBeLessThanOrEqual(headerLength);
    const forged = Buffer.from(bytes);
    forged.fill(0x20, 16, 16 + headerLength);
    json.copy(forged, 16);
    writeFileSync(join(dir, 'bomb.cvlm'), forged);
    expect(forged.length).toBeLessThan(40_000);
    const r = convlab(['eval', '--model', 'bomb.cvlm', '--data', plain], dir);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, 'bomb.cvlm: the architecture declares 1.weight [40000, 40000], the file stores [10, 784]');
  });

  it('a model of another network is refused by eval and predict with the mismatch', () => {
    writeFileSync(join(dir, 'five.cvlm'), serializeModel(new Sequential(new Flatten(), new Linear({ inFeatures: 784, outFeatures: 5 }))));
    writeFileSync(join(dir, 'small-input.cvlm'), serializeModel(new Sequential(new Flatten(), new Linear({ inFeatures: 100, outFeatures: 10 }))));
    const five = convlab(['eval', '--model', 'five.cvlm', '--data', plain], dir);
    expect(five.status).toBe(2);
    expectOneLine(five.stderr, 'five.cvlm: the model gives [1, 5] for one image; an MNIST classifier gives [1, 10], a score per digit');
    const small = convlab(['predict', '--model', 'small-input.cvlm', '--index', '0', '--data', plain], dir);
    expect(small.status).toBe(2);
    expectOneLine(small.stderr, 'small-input.cvlm: the model does not take a 28x28 MNIST image: Linear: input shape [1, 784] does not end in inFeatures 100');
  });

  it('a PNG declaring 16000x16000 pixels is refused from its header, before decoding', () => {
    // A PNG signature and an IHDR chunk alone: no pixel data at all, so only the header was read.
    const png = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png, 0);
    png.writeUInt32BE(13, 8);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(16000, 16);
    png.writeUInt32BE(16000, 20);
    png.set([8, 6, 0, 0, 0], 24);
    writeFileSync(join(dir, 'bomb.png'), png);
    const r = convlab(['predict', '--model', 'base.cvlm', '--image', 'bomb.png'], dir);
    expect(r.status).toBe(2);
    expectOneLine(r.stderr, 'bomb.png: the image declares 16000x16000 pixels, more than the 16777216 a PNG may have here');
    const wrong = convlab(['predict', '--model', 'base.cvlm', '--image', join(fixtures, 'png', 'wrong-size-32x32.png'), '--no-prepare'], dir);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/wrong-size-32x32\.png: the image is 32x32; without preparation a digit must be 28x28 pixels, like MNIST's\n$/);
  });

  it('MNIST files whose images are not 28x28 are refused by train, eval and predict, naming the file', () => {
    const small = join(dir, 'mnist-14');
    mkdirSync(small);
    for (const [name, n] of [['train-images-idx3-ubyte', 60], ['t10k-images-idx3-ubyte', 20]] as const) {
      writeFileSync(join(small, name), encodeIdx([n, 14, 14], new Uint8Array(n * 14 * 14)));
    }
    for (const name of ['train-labels-idx1-ubyte', 't10k-labels-idx1-ubyte']) copyFileSync(join(plain, name), join(small, name));
    const file = (name: string) => join(small, name);
    const runs: Array<[string[], string]> = [
      [['train', '--data', small, '--epochs', '1'], file('train-images-idx3-ubyte')],
      [['eval', '--model', 'base.cvlm', '--data', small], file('t10k-images-idx3-ubyte')],
      [['predict', '--model', 'base.cvlm', '--index', '0', '--data', small], file('t10k-images-idx3-ubyte')],
    ];
    for (const [args, named] of runs) {
      const r = convlab(args, dir);
      expect(r.status).toBe(2);
      expectOneLine(r.stderr, `${named}: images are 14x14; MNIST images are 28x28`);
    }
  });

  it.each([
    ['a checkpoint that is not one', ['train', '--data', plain, '--resume', 'base.cvlm'], /^convlab: base\.cvlm: /],
    ['a model file that is a checkpoint of nothing', ['eval', '--model', join(fixtures, 'plain', 'train-labels-idx1-ubyte'), '--data', plain], /train-labels-idx1-ubyte: not a convlab model file/],
    ['a corrupt data file', ['eval', '--model', 'base.cvlm', '--data', join(fixtures, 'corrupt')], /^convlab: /],
    ['a PNG that is not one', ['predict', '--model', 'base.cvlm', '--image', join(fixtures, 'png', 'not-a-png.png')], /not-a-png\.png: not a readable PNG image/],
  ])('%s: status 2', (_name, args, message) => {
    const r = convlab(args, dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
