import type { Sequential } from '../layers/sequential.js';
import { loadSafetensors, saveSafetensors } from '../safetensors.js';
import type { SafetensorsLoadOptions, SafetensorsSaveOptions } from '../safetensors.js';
import { writeFileAtomic } from './atomic-write.js';
import { readFileBytes } from './read-file.js';

/** Writes `model` as a safetensors file at `path`, atomically (a temporary file beside it, then one rename). */
export function saveSafetensorsFile(model: Sequential, path: string, options?: SafetensorsSaveOptions): void {
  const bytes = saveSafetensors(model, options);
  try {
    writeFileAtomic(path, bytes);
  } catch (error) {
    throw new Error(`saveSafetensorsFile: ${(error as Error).message}`);
  }
}

/** Reads a safetensors file (see loadSafetensors: `into` loads a PyTorch state_dict into a model); errors name the file. */
export function loadSafetensorsFile(path: string, options: Omit<SafetensorsLoadOptions, 'name'> = {}): Sequential {
  let bytes: Uint8Array;
  try {
    bytes = readFileBytes(path, 'a safetensors file');
  } catch (error) {
    throw new Error(`loadSafetensorsFile: ${(error as Error).message}`);
  }
  return loadSafetensors(bytes, { ...options, name: path });
}
