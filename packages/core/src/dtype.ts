// The element types, apart from tensor.ts so that limits.ts (which tensor.ts calls) can name them without importing it back.

/** The two element types a tensor can hold. */
export type Dtype = 'float32' | 'float64';

/** The typed arrays behind a tensor. */
export type FloatArray = Float32Array | Float64Array;
