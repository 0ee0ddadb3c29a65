// Magic numbers of the file formats as bytes and back, without Node's Buffer.

/** The bytes of an ASCII string. */
export function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Bytes as Latin-1 text (each byte one character). */
export function asciiText(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}
