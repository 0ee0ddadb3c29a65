import { accessSync, closeSync, constants, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from './fail.js';

/** An fs error as a short phrase without the temporary file it may name: `EACCES: permission denied`. */
export function fsErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.replace(/, \w+ '.*'$/, '').replace(/, \w+$/, '');
}

/** The nearest folder on the way up from `dir` that exists (the writers create the missing ones). */
function existingAncestor(start: string): string {
  let dir = start;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * Fails with a UsageError naming `--flag path` unless the file can be written: an existing file
 * that is appended to must itself be writable; any other must have a folder (or nearest existing
 * folder above it) that takes a new file, tried with an empty probe file removed at once (the
 * writers go through a temporary file beside the target). Nothing the user has is touched.
 */
export function checkWritable(command: string, flag: string, path: string, options: { appends?: boolean; folder?: boolean } = {}): void {
  const fail = (why: string): never => {
    throw new UsageError(`${command}: --${flag} ${path}: ${why}`);
  };
  if (options.appends && existsSync(path)) {
    // Appended to in place: the file itself must take writes.
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      fail(`cannot write: ${fsErrorText(error)}`);
    }
    return;
  }
  // A folder option (bench --charts) is written into; a file option beside its file.
  const dir = existingAncestor(options.folder ? resolve(path) : dirname(resolve(path)));
  if (!statSync(dir).isDirectory()) fail(`${dir} is not a folder`);
  const probe = join(dir, `.${basename(resolve(path))}.${process.pid}.probe`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    fail(`cannot write in ${dir}: ${fsErrorText(error)}`);
  }
  rmSync(probe, { force: true });
}

/** Runs a write to `path`; an error (ENOSPC, EACCES, ...) becomes one line that names the file. */
export function writing<T>(path: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw new Error(`${path}: cannot write: ${fsErrorText(error)}`);
  }
}
