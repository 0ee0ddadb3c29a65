import { lectureBatchNote } from './lecture-table.js';
import { groupByOperation, lectureSpeedup, measured, speedup, type BenchReport, type SuiteResult } from './report.js';

/** Seconds with four significant digits (the lecture's table uses seconds throughout). */
export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  if (!Number.isFinite(s)) return String(s);
  if (s >= 1000) return s.toFixed(0);
  return s.toPrecision(4);
}

function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '';
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}x`;
}

/** Aligns the columns; a row of one cell (an operation's title) is printed as it is. */
function pad(cells: string[][], rightAligned: boolean[]): string[] {
  const table = cells.filter((row) => row.length > 1);
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  return cells.map((row) =>
    row.length === 1 ? row[0]! : row
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * One suite as a plain table: per operation its strategies, median / min / max seconds, the runs
 * timed, the speed-up over the operation's first strategy, the lecture's seconds and ratio
 * beside ours, GFLOP/s, and the row's note.
 */
export function formatSuite(suite: SuiteResult): string {
  const lines = [`== ${suite.name}: ${suite.description} (${suite.seconds.toFixed(1)} s)`];
  if (suite.rows.length > 0) {
    const header = ['operation / strategy', 'median s', 'min s', 'max s', 'runs', 'speed-up', 'lecture s', 'lecture x', 'GFLOP/s', 'note'];
    const cells: string[][] = [header];
    for (const group of groupByOperation(suite.rows)) {
      cells.push([group.operation]);
      const baseline = group.rows[0]!;
      for (const row of group.rows) {
        const t = row.timing;
        if (!measured(row)) {
          cells.push([`  ${row.strategy}`, 'skipped', '', '', '', '', '', '', '', [row.skipped, row.note].filter(Boolean).join('; ')]);
          continue;
        }
        const gflops = row.flops ? (row.flops / (t.median / 1000) / 1e9).toFixed(2) : '';
        const notes = [row.note, row.maxRelDiff !== undefined && row !== baseline ? `max rel diff ${row.maxRelDiff.toExponential(1)}` : undefined];
        cells.push([
          `  ${row.strategy}`,
          formatSeconds(t.median),
          formatSeconds(t.min),
          formatSeconds(t.max),
          String(t.times.length),
          formatRatio(speedup(baseline, row)),
          row.lectureSeconds === undefined ? '' : row.lectureSeconds.toString(),
          formatRatio(lectureSpeedup(baseline, row)),
          gflops,
          notes.filter(Boolean).join('; '),
        ]);
      }
    }
    lines.push(...pad(cells, [false, true, true, true, true, true, true, true, true, false]));
  }
  if (suite.error) lines.push(`!! ${suite.name} failed: ${suite.error}`);
  return lines.join('\n');
}

/** The whole report: the machine, then every suite's table. */
export function formatReport(report: BenchReport): string {
  const m = report.machine;
  const o = report.options;
  const head = [
    `convlab bench: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, commit ${m.commit}, ${m.date}`,
    `batch ${o.batch}, repeat ${o.repeat}, warm-up ${o.warmup}; load average ${report.loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${report.loadAfter.map((l) => l.toFixed(2)).join(' ')} after`,
    'speed-up: the first strategy of each operation over this one, from runs interleaved A B A B; lecture x: the same ratio from the lecture\'s seconds',
    ...(report.note ? [`note: ${report.note}`] : []),
    ...[lectureBatchNote(o.batch)].filter((line) => line !== undefined),
  ];
  return [...head, '', ...report.suites.map(formatSuite).flatMap((t) => [t, ''])].join('\n');
}

/**
 * One suite as a Markdown table (for reports): the same columns as the plain table, an
 * operation's title as a bold row above its strategies.
 */
export function formatMarkdownSuite(suite: SuiteResult): string {
  const lines = [
    '| operation / strategy | median s | min s | max s | runs | speed-up | lecture s | lecture speed-up | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  for (const group of groupByOperation(suite.rows)) {
    lines.push(`| **${cell(group.operation)}** | | | | | | | | |`);
    const baseline = group.rows[0]!;
    for (const row of group.rows) {
      if (!measured(row)) {
        lines.push(`| ${cell(row.strategy)} | skipped | | | | | | | ${cell([row.skipped, row.note].filter(Boolean).join('; '))} |`);
        continue;
      }
      const t = row.timing;
      const notes = [row.note, row.maxRelDiff !== undefined && row !== baseline ? `max rel diff ${row.maxRelDiff.toExponential(1)}` : undefined];
      lines.push(
        `| ${cell(row.strategy)} | ${formatSeconds(t.median)} | ${formatSeconds(t.min)} | ${formatSeconds(t.max)} | ${t.times.length} | ` +
          `${formatRatio(speedup(baseline, row))} | ${row.lectureSeconds ?? ''} | ${formatRatio(lectureSpeedup(baseline, row))} | ` +
          `${cell(notes.filter(Boolean).join('; '))} |`,
      );
    }
  }
  return lines.join('\n');
}
