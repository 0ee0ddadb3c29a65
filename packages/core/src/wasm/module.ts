import { ByteWriter } from './bytes.js';
import { EMPTY_BLOCK, ExternalKind, Op, SIMD_PREFIX, Section, SimdOp, ValType } from './opcodes.js';

/*
 * A minimal WebAssembly module writer: functions built instruction by instruction, an imported
 * linear memory, and exports by name. Enough for straight-line numeric kernels with counted loops;
 * no tables, globals or data segments.
 */

/** Natural alignment, as log2 bytes, of the memory accesses (an alignment hint never traps). */
const ALIGN_F32 = 2;
const ALIGN_V128 = 4;

/** The body of one function: its parameters, declared locals, and the instruction bytes. */
export class FunctionBuilder {
  readonly code = new ByteWriter();
  private readonly locals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** Declares a local of `type` and returns its index (parameters come first). */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(opcode: number): this {
    this.code.byte(opcode);
    return this;
  }

  simd(opcode: number): this {
    this.code.byte(SIMD_PREFIX).u32(opcode);
    return this;
  }

  get(index: number): this {
    this.code.byte(Op.local_get).u32(index);
    return this;
  }

  set(index: number): this {
    this.code.byte(Op.local_set).u32(index);
    return this;
  }

  i32(value: number): this {
    this.code.byte(Op.i32_const).s32(value);
    return this;
  }

  /** local[index] += step (i32). */
  increment(index: number, step: number | { local: number }): this {
    this.get(index);
    if (typeof step === 'number') this.i32(step);
    else this.get(step.local);
    return this.op(Op.i32_add).set(index);
  }

  /** Pushes the v128 at (address on the stack) + offset. */
  v128Load(offset = 0): this {
    this.simd(SimdOp.v128_load).code.u32(ALIGN_V128).u32(offset);
    return this;
  }

  /** Pushes the f32 at (address on the stack) + offset in all four lanes. */
  f32Splat(offset = 0): this {
    this.simd(SimdOp.v128_load32_splat).code.u32(ALIGN_F32).u32(offset);
    return this;
  }

  /** Stores the v128 on top of the stack at (address below it) + offset. */
  v128Store(offset = 0): this {
    this.simd(SimdOp.v128_store).code.u32(ALIGN_V128).u32(offset);
    return this;
  }

  /** Pushes a v128 of zeros. */
  v128Zero(): this {
    this.simd(SimdOp.v128_const).code.raw(new Array<number>(16).fill(0));
    return this;
  }

  /** Pushes the lane permutation of two v128s: byte i of the result is byte lanes[i] of (a ++ b). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error('wasm: i8x16.shuffle takes 16 lane indices');
    this.simd(SimdOp.i8x16_shuffle).code.raw(lanes);
    return this;
  }

  /**
   * A do-while loop: `body`, then local[counter] += step, repeated while local[counter] < local[limit]
   * (unsigned). The body runs at least once: callers guarantee a non-empty range.
   */
  repeat(counter: number, limit: number, step: number | { local: number }, body: () => void): this {
    this.op(Op.loop).op(EMPTY_BLOCK);
    body();
    this.increment(counter, step);
    this.get(counter).get(limit).op(Op.i32_lt_u).op(Op.br_if).code.u32(0);
    return this.op(Op.end);
  }

  /** The locals declaration: runs of equal types as (count, type). */
  writeLocals(into: ByteWriter): void {
    const runs: [number, ValType][] = [];
    for (const type of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === type) last[0]++;
      else runs.push([1, type]);
    }
    into.vector(runs, ([count, type], w) => w.u32(count).byte(type));
  }
}

export interface MemoryImport {
  module: string;
  name: string;
  /** Initial size in 64 KiB pages. */
  minPages: number;
}

/** The bytes of a module importing `memory` and exporting each function under its name. */
export function encodeModule(memory: MemoryImport, functions: readonly FunctionBuilder[]): Uint8Array {
  const out = new ByteWriter();
  out.raw([0x00, 0x61, 0x73, 0x6d]).raw([0x01, 0x00, 0x00, 0x00]);
  // One function type per function (the kernels are few; no sharing needed).
  out.byte(Section.type).sized((s) =>
    s.vector(functions, (f, w) => {
      w.byte(0x60);
      w.vector(f.params, (t, ww) => ww.byte(t));
      w.vector(f.results, (t, ww) => ww.byte(t));
    }),
  );
  out.byte(Section.import).sized((s) =>
    s.vector([memory], (m, w) => w.name(m.module).name(m.name).byte(ExternalKind.memory).byte(0x00).u32(m.minPages)),
  );
  out.byte(Section.function).sized((s) => s.vector(functions.map((_f, i) => i), (i, w) => w.u32(i)));
  out.byte(Section.export).sized((s) => s.vector(functions.map((f, i) => [f.name, i] as const), ([name, i], w) => w.name(name).byte(ExternalKind.function).u32(i)));
  out.byte(Section.code).sized((s) =>
    s.vector(functions, (f, w) =>
      w.sized((body) => {
        f.writeLocals(body);
        body.raw(f.code.bytes()).byte(Op.end);
      }),
    ),
  );
  return out.bytes();
}
