/**
 * Measured constants of the conv2d cost model (cost-model.ts), in nanoseconds. Written by
 * `node benchmarks/fft/calibrate.mjs --write` (see docs/fft.md); edit by re-running it.
 */
export const COST_CONSTANTS = {
  /** Direct loop: per multiply-add. */
  directPerMac: 1.37,
  /** im2col + GEMM: per multiply-add of the GEMM (output channels rounded up to the GEMM's 4-row tile). */
  im2colPerMac: 0.361,
  /** im2col + GEMM: per element unfolded into the column matrix. */
  im2colPerCopy: 0,
  /** Forward real 2-D transform of one plane: fixed part ... */
  transformPerPlane: 658,
  /** ... and part per (n log2 n), n = Ph Pw. */
  transformPerPoint: 0.788,
  /** Inverse of one plane (gather, column transforms, the window's rows): fixed part ... */
  inversePerPlane: 27.4,
  /** ... and part per (n log2 n). */
  inversePerPoint: 1.26,
  /** A mixed-radix (non-power-of-two) transform's cost per n log2 n, relative to fft.js's (the worst size measured). */
  mixedRadixFactor: 1.65,
  /** The pointwise stage: per complex multiply-add. */
  pointwisePerComplexMac: 1.23,
  /** Measured on (recorded by the calibration). */
  measuredOn: "AMD EPYC, Node v20.20.2, 2026-11-23, commit 291c324",
} as const;
