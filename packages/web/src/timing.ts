/**
 * The lecture's convolution strategies timed here, in the visitor's browser, on the lecture's
 * LeNet-5 shapes (packages/bench's lecture suite; docs/REPRODUCTION.md) at a smaller batch: the
 * loop over (sample, filter, input map) calling a single-image correlate2d, the im2col + GEMM
 * batched kernel, and the FFT with spectra computed once per batch.
 */
import { conv2d, getNumThreads } from '@convlab/core';
import { fftConv2d } from '@convlab/fft';
import { LENET_LAYERS, convForwardLoop, randomTensor } from '@convlab/bench/lecture';
import type { EngineReply } from './messages.js';

/** Timed runs per strategy after one untimed warm-up run; the median is reported. */
const RUNS = 3;

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
    const strategies = [
      { strategy: 'loop (correlate2d per sample, filter, map)', threads: 1, run: () => convForwardLoop(x, w, b) },
      { strategy: 'im2col + GEMM', threads, run: () => conv2d(x, w, b, { method: 'im2col' }) },
      { strategy: 'FFT (batched spectra)', threads, run: () => fftConv2d(x, w, b) },
    ];
    for (const s of strategies) {
      s.run();
      const seconds: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now();
        s.run();
        seconds.push((performance.now() - t0) / 1000);
      }
      send({ type: 'timing', layer: l.layer, shape, strategy: s.strategy, threads: s.threads, seconds: median(seconds) });
      // Let other requests (a drawing to classify) in between strategies.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }
  send({ type: 'timing-done' });
}
