import { gunzipSync } from 'node:zlib';
import { isGzip, parseIdx } from '../data/idx.js';
import { readFileBytes } from './read-file.js';
import type { IdxArray, IdxKind } from '../data/idx.js';

/** Reads and checks one IDX file, plain or gzip (recognised by its magic bytes, not its name); every problem is an Error that starts with the file's name. */
export function readIdx(path: string, kind?: IdxKind): IdxArray {
  let raw = readFileBytes(path, 'an IDX file');
  if (isGzip(raw)) {
    try {
      raw = gunzipSync(raw);
    } catch (error) {
      throw new Error(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  return parseIdx(raw, path, kind);
}
