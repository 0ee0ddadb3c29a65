/*
 * The instruction and type encodings the kernels use, by their names in the WebAssembly text
 * format. Plain instructions are one byte; SIMD instructions are the prefix 0xfd followed by the
 * opcode as an unsigned LEB128 (https://webassembly.github.io/spec/core/binary/instructions.html,
 * relaxed SIMD from https://github.com/WebAssembly/relaxed-simd).
 */

export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** The block type of a block or loop that leaves nothing on the stack. */
export const EMPTY_BLOCK = 0x40;

export const Op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  br_if: 0x0d,
  end: 0x0b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  f32_load: 0x2a,
  f32_store: 0x38,
  i32_const: 0x41,
  i32_eqz: 0x45,
  i32_ne: 0x47,
  i32_lt_u: 0x49,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
} as const;

export const SIMD_PREFIX = 0xfd;

export const SimdOp = {
  v128_load: 0x00,
  v128_load32_splat: 0x09,
  v128_store: 0x0b,
  v128_const: 0x0c,
  i8x16_shuffle: 0x0d,
  f32x4_splat: 0x13,
  f32x4_neg: 0xe1,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  /** Relaxed SIMD: a * b + c, fused where the hardware has FMA (the rounding may differ between machines). */
  f32x4_relaxed_madd: 0x105,
} as const;

/** Section ids of the module sections the emitter writes, in the order they must appear. */
export const Section = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;

export const ExternalKind = { function: 0x00, memory: 0x02 } as const;
