export { parseIdx, encodeIdx, isGzip, gunzip } from './idx.js';
export type { IdxArray, IdxKind } from './idx.js';
export { datasetSize, sliceDataset, scalePixels } from './dataset.js';
export type { Dataset } from './dataset.js';
export { mnistFromBytes, splitMnist, mnistTestSplit, MNIST_FILES, MNIST_CLASSES, MNIST_VALIDATION_SIZE } from './mnist.js';
export type { MnistSplits, MnistSplitOptions, MnistFileKey, NamedIdx } from './mnist.js';
export { prepareDigit, prepareDigitLayout, DIGIT_BOX, DIGIT_FIELD } from './prepare-digit.js';
export type { PrepareDigitOptions, DigitLayout } from './prepare-digit.js';
