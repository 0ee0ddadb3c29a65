import { allSuites } from './registry.js';
import { groupByOperation, measured, speedup, type BenchReport, type SuiteResult } from './report.js';
import type { BenchSuite } from './suite.js';

/**
 * Milliseconds for a table cell: four significant digits (no decimals from 1000 ms up), and
 * microseconds below 0.1 ms, where a transform or a small product lives.
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms >= 1000) return ms.toFixed(0);
  if (ms >= 0.1) return ms.toPrecision(4);
  return `${(ms * 1000).toPrecision(3)} µs`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
const loads = (l: readonly number[]) => l.map((v) => v.toFixed(2)).join(' / ');

/**
 * One suite's rows as a Markdown table in milliseconds: per operation (a bold row) its strategies
 * with median, min and max, the runs timed, the speed-up over the operation's first strategy,
 * GFLOP/s from the median where the row counts its operations, the lecture's seconds where it
 * has them, and the note with the largest difference from the first strategy's output.
 */
export function formatMarkdownTable(suite: SuiteResult): string[] {
  const withFlops = suite.rows.some((r) => r.flops !== undefined);
  const withLecture = suite.rows.some((r) => r.lectureSeconds !== undefined);
  const header = ['operation / strategy', 'median ms', 'min ms', 'max ms', 'runs', 'speed-up', ...(withFlops ? ['GFLOP/s'] : []), ...(withLecture ? ['lecture s'] : []), 'note'];
  const lines = [`| ${header.join(' | ')} |`, `| --- | ${header.slice(1, -1).map(() => '---:').join(' | ')} | --- |`];
  const empty = header.slice(1).map(() => '');
  for (const group of groupByOperation(suite.rows)) {
    lines.push(`| **${cell(group.operation)}** | ${empty.join(' | ')} |`);
    const baseline = group.rows[0]!;
    for (const row of group.rows) {
      const t = row.timing;
      const ok = measured(row);
      const ratio = ok && measured(baseline) ? speedup(baseline, row) : NaN;
      const notes = [
        row.skipped && `skipped: ${row.skipped}`,
        row.note,
        row.maxRelDiff !== undefined && row !== baseline ? `max rel diff ${row.maxRelDiff.toExponential(1)}` : undefined,
      ];
      const cells = [
        cell(row.strategy),
        ok ? formatMs(t.median) : 'skipped',
        ok ? formatMs(t.min) : '',
        ok ? formatMs(t.max) : '',
        ok ? String(t.times.length) : '',
        Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : '',
        ...(withFlops ? [ok && row.flops ? (row.flops / (t.median * 1e6)).toFixed(2) : ''] : []),
        ...(withLecture ? [row.lectureSeconds === undefined ? '' : String(row.lectureSeconds)] : []),
        cell(notes.filter(Boolean).join('; ')),
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return lines;
}

/** The command that re-runs a report's suites with its settings and writes `source` again. */
function rerunCommand(report: BenchReport, source: string): string[] {
  const o = report.options;
  const flags = [`--batch ${o.batch}`, `--repeat ${o.repeat}`, `--warmup ${o.warmup}`, ...(o.peers ? ['--peers'] : [])];
  return [
    `npx convlab bench ${o.what.join(' ')} ${flags.join(' ')} --no-charts --json ${source}`,
    `node benchmarks/report.mjs ${source}`,
  ];
}

export interface MarkdownReportOptions {
  /** The results file, as the re-run command should name it (a path relative to the checkout). */
  source: string;
  /** Where to find each suite's `summary` hook; the registered suites by default. */
  suites?: readonly BenchSuite[];
}

/**
 * A results file as a README: what ran and how to re-run it, the machine, the settings and the
 * load average, each suite's own summary (targets, breakdowns) and its full table.
 */
export function formatMarkdownReport(report: BenchReport, options: MarkdownReportOptions): string {
  const suites = options.suites ?? allSuites();
  const m = report.machine;
  const o = report.options;
  const names = report.suites.map((s) => s.name);
  const single = report.suites.length === 1 ? report.suites[0] : undefined;
  const lines = [`# Benchmark: ${names.join(', ')}`, ''];
  if (single) lines.push(`${single.description[0]!.toUpperCase()}${single.description.slice(1)}.`, '');
  lines.push(
    'Re-run (build first with `npx tsc -b`):',
    '',
    '```sh',
    ...rerunCommand(report, options.source),
    '```',
    '',
    `Measured on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, commit ${m.commit}, ${m.date}; ` +
      `batch ${o.batch}, ${o.warmup} warm-up + ${o.repeat} timed runs per case (slow loops may run fewer; their notes say so), ` +
      'the strategies of one operation interleaved (A B A B).',
    '',
  );
  if (report.loadBefore.length > 0 && report.loadAfter.length > 0) {
    lines.push(`Load average ${loads(report.loadBefore)} before and ${loads(report.loadAfter)} after (1 / 5 / 15 min) on ${m.cores} cores.`);
  } else {
    lines.push('The load average was not recorded for this run.');
  }
  if (report.note) lines.push(`**Note: ${report.note}.**`);
  lines.push('');
  for (const result of report.suites) {
    const level = single ? '##' : '###';
    if (!single) lines.push(`## ${result.name}`, '', `${result.description} (${result.seconds.toFixed(0)} s).`, '');
    const summary = suites.find((s) => s.name === result.name)?.summary;
    if (summary && result.rows.length > 0) lines.push(...summary(result.rows, m), '');
    lines.push(`${level} All measurements${single ? ` (${result.seconds.toFixed(0)} s)` : ''}`, '', ...formatMarkdownTable(result), '');
    if (result.error) lines.push(`**${result.name} failed:** ${result.error}`, '');
  }
  lines.push(
    'Times in milliseconds (µs where marked). speed-up: the operation\'s first strategy\'s median over this row\'s, from',
    'interleaved runs. GFLOP/s: from the median. max rel diff: the largest difference from the first strategy\'s output,',
    'relative to its largest magnitude. Raw times are in the results file; this page is written from it by',
    '`benchmarks/report.mjs`.',
    '',
  );
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** Checks that `value` (parsed JSON) is a `convlab bench --json` results file; `file` names it in the error. */
export function checkBenchReport(value: unknown, file: string): BenchReport {
  const v = value as Partial<BenchReport> | null;
  if (typeof v !== 'object' || v === null || v.format !== 'convlab-bench/1') {
    const format = typeof v === 'object' && v !== null && 'format' in v ? JSON.stringify(v.format) : 'none';
    throw new Error(`report: ${file} is not a convlab-bench/1 results file (format ${format}); write one with \`convlab bench --json\``);
  }
  if (!Array.isArray(v.suites) || typeof v.machine !== 'object' || typeof v.options !== 'object') {
    throw new Error(`report: ${file} lacks its machine, options or suites`);
  }
  return v as BenchReport;
}
