/**
 * The lecture's loops, layer shapes and figures: the parts of the bench that import nothing from
 * Node, for a browser bundle (`@convlab/bench/lecture`; the demo page times them).
 */
export { convForwardLoop, maxPoolLoop, poolDeltaLoop, weightGradLoop } from './lecture-loops.js';
export { LECTURE_SECONDS, LENET_LAYERS } from './lecture-table.js';
export { randomTensor } from './random-tensor.js';
