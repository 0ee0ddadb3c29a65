import type { CommandModule } from 'yargs';

// Each command lives in its own file and is listed here.
export const commands: CommandModule<object, any>[] = [];

import { benchCommand } from './bench.js';
commands.push(benchCommand);

import { trainCommand } from './train.js';
import { evalCommand } from './eval.js';
import { predictCommand } from './predict.js';
commands.push(trainCommand, evalCommand, predictCommand);

import { summaryCommand } from './summary.js';
import { exportCommand } from './export.js';
import { plotCommand } from './plot.js';
commands.push(summaryCommand, exportCommand, plotCommand);

import { serveCommand } from './serve.js';
commands.push(serveCommand);
