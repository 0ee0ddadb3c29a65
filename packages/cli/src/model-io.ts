import {
  ACTIVATIONS,
  MODEL_NAMES,
  createModel as createPreset,
  decodeCheckpoint,
  deserializeModel,
  isCheckpointBytes,
  loadParameters,
  loadSafetensors,
  readModelHeader,
  saveModel,
  saveSafetensorsFile,
  MODEL_MAGIC,
} from '@convlab/nn';
import type { Activation, Json, Random, Sequential } from '@convlab/nn';
import { existsSync } from 'node:fs';
import { dtypeOf, zeros, type ConvMethod } from '@convlab/core';
import { UsageError, readUserFile } from './fail.js';
import { asUsageError, existingFile } from './options.js';


/** The preset networks `--model` can name. */
export function modelNames(): readonly string[] {
  return MODEL_NAMES;
}

/** Builds a preset with its initial weights drawn from `random`; dropout layers share that generator. */
export function createModel(name: string, options: { conv: ConvMethod; activation: string | null; random: Random }): Sequential {
  if (options.activation !== null && !ACTIVATIONS.includes(options.activation as Activation)) {
    throw new UsageError(`train: --activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(options.activation)}`);
  }
  const model = createPreset(name, {
    method: options.conv,
    activation: (options.activation ?? undefined) as Activation | undefined,
    random: options.random,
  });
  model.useRandom(options.random);
  return model;
}

/** Whether a model file name asks for safetensors (`.safetensors`) rather than convlab's format. */
export function isSafetensorsPath(path: string): boolean {
  return path.toLowerCase().endsWith('.safetensors');
}

/**
 * Writes a model file atomically, with how it was trained in its header: safetensors when the name
 * ends in `.safetensors` (each meta value a string in `__metadata__`, JSON for non-strings), else
 * convlab's format.
 */
export function saveModelFile(model: Sequential, path: string, meta?: { [key: string]: Json }): void {
  try {
    if (isSafetensorsPath(path)) {
      const metadata = Object.fromEntries(Object.entries(meta ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
      saveSafetensorsFile(model, path, { metadata });
    } else {
      saveModel(model, path, meta ? { meta } : {});
    }
  } catch (error) {
    // The message already names the file: "out.cvlm: cannot write: ENOSPC: no space left on device".
    throw new Error((error as Error).message.replace(/^(saveModel|saveSafetensorsFile): /, ''));
  }
}

export interface LoadedModel {
  model: Sequential;
  /** One line saying what was loaded. */
  description: string;
}

/**
 * A model from a model file (`train --out`, convlab's format or safetensors) or from a training
 * checkpoint (its best model, or its latest weights if it has no best yet). `arch`, a preset name,
 * is the network to load a safetensors file's weights into when the file carries no convlab
 * architecture (a PyTorch state_dict). For eval and predict (`mnistClassifier`, the default) it
 * is checked to be an MNIST classifier. Any problem with the file is a one-line UsageError.
 */
export function loadModelFile(path: string, arch?: string, { mnistClassifier = true } = {}): LoadedModel {
  const bytes = readUserFile(path);
  const loaded = asUsageError((): LoadedModel => {
    if (isSafetensorsPath(path) || looksLikeSafetensors(bytes)) {
      const into = arch === undefined ? undefined : createPreset(arch);
      const model = loadSafetensors(bytes, { name: path, into });
      return { model, description: `model: ${path} (safetensors${arch ? `, into ${arch}` : ''}, ${count(model)} parameters)` };
    }
    if (arch !== undefined) throw new Error(`--arch is for safetensors files without an architecture; ${path} holds its own`);
    if (isCheckpointBytes(bytes)) {
      const checkpoint = decodeCheckpoint(bytes, path);
      if (!checkpoint.model) throw new Error(`${path}: the checkpoint holds no model architecture`);
      const model = deserializeModel(checkpoint.model, `${path} (its model)`);
      const best = checkpoint.bestParameters;
      loadParameters(model, best ?? checkpoint.parameters, path);
      const at = checkpoint.progress.best;
      const which = best && at ? `its best model, epoch ${at.epoch}` : `its weights after epoch ${checkpoint.progress.epoch}`;
      return { model, description: `model: checkpoint ${path} (${which}), ${count(model)} parameters` };
    }
    const header = readModelHeader(bytes, path);
    const model = deserializeModel(bytes, path);
    const meta = header.meta as { model?: string; epoch?: number } | undefined;
    const trained = meta?.model ? `${meta.model}${meta.epoch ? ` after epoch ${meta.epoch}` : ''}, ` : '';
    return { model, description: `model: ${path} (${trained}${count(model)} parameters)` };
  });
  if (mnistClassifier) checkMnistClassifier(loaded.model, path);
  return loaded;
}

/**
 * Checks that a loaded model is an MNIST classifier, as eval and predict need: one 28x28 image in,
 * 10 class scores out (one forward pass of a blank image). Another network fails here with a line
 * naming the file and the mismatch, not a shape error from deep inside a layer.
 */
export function checkMnistClassifier(model: Sequential, path: string): void {
  const dtype = model.parameters()[0] ? dtypeOf(model.parameters()[0]!.value) : 'float32';
  let shape: number[];
  try {
    model.eval();
    shape = [...model.forward(zeros([1, 1, 28, 28], dtype)).shape];
  } catch (error) {
    throw new UsageError(`${path}: the model does not take a 28x28 MNIST image: ${(error as Error).message.split('\n')[0]}`);
  }
  if (shape.length !== 2 || shape[1] !== 10) {
    throw new UsageError(`${path}: the model gives [${shape.join(', ')}] for one image; an MNIST classifier gives [1, 10], a score per digit`);
  }
}

/** Not convlab's magic, and a JSON object where safetensors puts its header. */
function looksLikeSafetensors(bytes: Uint8Array): boolean {
  const magic = new TextDecoder('latin1').decode(bytes.subarray(0, 8));
  return magic !== MODEL_MAGIC && bytes.length > 8 && bytes[8] === 0x7b;
}

function count(model: Sequential): number {
  return model.parameters().reduce((n, p) => n + p.value.size, 0);
}

/** A preset by name, or a model file (`FILE` wins when both exist). */
export function modelFromArgument(command: string, value: string | undefined, arch: string | undefined): { model: Sequential; what: string } {
  if (typeof value === 'string' && !existsSync(value) && modelNames().includes(value)) {
    return { model: asUsageError(() => createPreset(value)), what: `preset ${value} (freshly initialised)` };
  }
  if (typeof value === 'string' && !existsSync(value)) {
    throw new UsageError(`${command}: --model ${value}: no such file, nor a preset (${modelNames().join(', ')})`);
  }
  const loaded = loadModelFile(existingFile(command, 'model', value), arch, { mnistClassifier: false });
  return { model: loaded.model, what: loaded.description.replace(/^model: /, '') };
}

/** The shape of one input without the batch axis, from "1,28,28". */
export function inputShapeOption(command: string, value: string | undefined): number[] {
  if (value === undefined) return [1, 28, 28];
  const dims = String(value).split(/[,x ]+/).filter(Boolean).map(Number);
  if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new UsageError(`${command}: --input must be the shape of one input without the batch axis, such as 1,28,28, got ${JSON.stringify(value)}`);
  }
  return dims;
}
