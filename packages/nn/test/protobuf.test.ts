import { describe, expect, it } from 'vitest';
import { ProtoMessage } from '../src/onnx/protobuf.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

// The examples of the protocol-buffers encoding guide, byte for byte.
describe('ProtoMessage, the protobuf encoder of the ONNX writer', () => {
  it('varints: 150 in field 1 is 08 96 01; 1 is 08 01; 300 is ac 02', () => {
    expect(hex(new ProtoMessage().int(1, 150).finish())).toBe('089601');
    expect(hex(new ProtoMessage().int(1, 1).finish())).toBe('0801');
    expect(hex(new ProtoMessage().int(1, 300).finish())).toBe('08ac02');
    expect(hex(new ProtoMessage().int(1, 0).finish())).toBe('0800');
  });

  it('negative int64 takes ten bytes of two\'s complement', () => {
    expect(hex(new ProtoMessage().int(1, -1).finish())).toBe('08ffffffffffffffffff01');
    expect(hex(new ProtoMessage().int(1, -2).finish())).toBe('08feffffffffffffffff01');
    expect(hex(new ProtoMessage().int(1, 2 ** 53 - 1).finish())).toBe('08ffffffffffffff0f');
  });

  it('strings, embedded messages and field numbers above 15', () => {
    expect(hex(new ProtoMessage().string(2, 'testing').finish())).toBe('120774657374696e67');
    // Test3 { c: Test1 { a: 150 } } with c = field 3.
    expect(hex(new ProtoMessage().message(3, new ProtoMessage().int(1, 150)).finish())).toBe('1a03089601');
    // Field 20 (AttributeProto.type), varint: key (20 << 3) = 160 = a0 01.
    expect(hex(new ProtoMessage().int(20, 7).finish())).toBe('a00107');
    expect(hex(new ProtoMessage().bytes(9, new Uint8Array(0)).finish())).toBe('4a00');
  });

  it('packed repeated ints: [3, 270, 86942] in field 4 is 22 06 03 8e 02 9e a7 05', () => {
    expect(hex(new ProtoMessage().packedInts(4, [3, 270, 86942]).finish())).toBe('2206038e029ea705');
  });

  it('floats as fixed32 little-endian: 1.0 in field 2 is 15 00 00 80 3f', () => {
    expect(hex(new ProtoMessage().float(2, 1).finish())).toBe('150000803f');
  });

  it('refuses numbers a varint cannot take exactly', () => {
    expect(() => new ProtoMessage().int(1, 0.5)).toThrow('protobuf: 0.5 is not an integer');
    expect(() => new ProtoMessage().int(0, 1)).toThrow('protobuf: bad field number 0');
  });
});
