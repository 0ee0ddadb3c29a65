import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../src/wasm/bytes.js';
import { FunctionBuilder, encodeModule } from '../src/wasm/module.js';
import { Op, SimdOp, ValType } from '../src/wasm/opcodes.js';
import { wasmRelaxedSimdSupported, wasmSimdSupported } from '../src/wasm/support.js';
import { gemmKernelModule } from '../src/wasm/gemm-kernel.js';
import { wasmApi, type WasmMemory } from '../src/wasm/runtime.js';

const wasm = wasmApi!;

/*
 * The WebAssembly emitter: its integer encodings against the binary format's worked values, and
 * modules it writes run by the runtime on known numbers.
 */

const bytes = (write: (w: ByteWriter) => void): number[] => {
  const w = new ByteWriter();
  write(w);
  return Array.from(w.bytes());
};

describe('ByteWriter', () => {
  it('writes unsigned LEB128 (the format\'s example 624485 is e5 8e 26)', () => {
    expect(bytes((w) => w.u32(0))).toEqual([0x00]);
    expect(bytes((w) => w.u32(127))).toEqual([0x7f]);
    expect(bytes((w) => w.u32(128))).toEqual([0x80, 0x01]);
    expect(bytes((w) => w.u32(624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytes((w) => w.u32(0xffffffff))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => bytes((w) => w.u32(-1))).toThrow('wasm: -1 is not a u32');
  });

  it('writes signed LEB128 (-123456 is c0 bb 78), with the sign in bit 6 of the last byte', () => {
    expect(bytes((w) => w.s32(0))).toEqual([0x00]);
    expect(bytes((w) => w.s32(-1))).toEqual([0x7f]);
    expect(bytes((w) => w.s32(63))).toEqual([0x3f]);
    expect(bytes((w) => w.s32(64))).toEqual([0xc0, 0x00]);
    expect(bytes((w) => w.s32(-64))).toEqual([0x40]);
    expect(bytes((w) => w.s32(-65))).toEqual([0xbf, 0x7f]);
    expect(bytes((w) => w.s32(-123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(bytes((w) => w.s32(-0x80000000))).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it('writes names, vectors and sized blocks with their length first', () => {
    expect(bytes((w) => w.name('env'))).toEqual([3, 0x65, 0x6e, 0x76]);
    expect(bytes((w) => w.vector([1, 2], (x, into) => into.byte(x * 10)))).toEqual([2, 10, 20]);
    expect(bytes((w) => w.sized((inner) => inner.u32(300)))).toEqual([2, 0xac, 0x02]);
  });
});

/** Instantiates a module over a fresh one-page memory. */
function instantiate(functions: FunctionBuilder[]): { memory: WasmMemory; exports: Record<string, any> } {
  const memory = new wasm.Memory({ initial: 1 });
  const module = new wasm.Module(encodeModule({ module: 'env', name: 'memory', minPages: 1 }, functions));
  return { memory, exports: new wasm.Instance(module, { env: { memory } }).exports };
}

describe('encodeModule', () => {
  it('writes a module the runtime runs: a counted loop summing the integers below n', () => {
    const f = new FunctionBuilder('sumBelow', [ValType.i32], [ValType.i32]);
    const [i, sum] = [f.local(ValType.i32), f.local(ValType.i32)];
    f.i32(0).set(i).i32(0).set(sum);
    f.repeat(i, 0, 1, () => f.increment(sum, { local: i }));
    f.get(sum);
    const { exports } = instantiate([f]);
    expect(exports['sumBelow'](1)).toBe(0);
    expect(exports['sumBelow'](10)).toBe(45);
    expect(exports['sumBelow'](1000)).toBe(499500);
  });

  it.skipIf(!wasmSimdSupported())('writes f32x4 arithmetic: lanes multiplied, added, and a broadcast load', () => {
    // out[0..3] = x[0..3] * y[0..3] + s, with s loaded into all four lanes.
    const f = new FunctionBuilder('axpy', []);
    f.i32(64);
    f.i32(0).v128Load().i32(16).v128Load().simd(SimdOp.f32x4_mul);
    f.i32(32).f32Splat().simd(SimdOp.f32x4_add);
    f.v128Store();
    const { memory, exports } = instantiate([f]);
    const view = new Float32Array(memory.buffer);
    view.set([1, 2, 3, 4], 0);
    view.set([10, 20, 30, 40], 4);
    view[8] = 0.5;
    exports['axpy']();
    expect(Array.from(view.subarray(16, 20))).toEqual([10.5, 40.5, 90.5, 160.5]);
  });

  it('rejects a module with a wrong instruction (the validator sees every byte)', () => {
    const f = new FunctionBuilder('bad', []);
    f.op(Op.i32_add);
    expect(wasm.validate(encodeModule({ module: 'env', name: 'memory', minPages: 1 }, [f]))).toBe(false);
  });
});

describe('feature detection', () => {
  it('finds SIMD in this runtime (Node 20 has it), and relaxed SIMD only where the fused kernel validates', () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(wasm.validate(gemmKernelModule(false))).toBe(true);
    expect(wasm.validate(gemmKernelModule(true))).toBe(wasmRelaxedSimdSupported());
  });
});
