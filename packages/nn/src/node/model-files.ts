import type { Sequential } from '../layers/sequential.js';
import { deserializeModel } from '../serialize.js';
import { writeModelFile, type SaveExtras } from '../model-writer.js';
import { readFileBytes } from './read-file.js';

/** Writes `model` to `path` atomically: a temporary file beside it, then one rename (as `model.save(path)`). */
export function saveModel(model: Sequential, path: string, extras?: SaveExtras): void {
  writeModelFile(model, path, extras);
}

/** Reads a model file written by `model.save(path)`; errors name the file and what is wrong with it. */
export function loadModel(path: string): Sequential {
  let bytes: Uint8Array;
  try {
    bytes = readFileBytes(path, 'a model file');
  } catch (error) {
    throw new Error(`loadModel: ${(error as Error).message}`);
  }
  return deserializeModel(bytes, path);
}
