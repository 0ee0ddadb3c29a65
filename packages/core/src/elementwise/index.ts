export { tanhInto, tanhFloat32Into, tanhBackwardInto, sigmoidInto, sigmoidBackwardInto, reluInto, reluBackwardInto } from './activation.js';
