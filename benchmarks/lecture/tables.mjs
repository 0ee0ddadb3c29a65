// Prints the Markdown tables of a `convlab bench --json` results file (docs/REPRODUCTION.md
// quotes them). Run after `npx tsc -b`:
//   node benchmarks/lecture/tables.mjs benchmarks/lecture/results.json
import { readFileSync } from 'node:fs';

const { formatMarkdownSuite } = await import('../../packages/bench/dist/index.js');

const file = process.argv[2];
if (!file) {
  console.error('usage: node benchmarks/lecture/tables.mjs RESULTS.json');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const m = report.machine;
console.log(`Measured on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, commit ${m.commit}, ${m.date};`);
console.log(
  `batch ${report.options.batch}, repeat ${report.options.repeat}, warm-up ${report.options.warmup}; load average ` +
    `${report.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${report.loadAfter.map((l) => l.toFixed(2)).join(' ')} after.`,
);
if (report.note) console.log(`Note: ${report.note}.`);
for (const suite of report.suites) {
  console.log(`\n### ${suite.name}: ${suite.description} (${suite.seconds.toFixed(0)} s)\n`);
  console.log(formatMarkdownSuite(suite));
  if (suite.error) console.log(`\n**${suite.name} failed:** ${suite.error}`);
}
