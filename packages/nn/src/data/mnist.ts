import { optionsObject } from '@convlab/core';
import { parseIdx } from './idx.js';
import type { IdxArray } from './idx.js';
import { scalePixels } from './dataset.js';
import type { Dataset } from './dataset.js';

/*
 * MNIST from the bytes of its four IDX files, in any runtime (a browser fetches them; Node's
 * `loadMnist` in @convlab/nn/node reads them from a folder).
 */

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

/** MNIST images are 28x28; the networks' layer sizes follow from it. */
export const MNIST_IMAGE_SIZE = 28;

export interface MnistSplitOptions {
  /** Keep at most this many examples of each split (the first ones), for quick runs. */
  limit?: number;
  /**
   * How many of the training file's images, taken from its end, form the validation split
   * (default 10,000, the lecture's; a file with fewer than 60,000 images gets a sixth of them).
   */
  validationSize?: number;
}

/** The three splits. */
export interface MnistSplits {
  /** The first (N - validationSize) images of the training file. */
  train: Dataset;
  /** The last validationSize images of the training file. */
  validation: Dataset;
  /** The test file's images. */
  test: Dataset;
}

/** A decoded IDX file and the name its errors use (its path, or its name). */
export interface NamedIdx {
  name: string;
  idx: IdxArray;
}

interface Pair {
  images: IdxArray;
  labels: IdxArray;
  rows: number;
  cols: number;
}

function pairOf(images: NamedIdx, labels: NamedIdx, classes: number): Pair {
  const [n, rows, cols] = images.idx.dims as [number, number, number];
  if (rows !== MNIST_IMAGE_SIZE || cols !== MNIST_IMAGE_SIZE) {
    throw new Error(`${images.name}: images are ${rows}x${cols}; MNIST images are ${MNIST_IMAGE_SIZE}x${MNIST_IMAGE_SIZE}`);
  }
  if (labels.idx.dims[0] !== n) {
    throw new Error(`${labels.name}: ${labels.idx.dims[0]} labels, but ${images.name} has ${n} images`);
  }
  const bad = labels.idx.data.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new Error(`${labels.name}: label ${labels.idx.data[bad]} at index ${bad} is not a class 0..${classes - 1}`);
  }
  return { images: images.idx, labels: labels.idx, rows, cols };
}

function take(pair: Pair, start: number, count: number): Dataset {
  return {
    images: scalePixels(pair.images.data, start, count, pair.rows, pair.cols),
    labels: Int32Array.from(pair.labels.data.subarray(start, start + count)),
  };
}

/** Refuses a limit that is not a positive integer (null and undefined mean none). */
export function checkLimit(limit: number | null | undefined): void {
  if (limit !== undefined && limit !== null && !(Number.isInteger(limit) && limit > 0)) {
    throw new Error(`MNIST: limit must be a positive integer, got ${limit}`);
  }
}

/**
 * The lecture's split of the four decoded files: train = the first 50,000 images of the training
 * file, validation = its last 10,000, test = the 10,000 test images. Pixels are float32 in [0, 1]
 * (byte / 255), images [N, 1, 28, 28], labels Int32Array. `limit` keeps the first `limit` of each.
 */
export function splitMnist(files: Record<MnistFileKey, NamedIdx>, options: MnistSplitOptions = {}): MnistSplits {
  const limit = options.limit ?? undefined;
  checkLimit(limit);
  const training = pairOf(files.trainImages, files.trainLabels, MNIST_CLASSES);
  const testing = pairOf(files.testImages, files.testLabels, MNIST_CLASSES);
  if (training.rows !== testing.rows || training.cols !== testing.cols) {
    throw new Error(`${files.testImages.name}: images are ${testing.rows}x${testing.cols}, but the training images are ${training.rows}x${training.cols}`);
  }
  const n = training.images.dims[0]!;
  const validationSize = options.validationSize ?? (n >= 60_000 ? MNIST_VALIDATION_SIZE : Math.floor(n / 6));
  if (!Number.isInteger(validationSize) || validationSize < 1 || validationSize >= n) {
    throw new Error(`${files.trainImages.name}: cannot hold out ${validationSize} of ${n} images for validation`);
  }
  const trainSize = n - validationSize;
  const cap = (count: number) => Math.min(count, limit ?? count);
  return {
    train: take(training, 0, cap(trainSize)),
    validation: take(training, trainSize, cap(validationSize)),
    test: take(testing, 0, cap(testing.images.dims[0]!)),
  };
}

/** The first `limit` test images (all without it) of the decoded test files. */
export function mnistTestSplit(images: NamedIdx, labels: NamedIdx, limit?: number): Dataset {
  checkLimit(limit);
  const testing = pairOf(images, labels, MNIST_CLASSES);
  const n = testing.images.dims[0]!;
  return take(testing, 0, Math.min(n, limit ?? n));
}

/**
 * MNIST from the bytes of its four IDX files (plain; `gunzip` the `.gz` ones first), split as
 * `splitMnist` does. Errors name each file by its standard name.
 */
export function mnistFromBytes(bytes: Record<MnistFileKey, Uint8Array>, optionsIn: MnistSplitOptions | null = {}): MnistSplits {
  const options = optionsObject(optionsIn, 'mnistFromBytes');
  const decode = (key: MnistFileKey): NamedIdx => {
    const name = MNIST_FILES[key];
    return { name, idx: parseIdx(bytes[key], name, key.endsWith('Images') ? 'images' : 'labels') };
  };
  return splitMnist({ trainImages: decode('trainImages'), trainLabels: decode('trainLabels'), testImages: decode('testImages'), testLabels: decode('testLabels') }, options);
}
