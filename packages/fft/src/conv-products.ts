/**
 * The pointwise stage and the way back: per frequency bin one small complex matrix product with
 * every sample of a chunk in it, then inverse transforms of the product planes, cropped.
 *
 *   forward      Y  (n x Kg)  = X (n x Cg) conj(W)^T (Cg x Kg)       pointwise.ts kernel
 *   grad input   dX (n x Cg)  = GY (n x Kg) W (Kg x Cg)              pointwise.ts kernel
 *   grad weight  dW (Kg x Cg) = conj(GY)^T (Kg x N) X (N x Cg)        pointwise.ts kernel, the sum
 *                over the batch inside the product
 *
 * Only the bins in `geometry.computed` are multiplied; their Hermitian mirrors are copied,
 * conjugated, on the way to the inverse transforms. The forward and grad-input products run over
 * chunks of samples so that a chunk's product spectrum stays small; each sample's planes are then
 * gathered into a plane-major buffer before they are transformed back.
 */
import { scratch, type FloatArray } from '@convlab/core';
import { gatherRow } from './bin-layout.js';
import { weightPackOffset, type GradSpectrum, type InputSpectrum, type WeightSpectrum } from './conv-spectra.js';
import { complexMatmulInto, packedLength, packRowsInto } from './pointwise.js';
import { rfft2Plan } from './rfft2-plan.js';

/** A chunk's product spectrum stays near this many doubles (1 MiB). */
const CHUNK_DOUBLES = 1 << 17;

function chunkSamples(batch: number, doublesPerSample: number): number {
  return Math.max(1, Math.min(batch, Math.floor(CHUNK_DOUBLES / doublesPerSample)));
}

/** out [N, K, Ho, Wo] = conv2d(x, w) + bias from the spectra of x and w. */
export function forwardProductInto(out: FloatArray, xs: InputSpectrum, ws: WeightSpectrum, bias: FloatArray | null): void {
  const { info, geometry } = xs;
  const { batch: N, inChannels: C, outChannels: K, groups: G, inChannelsPerGroup: Cg, outChannelsPerGroup: Kg } = info;
  const { outHeight: Ho, outWidth: Wo } = info;
  const { bins, computed } = geometry;
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const scale = 1 / (geometry.periodHeight * geometry.periodWidth);
  const S = chunkSamples(N, bins * 2 * K);
  const product = scratch('float64', 'fft:product', bins * S * 2 * K);
  const planes = scratch('float64', 'fft:planes', bins * 2 * K);
  for (let n0 = 0; n0 < N; n0 += S) {
    const s = Math.min(S, N - n0);
    for (const f of computed) {
      for (let g = 0; g < G; g++) {
        complexMatmulInto(
          product,
          f * s * 2 * K + g * 2 * Kg,
          2 * K,
          Kg,
          xs.data,
          f * N * 2 * C + n0 * 2 * C + g * 2 * Cg,
          2 * C,
          Cg,
          ws.data,
          weightPackOffset(info, bins, f, g, 'forward'),
          s,
          Kg,
          Cg,
        );
      }
    }
    for (let i = 0; i < s; i++) {
      gatherRow(planes, product, i, s, geometry, K, Kg);
      for (let k = 0; k < K; k++) {
        plan.inverse(
          out,
          ((n0 + i) * K + k) * Ho * Wo,
          Wo,
          planes,
          2 * k * bins,
          2,
          1,
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
  const { bins, computed } = geometry;
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const scale = 1 / (geometry.periodHeight * geometry.periodWidth);
  const S = chunkSamples(N, bins * 2 * C);
  const product = scratch('float64', 'fft:product', bins * S * 2 * C);
  const planes = scratch('float64', 'fft:planes', bins * 2 * C);
  for (let n0 = 0; n0 < N; n0 += S) {
    const s = Math.min(S, N - n0);
    for (const f of computed) {
      for (let g = 0; g < G; g++) {
        complexMatmulInto(
          product,
          f * s * 2 * C + g * 2 * Cg,
          2 * C,
          Cg,
          gs.data,
          f * N * 2 * K + n0 * 2 * K + g * 2 * Kg,
          2 * K,
          Kg,
          ws.data,
          weightPackOffset(info, bins, f, g, 'gradInput'),
          s,
          Cg,
          Kg,
        );
      }
    }
    for (let i = 0; i < s; i++) {
      gatherRow(planes, product, i, s, geometry, C, Cg);
      for (let c = 0; c < C; c++) {
        plan.inverse(gx, ((n0 + i) * C + c) * H * W, W, planes, 2 * c * bins, 2, 1, info.padTop, H, 1, info.padLeft, W, 1, scale);
      }
    }
  }
}

/** Samples per block of the grad-weight product's transposition of gy. */
const TRANSPOSE_BLOCK = 16;

/** gw [K, Cg, kh, kw] = dL/dw from the spectra of x and gy, summed over the batch. */
export function gradWeightProductInto(gw: FloatArray, xs: InputSpectrum, gs: GradSpectrum): void {
  const { info, geometry } = xs;
  const { batch: N, inChannels: C, outChannels: K, groups: G, inChannelsPerGroup: Cg, outChannelsPerGroup: Kg } = info;
  const { kernelHeight: kh, kernelWidth: kw } = info;
  const { bins, computed, source } = geometry;
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const scale = 1 / (geometry.periodHeight * geometry.periodWidth);
  const row = 2 * Cg;
  const perBin = K * row;
  const spectrum = scratch('float64', 'fft:gradWeightSpectrum', bins * perBin);
  // Per bin and group: conj(GY)^T as rows [k][Re N | Im N], and X packed as the kernel's B.
  const gyT = scratch('float64', 'fft:gradWeightGyT', 2 * Kg * N);
  const xPacked = scratch('float64', 'fft:gradWeightX', packedLength(N, Cg));
  for (const f of computed) {
    for (let g = 0; g < G; g++) {
      const gyBase = f * N * 2 * K + g * 2 * Kg;
      // Transposed a block of samples at a time, so that both sides stay in L1.
      for (let n0 = 0; n0 < N; n0 += TRANSPOSE_BLOCK) {
        const n1 = Math.min(N, n0 + TRANSPOSE_BLOCK);
        for (let k = 0; k < Kg; k++) {
          const to = 2 * k * N;
          for (let n = n0, from = gyBase + n0 * 2 * K + k; n < n1; n++, from += 2 * K) {
            gyT[to + n] = gs.data[from]!;
            gyT[to + N + n] = -gs.data[from + Kg]!;
          }
        }
      }
      const xBase = f * N * 2 * C + g * 2 * Cg;
      packRowsInto(xPacked, 0, xs.data, xBase, 2 * C, Cg, N, Cg);
      complexMatmulInto(spectrum, f * perBin + g * Kg * row, row, Cg, gyT, 0, 2 * N, N, xPacked, 0, Kg, Cg, N);
    }
  }
  // The mirrored bins: conjugates of their sources.
  for (let f = 0; f < bins; f++) {
    const from = source[f]!;
    if (from === f) continue;
    for (let k = 0; k < K; k++) {
      const a = from * perBin + k * row;
      const b = f * perBin + k * row;
      for (let c = 0; c < Cg; c++) {
        spectrum[b + c] = spectrum[a + c]!;
        spectrum[b + Cg + c] = -spectrum[a + Cg + c]!;
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
