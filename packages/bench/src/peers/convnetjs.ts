/**
 * ConvNetJS as a peer: the pure-JavaScript library that trained LeNet-style networks in the browser
 * one image at a time. Optional dependency of @convlab/bench, loaded on demand. Its one case is
 * the LeNet-5 training iteration of tfjs-ops.ts, from the same weights on the same minibatch: 500
 * single-image forward and backward passes whose gradients its SGD trainer sums and applies once,
 * as a batch of 500.
 */
import { createRequire } from 'node:module';
import { dense, type Tensor } from '@convlab/core';
import type { LenetWeights, PeerCase } from './tfjs-ops.js';

/** The parts of ConvNetJS 0.3 this file uses. */
interface Vol {
  sx: number;
  sy: number;
  depth: number;
  w: Float64Array;
}
interface ParamLayer {
  filters: Vol[];
  biases: Vol;
}
interface Net {
  layers: Array<Partial<ParamLayer> & { layer_type: string }>;
  makeLayers(defs: object[]): void;
}
interface Trainer {
  train(x: Vol, y: number): { cost_loss: number };
}
interface ConvNetJs {
  Vol: new (sx: number, sy: number, depth: number, c?: number) => Vol;
  Net: new () => Net;
  SGDTrainer: new (net: Net, options: object) => Trainer;
}

export interface ConvNetJsPeer {
  cnj: ConvNetJs;
  /** "convnetjs 0.3.0" */
  label: string;
}

const require = createRequire(import.meta.url);

/** Loads ConvNetJS, or says that it is not installed. */
export function loadConvNetJs(): ConvNetJsPeer | { missing: string } {
  try {
    const cnj = require('convnetjs') as ConvNetJs;
    const { version } = require('convnetjs/package.json') as { version: string };
    return { cnj, label: `convnetjs ${version}` };
  } catch {
    return { missing: 'convnetjs is not installed' };
  }
}

/** Copies a conv weight [K, C, kh, kw] into ConvNetJS's filters, each a Vol(kw, kh, C) indexed ((kw * y) + x) * C + c. */
function setConv(layer: ParamLayer, weight: Tensor, bias: Tensor): void {
  const [k, c, kh, kw] = weight.shape as [number, number, number, number];
  const w = dense(weight).data;
  for (let f = 0; f < k; f++) {
    const filter = layer.filters[f]!;
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) filter.w[(kw * y + x) * c + ch] = w[((f * c + ch) * kh + y) * kw + x]!;
      }
    }
  }
  layer.biases.w.set(dense(bias).data);
}

/**
 * Copies a linear weight [out, in] into ConvNetJS's filters. Its input is the previous Vol(side,
 * side, channels) read in (y, x, channel) order, where convlab's Flatten reads [channels, side,
 * side]; `channels` 0 means the input is already flat.
 */
function setLinear(layer: ParamLayer, weight: Tensor, bias: Tensor, channels: number): void {
  const [outputs, inputs] = weight.shape as [number, number];
  const w = dense(weight).data;
  const side = channels > 0 ? Math.round(Math.sqrt(inputs / channels)) : 0;
  for (let o = 0; o < outputs; o++) {
    const filter = layer.filters[o]!;
    for (let i = 0; i < inputs; i++) {
      if (channels === 0) {
        filter.w[i] = w[o * inputs + i]!;
      } else {
        const ch = Math.floor(i / (side * side));
        const y = Math.floor(i / side) % side;
        const x = i % side;
        filter.w[(side * y + x) * channels + ch] = w[o * inputs + i]!;
      }
    }
  }
  layer.biases.w.set(dense(bias).data);
}

/**
 * One LeNet-5 training iteration in ConvNetJS, the network of tfjs-ops.ts's `lenetTrainingCase`
 * (conv 20@5x5, max-pool 2, tanh, conv 50@5x5, max-pool 2, tanh, 800 -> 500 tanh, 500 -> 10,
 * softmax cross-entropy, plain SGD without momentum or decay). `run` trains on the whole minibatch
 * and returns its mean loss before the update; `check` gives the first two runs' losses.
 */
export function convnetLenetTrainingCase(peer: ConvNetJsPeer, weights: LenetWeights, x: Tensor, labels: Int32Array, lr: number): PeerCase {
  const { cnj } = peer;
  const [n, , height, width] = x.shape as [number, number, number, number];
  const classes = weights.fc2.weight.shape[0]!;
  const hidden = weights.fc1.weight.shape[0]!;
  const net = new cnj.Net();
  net.makeLayers([
    { type: 'input', out_sx: width, out_sy: height, out_depth: 1 },
    { type: 'conv', sx: weights.conv1.weight.shape[3], filters: weights.conv1.weight.shape[0], stride: 1, pad: 0 },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'tanh' },
    { type: 'conv', sx: weights.conv2.weight.shape[3], filters: weights.conv2.weight.shape[0], stride: 1, pad: 0 },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'tanh' },
    { type: 'fc', num_neurons: hidden, activation: 'tanh' },
    { type: 'softmax', num_classes: classes },
  ]);
  const params = net.layers.filter((l) => l.layer_type === 'conv' || l.layer_type === 'fc') as unknown as ParamLayer[];
  if (params.length !== 4) throw new Error(`convnetjs: expected 4 layers with weights, the net has ${params.length}`);
  setConv(params[0]!, weights.conv1.weight, weights.conv1.bias);
  setConv(params[1]!, weights.conv2.weight, weights.conv2.bias);
  setLinear(params[2]!, weights.fc1.weight, weights.fc1.bias, weights.conv2.weight.shape[0]!);
  setLinear(params[3]!, weights.fc2.weight, weights.fc2.bias, 0);
  // The images as ConvNetJS volumes, made once, outside the timed work.
  const pixels = dense(x).data;
  const images: Vol[] = [];
  for (let s = 0; s < n; s++) {
    const v = new cnj.Vol(width, height, 1, 0);
    for (let i = 0; i < height * width; i++) v.w[i] = pixels[s * height * width + i]!;
    images.push(v);
  }
  const trainer = new cnj.SGDTrainer(net, { method: 'sgd', learning_rate: lr, momentum: 0, batch_size: n, l1_decay: 0, l2_decay: 0 });
  const losses: number[] = [];
  return {
    run: () => {
      let sum = 0;
      for (let s = 0; s < n; s++) sum += trainer.train(images[s]!, labels[s]!).cost_loss;
      const value = sum / n;
      if (losses.length < 2) losses.push(value);
      return value;
    },
    check: () => Float32Array.from(losses),
    dispose: () => {},
  };
}
