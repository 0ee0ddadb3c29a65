/*
 * The fixed partition of an index range among threads. It depends only on (total, parts, align),
 * never on timing, so every run with the same thread count gives each thread the same indices and
 * every reduction over parts happens in the same order: results are bit-identical run to run.
 */

/** A half-open index range [start, end). */
export type Range = readonly [start: number, end: number];

/**
 * Splits [0, total) into at most `parts` contiguous, non-empty ranges, as equal as possible in
 * units of `align` indices (the last range takes the remainder). Fewer ranges come back when there
 * are fewer units than parts.
 */
export function splitRange(total: number, parts: number, align = 1): Range[] {
  if (!Number.isInteger(total) || total < 0) throw new Error(`splitRange: total must be a non-negative integer, got ${total}`);
  if (!Number.isInteger(parts) || parts < 1) throw new Error(`splitRange: parts must be a positive integer, got ${parts}`);
  if (!Number.isInteger(align) || align < 1) throw new Error(`splitRange: align must be a positive integer, got ${align}`);
  const units = Math.ceil(total / align);
  const count = Math.min(parts, units);
  const ranges: Range[] = [];
  let unit = 0;
  for (let p = 0; p < count; p++) {
    // The first (units % count) ranges get one unit more.
    const size = Math.floor(units / count) + (p < units % count ? 1 : 0);
    const start = unit * align;
    unit += size;
    ranges.push([start, Math.min(total, unit * align)]);
  }
  return ranges;
}
