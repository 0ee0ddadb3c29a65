// @convlab/nn/node: what only Node can do, files. Importing it also makes `model.save(path)` and
// `fit({ checkpointPath })` write files. The package's main entry includes all of this when Node
// loads it (its "node" export condition), so `import { loadModel } from '@convlab/nn'` works in Node.
import { provideFileWriter } from './file-access.js';
import { writeFileAtomic } from './node/atomic-write.js';

provideFileWriter(writeFileAtomic);

export { writeFileAtomic } from './node/atomic-write.js';
export { saveModel, loadModel } from './node/model-files.js';
export { saveSafetensorsFile, loadSafetensorsFile } from './node/safetensors-files.js';
export { readCheckpoint, writeCheckpoint } from './node/checkpoint-files.js';
export { readIdx } from './node/idx-files.js';
export { loadMnist, loadMnistTest, mnistFiles, defaultMnistDir } from './node/mnist-files.js';
export type { Mnist, MnistOptions } from './node/mnist-files.js';
