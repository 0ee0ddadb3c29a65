import { convInfo } from '@convlab/core';
import type { ConvInfo } from '@convlab/core';
import { ReLU, Sigmoid, Tanh } from './activations.js';
import { AvgPool2d } from './avg-pool2d.js';
import { Conv2d } from './conv2d.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import type { Layer } from './layer.js';
import { Linear } from './linear.js';
import { MaxPool2d } from './max-pool2d.js';
import { poolInfo } from './pool-options.js';

/** A layer's output shape for an input shape, and for convolutions and pools the geometry behind it. */
export interface LayerOutput {
  shape: number[];
  /** ConvInfo of a Conv2d, MaxPool2d or AvgPool2d (padding, strides as the kernels use them). */
  info?: ConvInfo;
}

/**
 * The output shape of `layer` on an input of shape `inShape`, computed from the same ConvInfo the
 * kernels use, without running the layer (so nothing is drawn, cached or allocated). Throws the
 * layer's own error when the input does not fit it.
 */
export function layerOutput(layer: Layer, inShape: readonly number[]): LayerOutput {
  if (layer instanceof Conv2d) {
    const w = layer.weight.value.shape;
    const { stride, padding, dilation, groups, floor } = layer;
    const info = convInfo(inShape, w, { stride, padding, dilation, groups, floor }, 'Conv2d');
    return { shape: [info.batch, info.outChannels, info.outHeight, info.outWidth], info };
  }
  if (layer instanceof MaxPool2d || layer instanceof AvgPool2d) {
    const who = layer instanceof MaxPool2d ? 'MaxPool2d' : 'AvgPool2d';
    const dilation = layer instanceof MaxPool2d ? (layer.options.dilation ?? 1) : 1;
    const info = poolInfo(inShape, layer.options, dilation, who);
    return { shape: [info.batch, info.inChannels, info.outHeight, info.outWidth], info };
  }
  if (layer instanceof Linear) {
    const features = inShape[inShape.length - 1];
    if (features !== layer.inFeatures) {
      throw new Error(`Linear: input has ${features} features (shape [${inShape.join(', ')}]) but the layer takes ${layer.inFeatures}`);
    }
    return { shape: [...inShape.slice(0, -1), layer.outFeatures] };
  }
  if (layer instanceof Flatten) {
    if (inShape.length < 2) throw new Error(`Flatten: input must have a batch axis and at least one more, got shape [${inShape.join(', ')}]`);
    return { shape: [inShape[0]!, inShape.slice(1).reduce((a, d) => a * d, 1)] };
  }
  if (layer instanceof Tanh || layer instanceof Sigmoid || layer instanceof ReLU || layer instanceof Dropout) return { shape: [...inShape] };
  throw new Error(`no output shape is known for a ${layer.config().type} layer`);
}
