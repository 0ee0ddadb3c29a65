import {
  ACTIVATIONS,
  CONV_METHODS as NN_CONV_METHODS,
  MODEL_NAMES,
  createModel as createPreset,
  decodeCheckpoint,
  deserializeModel,
  isCheckpointBytes,
  loadParameters,
  readModelHeader,
  saveModel,
} from '@convlab/nn';
import type { Activation, ConvMethod as NnConvMethod, Json, Random, Sequential } from '@convlab/nn';
import { dtypeOf, zeros } from '@convlab/core';
import { UsageError, readUserFile } from './fail.js';
import { asUsageError } from './options.js';

export type ConvMethod = NnConvMethod;
export const CONV_METHODS: readonly ConvMethod[] = NN_CONV_METHODS;

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

/** Writes a model file atomically, with how it was trained in its header. */
export function saveModelFile(model: Sequential, path: string, meta?: { [key: string]: Json }): void {
  try {
    saveModel(model, path, meta ? { meta } : {});
  } catch (error) {
    // The message already names the file: "out.cvlm: cannot write: ENOSPC: no space left on device".
    throw new Error((error as Error).message.replace(/^saveModel: /, ''));
  }
}

export interface LoadedModel {
  model: Sequential;
  /** One line saying what was loaded. */
  description: string;
}

/**
 * A model from a model file (`train --out`) or from a training checkpoint (its best model, or its
 * latest weights if it has no best yet), checked to be an MNIST classifier. Any problem with the
 * file is a one-line UsageError.
 */
export function loadModelFile(path: string): LoadedModel {
  const bytes = readUserFile(path);
  const loaded = asUsageError((): LoadedModel => {
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
  checkMnistClassifier(loaded.model, path);
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

function count(model: Sequential): number {
  return model.parameters().reduce((n, p) => n + p.value.size, 0);
}
