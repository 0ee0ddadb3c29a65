export { readIdx, parseIdx, encodeIdx, isGzip } from './idx.js';
export type { IdxArray, IdxKind } from './idx.js';
export { datasetSize, sliceDataset, scalePixels } from './dataset.js';
export type { Dataset } from './dataset.js';
export {
  loadMnist,
  loadMnistTest,
  mnistFiles,
  defaultMnistDir,
  MNIST_FILES,
  MNIST_CLASSES,
  MNIST_VALIDATION_SIZE,
} from './mnist.js';
export type { Mnist, MnistOptions, MnistFileKey } from './mnist.js';
export { prepareDigit, prepareDigitLayout, DIGIT_BOX, DIGIT_FIELD } from './prepare-digit.js';
export type { PrepareDigitOptions, DigitLayout } from './prepare-digit.js';
