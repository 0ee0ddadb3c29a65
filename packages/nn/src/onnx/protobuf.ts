/**
 * A minimal protocol-buffers writer: the four wire types a hand-built message needs (varint,
 * 64-bit is unused, length-delimited, 32-bit), fields written in the order they are added.
 * Enough to write ONNX models without a schema compiler; tested against the encoding guide's examples.
 */
export class ProtoMessage {
  private readonly chunks: Uint8Array[] = [];

  /** An int32/int64/enum/bool field (wire type 0); negative values take ten bytes, as int64 does. */
  int(field: number, value: number): this {
    this.key(field, 0);
    this.chunks.push(varint(value));
    return this;
  }

  /** A float field (wire type 5: four little-endian bytes). */
  float(field: number, value: number): this {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.chunks.push(bytes);
    return this;
  }

  /** A string field, UTF-8 (wire type 2). */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A bytes field (wire type 2). */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.chunks.push(varint(value.length), value);
    return this;
  }

  /** An embedded message (wire type 2). */
  message(field: number, value: ProtoMessage): this {
    return this.bytes(field, value.finish());
  }

  /** A packed repeated int64 field (wire type 2: the varints back to back). */
  packedInts(field: number, values: readonly number[]): this {
    return this.bytes(field, concat(values.map(varint)));
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    return concat(this.chunks);
  }

  private key(field: number, wireType: number): void {
    if (!Number.isInteger(field) || field < 1) throw new Error(`protobuf: bad field number ${field}`);
    this.chunks.push(varint(field * 8 + wireType));
  }
}

/** Base-128 varint of a 64-bit two's-complement integer. */
function varint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new Error(`protobuf: ${value} is not an integer that a double holds exactly`);
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
