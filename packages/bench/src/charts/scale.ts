/** Axis scales for the charts: linear from zero with round ticks, or logarithmic by decades. */

export interface Scale {
  /** Pixel position of a value, between `start` and `end` of the range. */
  at(value: number): number;
  ticks: number[];
  log: boolean;
}

/** Log scale when the values span more than `threshold` (a factor), else linear from zero. */
export function autoScale(values: number[], start: number, end: number, threshold = 30): Scale {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return linearScale(1, start, end);
  const lo = Math.min(...positive);
  const hi = Math.max(...positive);
  return hi / lo > threshold ? logScale(lo, hi, start, end) : linearScale(hi, start, end);
}

export function linearScale(max: number, start: number, end: number): Scale {
  const step = niceStep(max / 5);
  const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { at: (v) => start + ((end - start) * v) / top, ticks, log: false };
}

export function logScale(min: number, max: number, start: number, end: number): Scale {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  return {
    at: (v) => start + ((end - start) * (Math.log10(Math.max(v, 10 ** lo)) - lo)) / (hi - lo),
    ticks,
    log: true,
  };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}
