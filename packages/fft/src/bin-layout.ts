/**
 * Moving one row of planes (a sample's channels) between the plane-major order the transforms
 * work in, [channel][bin][re, im], and the bin-major order the pointwise stage works in,
 * [bin][row][group][Re | Im]. Transforming straight into bin-major order would write every bin of
 * every plane to a different cache line (and page) of an array tens of MiB long; going through a
 * small plane-major buffer instead touches each bin's row once, whole.
 */
import type { SpectralGeometry } from './conv-geometry.js';

/**
 * planes [channel][bin][re, im] (one row's `channels` planes, interleaved) into row `row` of a
 * bin-major spectrum with `rows` rows per bin.
 */
export function scatterRow(
  dst: Float64Array,
  planes: Float64Array,
  row: number,
  rows: number,
  bins: number,
  channels: number,
  perGroup: number,
): void {
  const rowLength = 2 * channels;
  const binStride = rows * rowLength;
  for (let f = 0; f < bins; f++) {
    const base = f * binStride + row * rowLength;
    for (let g = 0, c = 0; c < channels; g++) {
      const groupBase = base + 2 * g * perGroup;
      for (let cl = 0; cl < perGroup; cl++, c++) {
        const from = 2 * (c * bins + f);
        dst[groupBase + cl] = planes[from]!;
        dst[groupBase + perGroup + cl] = planes[from + 1]!;
      }
    }
  }
}

/**
 * Row `row` of a bin-major product with `rows` rows per bin into planes [channel][bin][re, im],
 * filling each Hermitian mirror bin (geometry.source) with its source's conjugate.
 */
export function gatherRow(
  planes: Float64Array,
  src: Float64Array,
  row: number,
  rows: number,
  geometry: SpectralGeometry,
  channels: number,
  perGroup: number,
): void {
  const { bins, source } = geometry;
  const rowLength = 2 * channels;
  const binStride = rows * rowLength;
  for (let f = 0; f < bins; f++) {
    const from = source[f]!;
    const sign = from === f ? 1 : -1;
    const base = from * binStride + row * rowLength;
    for (let g = 0, c = 0; c < channels; g++) {
      const groupBase = base + 2 * g * perGroup;
      for (let cl = 0; cl < perGroup; cl++, c++) {
        const to = 2 * (c * bins + f);
        planes[to] = src[groupBase + cl]!;
        planes[to + 1] = sign * src[groupBase + perGroup + cl]!;
      }
    }
  }
}
