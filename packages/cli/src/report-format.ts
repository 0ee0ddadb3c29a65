/** Text tables for `eval` and `predict`. */

/** The confusion matrix with row totals and per-class error: rows are true classes, columns predictions. */
export function formatConfusion(confusion: number[][]): string[] {
  const k = confusion.length;
  const width = Math.max(5, ...confusion.flat().map((v) => String(v).length + 1));
  const pad = (s: string | number, w = width) => String(s).padStart(w);
  const lines = ['confusion matrix (rows: true class, columns: predicted class):'];
  lines.push(`${pad('', 6)}${Array.from({ length: k }, (_, j) => pad(j)).join('')}${pad('total', 8)}${pad('error', 10)}`);
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const error = total === 0 ? '-' : `${(((total - row[i]!) / total) * 100).toFixed(2)} %`;
    lines.push(`${pad(i, 6)}${row.map((v) => pad(v)).join('')}${pad(total, 8)}${pad(error, 10)}`);
  });
  return lines;
}

/** Softmax of a row of logits, in float64 with the log-sum-exp shift. */
export function softmax(logits: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < logits.length; i++) m = Math.max(m, logits[i]!);
  const e = Array.from(logits, (z) => Math.exp(z - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** One line per class: its probability and a bar. */
export function formatProbabilities(probabilities: number[]): string[] {
  const lines = ['class  probability'];
  probabilities.forEach((p, i) => {
    lines.push(`${String(i).padStart(5)}  ${p.toFixed(6)}  ${'#'.repeat(Math.round(p * 40))}`.trimEnd());
  });
  return lines;
}
