/**
 * Where each strategy wins: the time of direct, im2col + GEMM and FFT convolution as the kernel
 * grows (3 to 15, image fixed) and as the image grows (16 to 128, kernel fixed), for a single
 * one-channel image (the signal-processing case), for a modest batch of 16-channel images (a
 * hidden conv layer) and for the same batch of 3-channel images (a first layer on colour input). Each point records what the cost model would choose, and the charts mark the
 * measured winner beside that choice.
 */
import { conv2d } from '@convlab/core';
import { chooseConvMethod, fftConv2d } from '@convlab/fft';
import { lineChart } from '../charts/line-chart.js';
import type { BenchChart, BenchContext, BenchRow, BenchSuite } from '../suite.js';
import { convFlops, measureOperation, randomTensor, shapeText, withThreads, type StrategyCase } from './common.js';

/** A conv layer shape: batch, in-channels, out-channels. */
interface Scale {
  name: 'single' | 'batched' | 'rgb';
  n: number;
  c: number;
  k: number;
}

export interface CrossoverPlan {
  scales: Scale[];
  kernels: number[];
  /** Image side for the kernel sweep. */
  kernelSweepImage: number;
  images: number[];
  /** Kernel side for the image sweep. */
  imageSweepKernel: number;
}

/** The full study; shapes kept modest so that it runs in minutes on two cores. */
export const CROSSOVER_PLAN: CrossoverPlan = {
  scales: [
    { name: 'single', n: 1, c: 1, k: 1 },
    { name: 'batched', n: 16, c: 16, k: 16 },
    // A first layer on colour images: few input channels, where the spectra buy less.
    { name: 'rgb', n: 16, c: 3, k: 16 },
  ],
  kernels: [3, 5, 7, 9, 11, 13, 15],
  kernelSweepImage: 32,
  images: [16, 24, 32, 48, 64, 96, 128],
  imageSweepKernel: 5,
};

const TINY_PLAN: CrossoverPlan = {
  scales: [
    { name: 'single', n: 1, c: 1, k: 1 },
    { name: 'batched', n: 2, c: 2, k: 3 },
    { name: 'rgb', n: 2, c: 3, k: 2 },
  ],
  kernels: [3, 5],
  kernelSweepImage: 8,
  images: [8, 12],
  imageSweepKernel: 3,
};

export type CrossoverMethod = 'direct' | 'im2col' | 'fft';

/** The strategies measured at one shape, in the order they are listed. */
function strategies(x: ReturnType<typeof randomTensor>, w: ReturnType<typeof randomTensor>, flops: number): StrategyCase[] {
  return [
    { strategy: 'direct', flops, run: () => conv2d(x, w, null, { method: 'direct' }) },
    { strategy: 'im2col', flops, run: () => conv2d(x, w, null, { method: 'im2col' }) },
    { strategy: 'fft', flops, run: () => fftConv2d(x, w, null) },
  ];
}

async function point(context: BenchContext, sweep: 'kernel' | 'image', scale: Scale, image: number, kernel: number): Promise<BenchRow[]> {
  const x = randomTensor([scale.n, scale.c, image, image], 1000 + image);
  const w = randomTensor([scale.k, scale.c, kernel, kernel], 2000 + kernel, 0.2);
  const o = image - kernel + 1;
  const flops = convFlops(scale.n, scale.c, scale.k, o, o, kernel, kernel);
  // The cost model prices a forward pass, as measured here.
  const chosen: CrossoverMethod = chooseConvMethod(x.shape, w.shape);
  const params: Record<string, number | string> = { sweep, scale: scale.name, image, kernel, batch: scale.n, inChannels: scale.c, outChannels: scale.k, chosen };
  return measureOperation(context, {
    operation: `${sweep} sweep, ${scale.name}: ${shapeText(x.shape)} * ${shapeText(w.shape)}`,
    key: `${sweep}-${scale.name}-${sweep === 'kernel' ? kernel : image}`,
    params,
    minSampleMs: context.tiny ? undefined : 20,
    cases: strategies(x, w, flops),
  });
}

/** The fastest strategy of each sweep point (by median). */
function winners(rows: BenchRow[]): Map<string, BenchRow> {
  const best = new Map<string, BenchRow>();
  for (const row of rows) {
    const b = best.get(row.operation);
    if (!b || row.timing.median < b.timing.median) best.set(row.operation, row);
  }
  return best;
}

function sweepChart(rows: BenchRow[], sweep: 'kernel' | 'image', scale: string, where?: string): BenchChart | undefined {
  const mine = rows.filter((r) => r.params?.sweep === sweep && r.params?.scale === scale);
  if (mine.length === 0) return undefined;
  const xOf = (r: BenchRow) => Number(sweep === 'kernel' ? r.params!.kernel : r.params!.image);
  const names = [...new Set(mine.map((r) => r.strategy))];
  const series = names.map((name) => ({
    name,
    points: mine.filter((r) => r.strategy === name).map((r) => ({ x: xOf(r), y: r.timing.median / 1000 })),
  }));
  const best = [...winners(mine).values()];
  const strips = [{ label: 'fastest here', values: best.map((r) => ({ x: xOf(r), series: r.strategy })) }];
  const choices = mine.filter((r, i, all) => r.params?.chosen && all.findIndex((q) => q.operation === r.operation) === i);
  if (choices.length > 0) {
    strips.push({ label: 'chooseConvMethod', values: choices.map((r) => ({ x: xOf(r), series: String(r.params!.chosen) })) });
  }
  const first = mine[0]!.params!;
  const fixed = sweep === 'kernel' ? `image ${first.image}x${first.image}` : `kernel ${first.kernel}x${first.kernel}`;
  const title = `conv2d time vs ${sweep} size, ${scale} (batch ${first.batch}, ${first.inChannels} -> ${first.outChannels} channels, ${fixed})`;
  return {
    name: `crossover-${sweep}-${scale}`,
    title,
    svg: lineChart({ title, subtitle: `median seconds per call, float32, one thread${where ? `; ${where.replace(/, batch \d+$/, '')}` : ''}`, xLabel: `${sweep} size (pixels per side)`, series, strips }),
  };
}

export const crossoverSuite: BenchSuite = {
  name: 'crossover',
  description: 'direct vs im2col vs FFT as the kernel and the image grow, with the cost model\'s choice (one thread)',
  run: (context) => withThreads(1, async () => {
    const plan = context.tiny ? TINY_PLAN : CROSSOVER_PLAN;
    // Warm the JIT on every strategy first, so the first sweep point is not timed on cold code.
    if (!context.tiny) {
      const x = randomTensor([2, 2, 24, 24], 1);
      const w = randomTensor([4, 2, 5, 5], 2);
      for (const c of strategies(x, w, 0)) for (let i = 0; i < 50; i++) c.run();
    }
    const rows: BenchRow[] = [];
    for (const scale of plan.scales) {
      for (const kernel of plan.kernels) rows.push(...(await point(context, 'kernel', scale, plan.kernelSweepImage, kernel)));
      for (const image of plan.images) rows.push(...(await point(context, 'image', scale, image, plan.imageSweepKernel)));
    }
    return rows;
  }),
  charts(rows, where) {
    const charts: BenchChart[] = [];
    for (const sweep of ['kernel', 'image'] as const) {
      for (const scale of ['single', 'batched', 'rgb']) {
        const chart = sweepChart(rows, sweep, scale, where);
        if (chart) charts.push(chart);
      }
    }
    return charts;
  },
};
