/** One colour per strategy, the same in every chart, so a reader learns them once. */
const named: Array<[RegExp, string]> = [
  [/tfjs.*wasm/i, '#9467bd'],
  [/tfjs.*cpu/i, '#8c564b'],
  [/loop/i, '#7f7f7f'],
  [/reuse/i, '#d62728'],
  [/fft|spectral/i, '#ff7f0e'],
  [/im2col|vectori[sz]ed|gemm/i, '#1f77b4'],
  [/direct/i, '#2ca02c'],
];

const fallback = ['#17becf', '#bcbd22', '#e377c2', '#393b79', '#637939'];

export function strategyColor(strategy: string, index = 0): string {
  for (const [pattern, colour] of named) if (pattern.test(strategy)) return colour;
  return fallback[index % fallback.length]!;
}
