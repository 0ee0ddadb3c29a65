/** The 8-byte signature every PNG file starts with. */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The most pixels an image given to the command line may declare (4096 x 4096; decoded as RGBA, 64 MB). */
export const MAX_PNG_PIXELS = 4096 * 4096;

/**
 * The width and height a PNG declares in its IHDR chunk, read from the bytes without decoding
 * anything; null when the bytes do not start like a PNG (the decoder then says what is wrong).
 * Reading them first lets a caller refuse an image before a decoder allocates its pixels.
 */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
