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
