// Writes the README of a benchmark from its `convlab bench --json` results file. Run after
// `npx tsc -b`:
//   node benchmarks/report.mjs benchmarks/<suite>/results.json [--out FILE]
// FILE defaults to README.md beside the results; it is written whole or not at all.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { checkBenchReport, formatMarkdownReport } = await import('../packages/bench/dist/index.js');
const { writeFileAtomic } = await import('../packages/nn/dist/node.js');

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fail = (message) => {
  console.error(message);
  process.exit(2);
};
let args;
try {
  args = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
} catch (error) {
  fail(`report: ${error.message}`);
}
const [file, ...extra] = args.positionals;
if (!file || extra.length > 0) fail('usage: node benchmarks/report.mjs RESULTS.json [--out README.md]');
let report;
try {
  report = checkBenchReport(JSON.parse(readFileSync(file, 'utf8')), file);
} catch (error) {
  fail(error instanceof SyntaxError ? `report: ${file} is not JSON (${error.message})` : error.message.startsWith('report:') ? error.message : `report: cannot read ${file} (${error.message})`);
}
const out = args.values.out ?? join(dirname(file), 'README.md');
// The re-run command names the results file from the checkout's root, wherever this ran from.
const source = relative(root, file).split('\\').join('/');
writeFileAtomic(out, formatMarkdownReport(report, { source }));
console.error(`report: ${out} written from ${file}`);
