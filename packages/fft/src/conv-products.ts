/**
 * The pointwise stage and the way back: per frequency bin one real GEMM (core's `gemmInto`) over
 * every sample at once, then inverse transforms of the product planes, cropped to the output.
 *
 *   forward      [Re Y | Im Y]  (n x 2Kg)   = [Re X | Im X]  (n x 2Cg)  M^T (2Cg x 2Kg)
 *   grad input   [Re dX | Im dX] (n x 2Cg)  = [Re GY | Im GY] (n x 2Kg) M   (2Kg x 2Cg)
 *   grad weight  [[A, B], [C, D]] (2Kg x 2Cg) = [Re GY | Im GY]^T (2Kg x N) [Re X | Im X] (N x 2Cg),
 *                Re dW = A + D, Im dW = B - C   (dW = sum over n of conj(GY) X)
 *
 * The forward and grad-input products run over chunks of samples so that a chunk's product spectrum
 * (a few MiB) stays in cache on its way to the inverse transforms; the weight gradient sums over the
 * whole batch inside one GEMM per bin.
 */
import { gemmInto, scratch, type FloatArray } from '@convlab/core';
import type { GradSpectrum, InputSpectrum, WeightSpectrum } from './conv-spectra.js';
import { rfft2Plan } from './rfft2-plan.js';

/** A chunk's product spectrum stays near this many doubles (4 MiB). */
const CHUNK_DOUBLES = 1 << 19;

function chunkSamples(batch: number, doublesPerSample: number): number {
  return Math.max(1, Math.min(batch, Math.floor(CHUNK_DOUBLES / doublesPerSample)));
}

/** out [N, K, Ho, Wo] = conv2d(x, w) + bias from the spectra of x and w. */
export function forwardProductInto(out: FloatArray, xs: InputSpectrum, ws: WeightSpectrum, bias: FloatArray | null): void {
  const { info, geometry } = xs;
  const { batch: N, inChannels: C, outChannels: K, groups: G, inChannelsPerGroup: Cg, outChannelsPerGroup: Kg } = info;
  const { outHeight: Ho, outWidth: Wo } = info;
  const { bins } = geometry;
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const scale = 1 / (geometry.periodHeight * geometry.periodWidth);
  const S = chunkSamples(N, bins * 2 * K);
  const product = scratch('float64', 'fft:product', bins * S * 2 * K);
  const block = 4 * Kg * Cg;
  for (let n0 = 0; n0 < N; n0 += S) {
    const s = Math.min(S, N - n0);
    for (let f = 0; f < bins; f++) {
      for (let g = 0; g < G; g++) {
        gemmInto(product, xs.data, ws.data, s, 2 * Kg, 2 * Cg, {
          transB: true,
          offsetA: f * N * 2 * C + n0 * 2 * C + g * 2 * Cg,
          lda: 2 * C,
          offsetB: (f * G + g) * block,
          ldb: 2 * Cg,
          offsetC: f * s * 2 * K + g * 2 * Kg,
          ldc: 2 * K,
        });
      }
    }
    for (let i = 0; i < s; i++) {
      for (let k = 0; k < K; k++) {
        const g = Math.floor(k / Kg);
        plan.inverse(
          out,
          ((n0 + i) * K + k) * Ho * Wo,
          Wo,
          product,
          i * 2 * K + g * 2 * Kg + (k - g * Kg),
          s * 2 * K,
          Kg,
          -info.padTop,
          Ho,
          info.strideHeight,
          -info.padLeft,
          Wo,
          info.strideWidth,
          scale,
          bias === null ? 0 : bias[k]!,
        );
      }
    }
  }
}

/** gx [N, C, H, W] = dL/dx from the spectra of gy and w. */
export function gradInputProductInto(gx: FloatArray, gs: GradSpectrum, ws: WeightSpectrum): void {
  const { info, geometry } = gs;
  const { batch: N, inChannels: C, outChannels: K, groups: G, inChannelsPerGroup: Cg, outChannelsPerGroup: Kg } = info;
  const { inHeight: H, inWidth: W } = info;
  const { bins } = geometry;
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const scale = 1 / (geometry.periodHeight * geometry.periodWidth);
  const S = chunkSamples(N, bins * 2 * C);
  const product = scratch('float64', 'fft:product', bins * S * 2 * C);
  const block = 4 * Kg * Cg;
  for (let n0 = 0; n0 < N; n0 += S) {
    const s = Math.min(S, N - n0);
    for (let f = 0; f < bins; f++) {
      for (let g = 0; g < G; g++) {
        gemmInto(product, gs.data, ws.data, s, 2 * Cg, 2 * Kg, {
          offsetA: f * N * 2 * K + n0 * 2 * K + g * 2 * Kg,
          lda: 2 * K,
          offsetB: (f * G + g) * block,
          ldb: 2 * Cg,
          offsetC: f * s * 2 * C + g * 2 * Cg,
          ldc: 2 * C,
        });
      }
    }
    for (let i = 0; i < s; i++) {
      for (let c = 0; c < C; c++) {
        const g = Math.floor(c / Cg);
        plan.inverse(
          gx,
          ((n0 + i) * C + c) * H * W,
          W,
          product,
          i * 2 * C + g * 2 * Cg + (c - g * Cg),
          s * 2 * C,
          Cg,
          info.padTop,
          H,
          1,
          info.padLeft,
          W,
          1,
          scale,
        );
      }
    }
  }
}

/** gw [K, Cg, kh, kw] = dL/dw from the spectra of x and gy, summed over the batch. */
export function gradWeightProductInto(gw: FloatArray, xs: InputSpectrum, gs: GradSpectrum): void {
  const { info, geometry } = xs;
  const { batch: N, inChannels: C, outChannels: K, groups: G, inChannelsPerGroup: Cg, outChannelsPerGroup: Kg } = info;
  const { kernelHeight: kh, kernelWidth: kw } = info;
  const { bins } = geometry;
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const scale = 1 / (geometry.periodHeight * geometry.periodWidth);
  const blocks = scratch('float64', 'fft:gradWeightBlocks', 4 * Kg * Cg);
  const perBin = K * 2 * Cg;
  const spectrum = scratch('float64', 'fft:gradWeightSpectrum', bins * perBin);
  const row = 2 * Cg;
  for (let f = 0; f < bins; f++) {
    for (let g = 0; g < G; g++) {
      gemmInto(blocks, gs.data, xs.data, 2 * Kg, 2 * Cg, N, {
        transA: true,
        offsetA: f * N * 2 * K + g * 2 * Kg,
        lda: 2 * K,
        offsetB: f * N * 2 * C + g * 2 * Cg,
        ldb: 2 * C,
      });
      for (let kl = 0; kl < Kg; kl++) {
        const top = kl * row;
        const bottom = (Kg + kl) * row;
        const to = f * perBin + (g * Kg + kl) * row;
        for (let c = 0; c < Cg; c++) {
          spectrum[to + c] = blocks[top + c]! + blocks[bottom + Cg + c]!;
          spectrum[to + Cg + c] = blocks[top + Cg + c]! - blocks[bottom + c]!;
        }
      }
    }
  }
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < Cg; c++) {
      plan.inverse(
        gw,
        (k * Cg + c) * kh * kw,
        kw,
        spectrum,
        k * row + c,
        perBin,
        Cg,
        -info.padTop,
        kh,
        info.dilationHeight,
        -info.padLeft,
        kw,
        info.dilationWidth,
        scale,
      );
    }
  }
}
