import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes a file whole or not at all: the bytes go to a temporary file beside the target, are
 * flushed to disk, and then replace the target in one rename. A crash or Ctrl-C leaves either the
 * old file or the new one, never half of either. A failure (ENOSPC, EACCES, ...) throws an Error
 * that names the target, not the temporary file: `out.cvlm: cannot write: ENOSPC: no space left
 * on device` (its `code` is the system's).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  const dir = dirname(resolve(path));
  const temp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'w');
    try {
      const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // The folder itself is what failed (ENOTDIR, EACCES): there is no temporary file to remove.
    }
    const system = error as NodeJS.ErrnoException;
    // "EACCES: permission denied, open '/dir/.name.123.tmp'" -> "EACCES: permission denied".
    const why = system.message.replace(/, \w+ '.*'$/, '').replace(/, \w+$/, '');
    throw Object.assign(new Error(`${path}: cannot write: ${why}`, { cause: error }), { code: system.code });
  }
}
