import { gunzipSync } from 'node:zlib';
import { MAX_IDX_BYTES, isGzip, parseIdx } from '../data/idx.js';
import { readFileBytes } from './read-file.js';
import type { IdxArray, IdxKind } from '../data/idx.js';

/** Reads and checks one IDX file, plain or gzip (recognised by its magic bytes, not its name); every problem is an Error that starts with the file's name. */
export function readIdx(path: string, kind?: IdxKind): IdxArray {
  let raw = readFileBytes(path, 'an IDX file');
  if (isGzip(raw)) {
    try {
      raw = gunzipSync(raw, { maxOutputLength: MAX_IDX_BYTES });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`${path}: the gzip data expands past ${MAX_IDX_BYTES} bytes, more than an IDX file may hold here`);
      }
      throw new Error(`${path}: corrupt gzip data (${(error as Error).message})`);
    }
  }
  return parseIdx(raw, path, kind);
}
