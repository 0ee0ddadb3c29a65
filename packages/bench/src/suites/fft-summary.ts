import type { BenchRow } from '../suite.js';

const find = (rows: readonly BenchRow[], key: string, strategy: string) => rows.find((r) => r.key === key && r.strategy === strategy);

/**
 * The fft suite's targets and checks: layer 2 forward with reused spectra at least 3x faster than
 * im2col + GEMM in the same run, a 32x32 real FFT in 10 us, and the cost model's picks against
 * the fastest strategy measured.
 */
export function fftSummary(rows: readonly BenchRow[]): string[] {
  const lines: string[] = [];
  const fft = find(rows, 'fft-forward-2', 'fft, reused spectra');
  const im2col = find(rows, 'fft-forward-2', 'im2col + GEMM');
  if (fft && im2col) {
    const ratio = im2col.timing.median / fft.timing.median;
    lines.push(
      `- Layer 2 forward, FFT with reused spectra vs im2col + GEMM in the same run: ${im2col.timing.median.toFixed(1)} ms / ` +
        `${fft.timing.median.toFixed(1)} ms = **${ratio.toFixed(2)}x** (target 3x: ${ratio >= 3 ? 'met' : 'NOT met'}).`,
    );
  }
  const rfft = find(rows, 'fft-rfft2-32', 'rfft2, rows paired');
  if (rfft) {
    const us = rfft.timing.median * 1000;
    const best = rfft.timing.min * 1000;
    const verdict = us <= 10 ? 'met' : best <= 10 ? 'met by the fastest run only' : 'NOT met';
    lines.push(
      `- Real 2-D FFT of ${rfft.operation.match(/(\d+x\d+)/)?.[1] ?? '32x32'}, batched: **${us.toFixed(2)} µs** a transform, median ` +
        `(fastest run ${best.toFixed(2)} µs; target 10 µs: ${verdict}).`,
    );
  }
  const numpy = find(rows, 'fft-rfft2-32', 'numpy scipy.fft.rfft2');
  if (numpy && Number.isFinite(numpy.timing.median)) {
    lines.push(`- numpy's scipy.fft.rfft2 on the same batch: ${(numpy.timing.median * 1000).toFixed(2)} µs a transform.`);
  }
  const periods = rows.filter((r) => r.key === 'fft-period-2' && r.strategy.startsWith('forward'));
  if (periods.length === 2) {
    const [mixed, power] = periods as [BenchRow, BenchRow];
    const inverse = rows.filter((r) => r.key === 'fft-period-2' && r.strategy.startsWith('inverse'));
    const us = (r: BenchRow | undefined) => (r ? (r.timing.median * 1000).toFixed(2) : '?');
    lines.push(
      `- Layer 2's period: ${mixed.strategy.replace('forward at ', '')} ${us(mixed)} µs forward, ${us(inverse[0])} µs back a plane, ` +
        `against ${power.strategy.replace('forward at ', '')} ${us(power)} µs and ${us(inverse[1])} µs, with fewer bins to multiply ` +
        `(${mixed.note ?? ''} against ${power.note ?? ''}).`,
    );
  }
  const choices = rows.filter((r) => r.key?.startsWith('fft-choice-') && Number.isFinite(r.timing.median));
  for (const key of new Set(choices.map((r) => r.key))) {
    const group = choices.filter((r) => r.key === key);
    const fastest = group.reduce((a, b) => (b.timing.median < a.timing.median ? b : a));
    const picked = /the model picks (\w+)/.exec(group[0]!.note ?? '')?.[1];
    const where = group[0]!.operation.replace(/^fft: cost model check, /, '');
    lines.push(`- Cost model, ${where}: picks ${picked}, fastest measured ${fastest.strategy}: ${picked === fastest.strategy ? 'right' : 'WRONG'}.`);
  }
  return [
    ...(lines.length > 0 ? ['## Targets and checks', '', ...lines, ''] : []),
    'GFLOP/s counts 2 operations per multiply-add of the spatial convolution (the same count for every strategy, so it',
    'reads as speed); for the pointwise row, 8 per complex multiply-add. The real FFT rows are times per transform.',
    '"Reused spectra": the weights transformed once per batch, the input spectrum kept from forward, gy transformed',
    'once for both gradients (charged to grad input). "No reuse": the weights transformed for every sample in forward;',
    'each gradient transforms all it needs. See docs/fft.md for the design and for what the profile shows.',
    '',
  ];
}
