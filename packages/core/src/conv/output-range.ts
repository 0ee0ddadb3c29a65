/*
 * Along one axis, output position o reads input position o * stride + offset, where
 * offset = tap * dilation - padBefore. These give the outputs whose input lies inside [0, inLength),
 * so kernels loop over exactly the in-bounds part and treat the rest as zero padding.
 */

/** First output index whose input index `o * stride + offset` is >= 0. */
export function firstInside(offset: number, stride: number): number {
  return offset >= 0 ? 0 : Math.ceil(-offset / stride);
}

/** One past the last output index (at most `outLength`) whose input index is < `inLength`. */
export function endInside(offset: number, stride: number, inLength: number, outLength: number): number {
  const last = inLength - 1 - offset;
  if (last < 0) return 0;
  return Math.min(outLength, Math.floor(last / stride) + 1);
}
