export { maxPool2dInto, maxPool2dBackwardInto, maxPool2dWindowsInto, maxPool2x2Into, isPool2x2, avgPool2dInto, avgPool2dBackwardInto } from './pool2d.js';
