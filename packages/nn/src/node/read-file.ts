import { readFileSync } from 'node:fs';

/** The bytes of `path`; a missing file, a directory or a read error is one line naming the path (`what`: "an IDX file"). */
export function readFileBytes(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    if (code === 'EISDIR') throw new Error(`${path}: is a directory, not ${what}`);
    throw new Error(`${path}: cannot read: ${(error as Error).message}`);
  }
}
