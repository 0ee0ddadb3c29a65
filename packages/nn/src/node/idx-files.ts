import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { isGzip, parseIdx } from '../data/idx.js';
import type { IdxArray, IdxKind } from '../data/idx.js';

/** Reads and checks one IDX file, plain or gzip (recognised by its magic bytes, not its name); every problem is an Error that starts with the file's name. */
export function readIdx(path: string, kind?: IdxKind): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    if (code === 'EISDIR') throw new Error(`${path}: is a directory, not an IDX file`);
    throw new Error(`${path}: cannot read: ${(error as Error).message}`);
  }
  if (isGzip(raw)) {
    try {
      raw = gunzipSync(raw);
    } catch (error) {
      throw new Error(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  return parseIdx(raw, path, kind);
}
