/**
 * The bench's cases written with TensorFlow.js ops: the same forward convolution and the same
 * LeNet-5 training iteration as convlab's, on the same numbers. TensorFlow.js works in NHWC, so
 * inputs are transposed once, outside the timed span; outputs come back NCHW for the cross-check.
 */
import { dense } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import type { TfjsPeer } from './tfjs.js';

type TfTensor = import('@tensorflow/tfjs-core').Tensor;

/** A peer case: `run` is the timed work; `check` gives its output as NCHW for comparison; `dispose` frees it. */
export interface PeerCase {
  run: () => unknown;
  check: () => Float32Array;
  dispose: () => void;
}

/** NCHW convlab tensor -> NHWC tfjs tensor. */
export function toNhwc(peer: TfjsPeer, x: Tensor): TfTensor {
  const { tf } = peer;
  return tf.tidy(() => tf.transpose(tf.tensor(Float32Array.from(dense(x).data), x.shape), [0, 2, 3, 1]));
}

/** convlab weight [K, C, kh, kw] -> tfjs filter [kh, kw, C, K]. */
export function toFilter(peer: TfjsPeer, w: Tensor): TfTensor {
  const { tf } = peer;
  return tf.tidy(() => tf.transpose(tf.tensor(Float32Array.from(dense(w).data), w.shape), [2, 3, 1, 0]));
}

/**
 * y = conv2d(x, w) + b, 'valid', stride 1, read back into a Float32Array as convlab's result is
 * (without the read-back the wasm backend still computes everything, synchronously).
 */
export function convForwardCase(peer: TfjsPeer, x: Tensor, w: Tensor, b: Tensor): PeerCase {
  const { tf } = peer;
  const xs = toNhwc(peer, x);
  const ws = toFilter(peer, w);
  const bs = tf.tensor1d(Float32Array.from(dense(b).data));
  const forward = () => tf.tidy(() => tf.add(tf.conv2d(xs as never, ws as never, 1, 'valid'), bs));
  return {
    run: () => {
      const y = forward();
      const data = y.dataSync();
      y.dispose();
      return data;
    },
    check: () => {
      const y = tf.tidy(() => tf.transpose(forward(), [0, 3, 1, 2]));
      const data = y.dataSync() as Float32Array;
      y.dispose();
      return data;
    },
    dispose: () => tf.dispose([xs, ws, bs]),
  };
}

/** LeNet-5's parameters as convlab stores them: conv weights [K, C, kh, kw], linear weights [out, in], biases. */
export interface LenetWeights {
  conv1: { weight: Tensor; bias: Tensor };
  conv2: { weight: Tensor; bias: Tensor };
  fc1: { weight: Tensor; bias: Tensor };
  fc2: { weight: Tensor; bias: Tensor };
}

/**
 * One LeNet-5 training iteration in TensorFlow.js (forward, backward through `variableGrads`,
 * SGD), from the same weights and the same minibatch as convlab's, in the same order as
 * @convlab/nn's lenet5: conv 20@5x5 + bias, max-pool 2, tanh, conv 50@5x5 + bias, max-pool 2,
 * tanh, 800 -> 500 tanh, 500 -> 10, softmax cross-entropy (mean).
 * The fully connected weight is permuted from convlab's [C, H, W] flattening to NHWC's [H, W, C],
 * so the two nets compute the same function. `check` gives the losses of the first two runs: the
 * second follows one SGD step, so it proves the gradients agree too.
 */
export function lenetTrainingCase(peer: TfjsPeer, weights: LenetWeights, x: Tensor, labels: Int32Array, lr: number): PeerCase {
  const { tf } = peer;
  const v = (t: TfTensor) => tf.variable(t as never);
  const f32 = (t: Tensor) => Float32Array.from(dense(t).data);
  const [fcOut, fcIn] = weights.fc1.weight.shape as [number, number];
  const channels = weights.conv2.weight.shape[0]!;
  const side = Math.round(Math.sqrt(fcIn / channels));
  const params = tf.tidy(() => ({
    w1: v(toFilter(peer, weights.conv1.weight)),
    b1: v(tf.tensor1d(f32(weights.conv1.bias))),
    w2: v(toFilter(peer, weights.conv2.weight)),
    b2: v(tf.tensor1d(f32(weights.conv2.bias))),
    w3: v(
      tf.reshape(tf.transpose(tf.reshape(tf.tensor(f32(weights.fc1.weight)), [fcOut, channels, side, side]), [2, 3, 1, 0]), [fcIn, fcOut]),
    ),
    b3: v(tf.tensor1d(f32(weights.fc1.bias))),
    w4: v(tf.transpose(tf.tensor2d(f32(weights.fc2.weight), weights.fc2.weight.shape as [number, number]))),
    b4: v(tf.tensor1d(f32(weights.fc2.bias))),
  }));
  const xs = toNhwc(peer, x);
  const classes = weights.fc2.weight.shape[0]!;
  const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes));
  const optimizer = tf.train.sgd(lr);
  const p = params;
  const loss = () =>
    tf.tidy(() => {
      type T4 = import('@tensorflow/tfjs-core').Tensor4D;
      let h = tf.tanh(tf.maxPool(tf.add(tf.conv2d(xs as T4, p.w1 as T4, 1, 'valid'), p.b1) as T4, 2, 2, 'valid'));
      h = tf.tanh(tf.maxPool(tf.add(tf.conv2d(h, p.w2 as T4, 1, 'valid'), p.b2) as T4, 2, 2, 'valid'));
      const flat = tf.reshape(h, [h.shape[0], -1]);
      const hidden = tf.tanh(tf.add(tf.matMul(flat, p.w3), p.b3));
      const logits = tf.add(tf.matMul(hidden, p.w4), p.b4);
      return tf.losses.softmaxCrossEntropy(onehot, logits) as import('@tensorflow/tfjs-core').Scalar;
    });
  const losses: number[] = [];
  return {
    run: () => {
      const cost = optimizer.minimize(loss, true, Object.values(params))!;
      const value = cost.dataSync()[0]!;
      cost.dispose();
      if (losses.length < 2) losses.push(value);
      return value;
    },
    check: () => Float32Array.from(losses),
    dispose: () => {
      tf.dispose([xs, onehot, ...Object.values(params)]);
      optimizer.dispose();
    },
  };
}
