export { setSimd, simdEnabled, simdRequested } from './simd-setting.js';
export { wasmSimdSupported, wasmRelaxedSimdSupported } from './support.js';
