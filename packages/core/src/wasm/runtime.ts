/*
 * The few parts of the WebAssembly JavaScript API the kernels use, typed here: the global exists
 * in Node and in browsers, but its declarations live in TypeScript's DOM library, which this
 * package does not load. Undefined where a runtime has no WebAssembly at all.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes in a WebAssembly memory page. */
export const PAGE_BYTES = 65536;
