import type { Argv, CommandModule } from 'yargs';
import { inputShapeOption, modelFromArgument, modelNames } from '../model-io.js';
import { asUsageError } from '../options.js';

interface SummaryArgs {
  model?: string;
  arch?: string;
  input?: string;
}

const CMD = 'summary';

/** `convlab summary --model lenet5|FILE`: layers, output shapes and parameter counts. */
export const summaryCommand: CommandModule<object, SummaryArgs> = {
  command: 'summary',
  describe: 'Layers, output shapes and parameter counts of a preset or a model file',
  builder: (yargs: Argv<object>) =>
    yargs
      .option('model', { type: 'string', demandOption: true, describe: `a preset (${modelNames().join(', ')}) or a model file (.cvlm, .safetensors, checkpoint)` })
      .option('arch', { type: 'string', describe: 'for a safetensors file with no convlab architecture: the preset it fits' })
      .option('input', { type: 'string', describe: 'the shape of one input, without the batch axis (default 1,28,28)' })
      .example('$0 summary --model lenet5', "LeNet-5's table: 431,080 parameters") as unknown as Argv<SummaryArgs>,
  handler: (argv) => {
    const input = inputShapeOption(CMD, argv.input);
    const { model, what } = modelFromArgument(CMD, argv.model, argv.arch);
    const table = asUsageError(() => model.summary([1, ...input]));
    process.stdout.write(`${what}\n${table}`);
  },
};
