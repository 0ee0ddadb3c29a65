/**
 * The lecture's convolution strategies timed here, in the visitor's browser, on the lecture's
 * LeNet-5 shapes (packages/bench's lecture suite; docs/REPRODUCTION.md) at a smaller batch: the
 * loop over (sample, filter, input map) calling a single-image correlate2d, and nn's Conv2d layer
 * (as training runs it, on the pool's threads) with im2col + GEMM and with the FFT, its spectra
 * computed once per batch. Each output is checked against the loop's.
 */
import { dense, getNumThreads } from '@convlab/core';
import type { Tensor } from '@convlab/core';
import { Conv2d } from '@convlab/nn';
import { LENET_LAYERS, convForwardLoop, randomTensor } from '@convlab/bench/lecture';
import type { EngineReply } from './messages.js';

/** Timed runs per strategy after one untimed warm-up run; the median is reported. */
const RUNS = 3;

/** A Conv2d layer with the given weights and bias, in eval mode, computing with `method`. */
function layerWith(w: Tensor, b: Tensor, method: 'im2col' | 'fft'): Conv2d {
  const [k, c, f] = w.shape as [number, number, number];
  const layer = new Conv2d({ inChannels: c, outChannels: k, kernelSize: f, method });
  const [weight, bias] = layer.parameters();
  dense(weight!.value).data.set(dense(w).data);
  dense(bias!.value).data.set(dense(b).data);
  layer.eval();
  return layer;
}

/** max |a - b| over max |b|: how far an output is from the reference, relative to its size. */
function relativeDifference(a: Tensor, b: Tensor): number {
  const x = dense(a).data;
  const y = dense(b).data;
  let diff = 0;
  let size = 0;
  for (let i = 0; i < y.length; i++) {
    diff = Math.max(diff, Math.abs(x[i]! - y[i]!));
    size = Math.max(size, Math.abs(y[i]!));
  }
  return diff / size;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Times each strategy on each layer at `batch` images, sending one `timing` message per result. */
export async function timeStrategies(batch: number, send: (message: EngineReply) => void): Promise<void> {
  const threads = getNumThreads();
  for (const l of LENET_LAYERS) {
    // The data of the lecture suite's forward rows (packages/bench/src/suites/lecture.ts).
    const x = randomTensor([batch, l.c, l.h, l.h], 11 * l.layer);
    const w = randomTensor([l.k, l.c, l.f, l.f], 12 * l.layer, 0.2);
    const b = randomTensor([l.k], 13 * l.layer, 0.1);
    const shape = `[${batch}, ${l.c}, ${l.h}, ${l.h}] * [${l.k}, ${l.c}, ${l.f}, ${l.f}]`;
    const im2col = layerWith(w, b, 'im2col');
    const fft = layerWith(w, b, 'fft');
    const strategies = [
      { strategy: 'loop (correlate2d per sample, filter, map)', threads: 1, run: () => convForwardLoop(x, w, b) },
      { strategy: 'im2col + GEMM', threads, run: () => im2col.forward(x) },
      { strategy: 'FFT (batched spectra)', threads, run: () => fft.forward(x) },
    ];
    let reference: Tensor | undefined;
    for (const s of strategies) {
      const first = s.run();
      reference ??= first;
      const difference = relativeDifference(first, reference);
      const seconds: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now();
        s.run();
        seconds.push((performance.now() - t0) / 1000);
      }
      send({ type: 'timing', layer: l.layer, shape, strategy: s.strategy, threads: s.threads, seconds: median(seconds), difference });
      // Let other requests (a drawing to classify) in between strategies.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  send({ type: 'timing-done' });
}
