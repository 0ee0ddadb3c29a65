import { decodeCheckpoint, encodeCheckpoint } from '../train/checkpoint.js';
import type { TrainCheckpoint } from '../train/checkpoint.js';
import { writeFileAtomic } from './atomic-write.js';
import { readFileBytes } from './read-file.js';

export function writeCheckpoint(path: string, checkpoint: TrainCheckpoint): void {
  writeFileAtomic(path, encodeCheckpoint(checkpoint));
}

export function readCheckpoint(path: string): TrainCheckpoint {
  return decodeCheckpoint(readFileBytes(path, 'a checkpoint'), path);
}
