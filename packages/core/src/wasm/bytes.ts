/*
 * The byte level of a WebAssembly module: a growable byte buffer with the encodings the binary
 * format uses (https://webassembly.github.io/spec/core/binary/): unsigned and signed LEB128
 * integers, length-prefixed names and vectors, and sections (an id, then the byte length of the
 * contents, then the contents).
 */

export class ByteWriter {
  private data = new Uint8Array(256);
  private used = 0;

  get length(): number {
    return this.used;
  }

  /** The bytes written so far (a copy, so the writer can go on). */
  bytes(): Uint8Array {
    return this.data.slice(0, this.used);
  }

  byte(value: number): this {
    if (this.used === this.data.length) {
      const grown = new Uint8Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.used++] = value & 0xff;
    return this;
  }

  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.byte(bytes[i]!);
    return this;
  }

  /** Unsigned LEB128: seven bits a byte, low bits first, the high bit set on every byte but the last. */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new Error(`wasm: ${value} is not a u32`);
    let rest = value;
    do {
      const low = rest % 128;
      rest = Math.floor(rest / 128);
      this.byte(rest === 0 ? low : low | 0x80);
    } while (rest !== 0);
    return this;
  }

  /** Signed LEB128 (two's complement): stop once the rest is all sign bits and the last byte's bit 6 agrees. */
  s32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) throw new Error(`wasm: ${value} is not an s32`);
    let rest = value;
    for (;;) {
      const low = rest & 0x7f;
      rest >>= 7;
      const done = (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0);
      this.byte(done ? low : low | 0x80);
      if (done) return this;
    }
  }

  /** A name: its UTF-8 byte length, then the bytes. */
  name(text: string): this {
    const utf8 = new TextEncoder().encode(text);
    return this.u32(utf8.length).raw(utf8);
  }

  /** A vector: the element count, then each element as `write` puts it. */
  vector<T>(items: readonly T[], write: (item: T, into: this) => void): this {
    this.u32(items.length);
    for (const item of items) write(item, this);
    return this;
  }

  /** A length-prefixed block: the byte length of what `write` puts, then those bytes. */
  sized(write: (into: ByteWriter) => void): this {
    const inner = new ByteWriter();
    write(inner);
    return this.u32(inner.length).raw(inner.bytes());
  }
}
