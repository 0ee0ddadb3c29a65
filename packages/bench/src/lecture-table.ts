/**
 * The lecture's timing table (numpy/scipy on a 2016 machine, batch 500), row by row, in seconds.
 * The loop figure of the weight gradient is given once; it belongs to layer 2: like the loops of
 * the second layer's forward convolution (25.10 s) and of the pool-layer delta (26.44 s), it
 * runs 500 x 50 x 20 single-image scipy calls, while layer 1 has only 500 x 20.
 */
export const LECTURE_SECONDS = {
  convForward1: { loop: 1.658, fft: 1.069 },
  convForward2: { loop: 25.1, fft: 1.435 },
  maxPool1: { loop: 28.17, vectorized: 0.1927 },
  maxPool2: { loop: 7.883, vectorized: 0.0374 },
  poolDelta2: { loop: 26.44, fft: 1.004 },
  weightGrad1: { fft: 1.61 },
  weightGrad2: { loop: 22.93, fft: 1.107 },
  trainingIteration: { spectralNoReuse: 6.05, spectralReuse: 5.72 },
} as const;

/** The two convolution layers of LeNet-5 in the lecture: input [C, H, W], filters K@kxk. */
export const LENET_LAYERS = [
  { layer: 1, c: 1, h: 28, k: 20, f: 5 },
  { layer: 2, c: 20, h: 12, k: 50, f: 5 },
] as const;

/** The batch size of every figure in LECTURE_SECONDS: at another batch they do not compare. */
export const LECTURE_BATCH = 500;

/** What a table or chart at `batch` says about the lecture's column. */
export function lectureBatchNote(batch: number): string | undefined {
  if (batch === LECTURE_BATCH) return undefined;
  return `lecture figures hidden: the lecture timed batch ${LECTURE_BATCH}, this run batch ${batch}`;
}
