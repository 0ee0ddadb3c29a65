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
import { rfft2Plan, type Rfft2Plan } from './rfft2-plan.js';

/** A chunk's product spectrum stays near this many doubles (1 MiB). */
const CHUNK_DOUBLES = 1 << 17;

function chunkSamples(batch: number, doublesPerSample: number): number {
  return Math.max(1, Math.min(batch, Math.floor(CHUNK_DOUBLES / doublesPerSample)));
}

/** out [N, K, Ho, Wo] = conv2d(x, w) + bias from the spectra of x and w. */
export function forwardProductInto(out: FloatArray, xs: InputSpectrum, ws: WeightSpectrum, bias: FloatArray | null): void {
  const { info } = xs;
  const { outChannels: K, outHeight: Ho, outWidth: Wo } = info;
  const { padTop, padLeft, strideHeight, strideWidth } = info;
  productsWithWeights(xs, ws, 'forward', (plan, planes, bins, scale, n, k) => {
    const at = (n * K + k) * Ho * Wo;
    const addend = bias === null ? 0 : bias[k]!;
    plan.inverse(out, at, Wo, planes, 2 * k * bins, 2, 1, -padTop, Ho, strideHeight, -padLeft, Wo, strideWidth, scale, addend);
  });
}

/** gx [N, C, H, W] = dL/dx from the spectra of gy and w. */
export function gradInputProductInto(gx: FloatArray, gs: GradSpectrum, ws: WeightSpectrum): void {
  const { info } = gs;
  const { inChannels: C, inHeight: H, inWidth: W } = info;
  productsWithWeights(gs, ws, 'gradInput', (plan, planes, bins, scale, n, c) =>
    plan.inverse(gx, (n * C + c) * H * W, W, planes, 2 * c * bins, 2, 1, info.padTop, H, 1, info.padLeft, W, 1, scale),
  );
}

/**
 * The two products with the weights' spectrum, chunk of samples by chunk: per computed bin and
 * group, the chunk's rows of `a` (the input's spectrum forward, gy's for the input gradient) times
 * the weights packed for that product; then each sample's product planes, gathered plane-major,
 * go to `back` one channel at a time to be transformed back and written.
 */
function productsWithWeights(
  a: InputSpectrum | GradSpectrum,
  ws: WeightSpectrum,
  product: 'forward' | 'gradInput',
  back: (plan: Rfft2Plan, planes: Float64Array, bins: number, scale: number, sample: number, channel: number) => void,
): void {
  const { info, geometry } = a;
  const { batch: N, groups: G } = info;
  const forward = product === 'forward';
  // Channels of a's rows and of the product's rows, in all and per group.
  const from = forward ? info.inChannels : info.outChannels;
  const fromGroup = forward ? info.inChannelsPerGroup : info.outChannelsPerGroup;
  const to = forward ? info.outChannels : info.inChannels;
  const toGroup = forward ? info.outChannelsPerGroup : info.inChannelsPerGroup;
  const { bins, computed } = geometry;
  const plan = rfft2Plan(geometry.periodHeight, geometry.periodWidth);
  const scale = 1 / (geometry.periodHeight * geometry.periodWidth);
  const S = chunkSamples(N, bins * 2 * to);
  const result = scratch('float64', 'fft:product', bins * S * 2 * to);
  const planes = scratch('float64', 'fft:planes', bins * 2 * to);
  for (let n0 = 0; n0 < N; n0 += S) {
    const s = Math.min(S, N - n0);
    for (const f of computed) {
      for (let g = 0; g < G; g++) {
        complexMatmulInto(
          result,
          f * s * 2 * to + g * 2 * toGroup,
          2 * to,
          toGroup,
          a.data,
          f * N * 2 * from + n0 * 2 * from + g * 2 * fromGroup,
          2 * from,
          fromGroup,
          ws.data,
          weightPackOffset(info, bins, f, g, product),
          s,
          toGroup,
          fromGroup,
        );
      }
    }
    for (let i = 0; i < s; i++) {
      gatherRow(planes, result, i, s, geometry, to, toGroup);
      for (let c = 0; c < to; c++) back(plan, planes, bins, scale, n0 + i, c);
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
