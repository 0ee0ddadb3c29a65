import { readFileSync } from 'node:fs';
import { decodeCheckpoint, encodeCheckpoint } from '../train/checkpoint.js';
import type { TrainCheckpoint } from '../train/checkpoint.js';
import { writeFileAtomic } from './atomic-write.js';

export function writeCheckpoint(path: string, checkpoint: TrainCheckpoint): void {
  writeFileAtomic(path, encodeCheckpoint(checkpoint));
}

export function readCheckpoint(path: string): TrainCheckpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${path}: no such file`);
    throw new Error(`${path}: cannot read: ${(error as Error).message}`);
  }
  return decodeCheckpoint(bytes, path);
}
