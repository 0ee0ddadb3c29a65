import { groupByOperation, measured, type BenchReport } from '../report.js';
import type { BenchChart } from '../suite.js';
import { writeFileAtomic } from '@convlab/nn';
import { barChart } from './bar-chart.js';
import path from 'node:path';
import { allSuites } from '../registry.js';
import { lectureBatchNote } from '../lecture-table.js';
import type { BenchSuite } from '../suite.js';

/**
 * The charts of a report: each suite's own (`BenchSuite.charts`), or one bar chart per operation
 * with the strategies side by side. File names are `<suite>-<operation key>`, stable across runs.
 */
export function reportCharts(report: BenchReport, suites: readonly BenchSuite[] = allSuites()): BenchChart[] {
  const charts: BenchChart[] = [];
  const m = report.machine;
  const batch = report.options.batch;
  const where = [`${m.cpu}, ${m.cores} cores, Node ${m.node}, commit ${m.commit}, batch ${batch}`, lectureBatchNote(batch)]
    .filter(Boolean)
    .join('; ');
  for (const result of report.suites) {
    if (result.rows.length === 0) continue;
    const suite = suites.find((s) => s.name === result.name);
    if (suite?.charts) {
      charts.push(...suite.charts(result.rows, where));
      continue;
    }
    for (const group of groupByOperation(result.rows.filter(measured))) {
      charts.push({
        name: `${result.name}-${group.key}`,
        title: group.operation,
        svg: barChart({
          title: group.operation,
          subtitle: where,
          bars: group.rows.map((row) => ({
            label: row.strategy,
            seconds: row.timing.median / 1000,
            min: row.timing.min / 1000,
            max: row.timing.max / 1000,
            lectureSeconds: row.lectureSeconds,
          })),
        }),
      });
    }
  }
  return charts;
}

/** Writes each chart to `<dir>/<name>.svg`, each file atomically; returns the paths written. */
export function writeCharts(dir: string, charts: readonly BenchChart[]): string[] {
  return charts.map((chart) => {
    const file = path.join(dir, `${chart.name}.svg`);
    writeFileAtomic(file, chart.svg);
    return file;
  });
}
